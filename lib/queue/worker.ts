/**
 * `runQueueWorker({ queue: 'redis://HOST:PORT' })`: a worker process of a queued encode (see
 * encode-on-queue.ts). It takes one batch job at a time from BullMQ, encodes its photos with the usual
 * pipeline on its own pool (`jobs` threads: the photos of a batch run in parallel), and commits the batch
 * into the store as one atomic batch file named after the job, on behalf of the coordinator that holds
 * the store's lock.
 *
 * It refuses work it cannot do right, before taking any: jobs made with other encode parameters or model
 * versions (the differences are named), a photo folder or store it cannot read or write. A refused job
 * goes back on the queue untouched for a worker that can do it. A job whose run is over (the store's lock
 * or the queue's run record changed) is not written. The encoding runs in worker threads even with
 * `jobs` 1, so this thread stays free to renew the job's lock: a worker that dies loses its lock after
 * `lockSeconds` and BullMQ gives the batch to another worker.
 */
import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Job, Queue, Worker } from 'bullmq';
import { EMBEDDER_SPECS } from '../embed/registry.ts';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { ENCODE_FOLDER_DEFAULTS, encodePhoto, openEncodePool, photoRecords, toParameters, type EncodePool } from '../pipeline/encode-folder.ts';
import { FACE_ENCODER_DEFAULTS, resolveFaceEncoderOptions, type FaceEncoderOptions } from '../pipeline/face-encoder.ts';
import { BATCHES_DIR, LOCK_FILE } from '../store/layout.ts';
import { modelVersions, parametersKey, type EncodeParameters, type StoreManifest } from '../store/manifest.ts';
import type { PhotoRecord, StoredFace } from '../store/schema.ts';
import { writeBatchFiles } from '../store/write.ts';
import { checkRedis, connectionOptions, parseRedisUrl, withTimeout } from './connection.ts';
import { DEFAULT_QUEUE_NAME, parameterDifferences, readRun, unfinishedJobs, type BatchJobData, type BatchJobResult, type PhotoOutcome, type QueueRun } from './jobs.ts';

export interface QueueWorkerOptions extends FaceEncoderOptions {
  /** The Redis server, `redis://HOST:PORT[/DB]` (required). */
  queue: string;
  /** BullMQ queue name (as given to the coordinator). @default 'facecluster-encode' */
  queueName: string;
  /** Part of the encode parameters: must match the coordinator's. @default 'folder' */
  labels: 'folder' | 'none';
  /** Encode threads of this worker; a batch's photos run on them in parallel. @default as `encodeFolder`'s jobs */
  jobs: number;
  /** This machine's path of the photo folder, when it is mounted elsewhere than on the coordinator. @default undefined (the job's) */
  folder: string | undefined;
  /** This machine's path of the store folder. @default undefined (the job's) */
  out: string | undefined;
  /**
   * Seconds a job's lock lasts without renewal (BullMQ `lockDuration`; stalled jobs are looked for at the
   * same interval): a killed worker's batch goes to another worker after one to two of these.
   * @default 30 (BullMQ's default)
   */
  lockSeconds: number;
  /** Stop when the queue has had nothing to do for this many seconds. @default undefined (run until aborted) */
  idleExitSeconds: number | undefined;
  /** How long Redis may stay unreachable before the worker stops with an error. @default 60 */
  redisTimeoutSeconds: number;
  /** Aborting finishes the batch in hand, commits it, and stops. @default undefined */
  signal: AbortSignal | undefined;
  /**
   * An open encode pool to use instead of loading the models of the options (in-process workers sharing
   * models; `bench:queue` measures the queue's own cost with a pool that does no work). The caller closes
   * it. The parameters compared with the queue's are still those of the options. @default undefined
   */
  pool: EncodePool | undefined;
}

export const QUEUE_WORKER_DEFAULTS: Readonly<QueueWorkerOptions> = Object.freeze({
  ...FACE_ENCODER_DEFAULTS,
  queue: '',
  queueName: DEFAULT_QUEUE_NAME,
  labels: 'folder',
  jobs: ENCODE_FOLDER_DEFAULTS.jobs,
  folder: undefined,
  out: undefined,
  lockSeconds: 30,
  idleExitSeconds: undefined,
  redisTimeoutSeconds: 60,
  signal: undefined,
  pool: undefined,
});

/** What a worker reports as it goes. */
export type QueueWorkerEvent =
  | { type: 'ready'; worker: string; backend: string; jobs: number }
  | { type: 'batch-start'; job: string; photos: number }
  | { type: 'photo'; job: string; done: number; photos: number; outcome: PhotoOutcome }
  | { type: 'batch-done'; job: string; result: BatchJobResult }
  | { type: 'batch-stale'; job: string }
  | { type: 'redis'; message: string };

export interface QueueWorkerSummary {
  worker: string;
  backend: string;
  batches: number;
  photos: number;
  faces: number;
  failed: number;
  seconds: number;
}

interface Settings {
  parameters: EncodeParameters;
  models: StoreManifest['models'];
  key: string;
}

/**
 * Runs a queue worker until `signal` aborts, `idleExitSeconds` pass without work, or an error (see the
 * module comment): a job it must refuse goes back on the queue, then this throws naming why.
 */
export async function runQueueWorker(options: Partial<QueueWorkerOptions>, onEvent?: (e: QueueWorkerEvent) => void): Promise<QueueWorkerSummary> {
  const fn = 'runQueueWorker';
  const started = performance.now();
  const o = resolveOptions(fn, QUEUE_WORKER_DEFAULTS, options);
  const { queue: url, queueName, labels, jobs, folder, out, lockSeconds, idleExitSeconds, redisTimeoutSeconds, signal, pool: givenPool, ...encoderOptions } = o;
  const enc = resolveFaceEncoderOptions(encoderOptions);
  checkOneOf(fn, 'labels', labels, ['folder', 'none'] as const);
  checkInteger(fn, 'jobs', jobs, 1, 256);
  checkNumber(fn, 'lockSeconds', lockSeconds, 0, Infinity, true);
  if (idleExitSeconds !== undefined) checkNumber(fn, 'idleExitSeconds', idleExitSeconds, 0);
  checkNumber(fn, 'redisTimeoutSeconds', redisTimeoutSeconds, 0, Infinity, true);
  const target = parseRedisUrl(fn, url);
  const parameters = toParameters({ ...ENCODE_FOLDER_DEFAULTS, ...enc, labels }, EMBEDDER_SPECS[enc.embedder].dimension);
  const models = modelVersions();
  const mine: Settings = { parameters, models, key: parametersKey(parameters, models) };
  const me = `${hostname()}:${process.pid}`;
  const summary: QueueWorkerSummary = { worker: me, backend: '', batches: 0, photos: 0, faces: 0, failed: 0, seconds: 0 };
  await checkRedis(fn, target, Math.min(redisTimeoutSeconds, 10));

  const { Queue, Worker, WaitingError } = await import('bullmq');
  const connection = connectionOptions(target);
  const queue: Queue<BatchJobData, BatchJobResult> = new Queue(queueName, { connection });
  let lastRedisError: Error | undefined;
  queue.on('error', (e) => (lastRedisError = e));
  const paths = (data: { folder: string; storeDir: string }) => ({ folder: resolve(folder ?? data.folder), storeDir: resolve(out ?? data.storeDir) });
  const checked = new Set<string>();
  /** Throws unless this worker can do the jobs of `run` (same settings, folder readable, store writable). */
  const canDo = async (run: Pick<QueueRun, 'folder' | 'storeDir' | 'parametersKey'> & Partial<QueueRun>): Promise<void> => {
    if (run.parametersKey !== mine.key) {
      const diff = run.parameters && run.models ? parameterDifferences({ parameters: run.parameters, models: run.models }, mine, ['queue', 'this worker']) : [];
      throw new FaceclusterError(fn, `the queue's batches were made with other encode settings than this worker's${diff.length > 0 ? `: ${diff.join('; ')}` : ''}. Start the worker with the same encode flags (and facecluster version) as \`facecluster encode --queue\`.`, 'parameters');
    }
    const p = paths(run);
    const id = `${p.folder}\n${p.storeDir}`;
    if (checked.has(id)) return;
    const folderOk = await stat(p.folder).then((s) => s.isDirectory() && access(p.folder, constants.R_OK | constants.X_OK).then(() => true), () => false).catch(() => false);
    if (!folderOk) throw new FaceclusterError(fn, `this worker cannot read the photo folder ${p.folder} of the queue's encode; mount it at that path (the same shared volume as the coordinator's) or give its path here with --folder.`, 'folder');
    const storeOk = await access(join(p.storeDir, BATCHES_DIR), constants.W_OK).then(() => true, () => false);
    if (!storeOk) throw new FaceclusterError(fn, `this worker cannot write into the store ${join(p.storeDir, BATCHES_DIR)} of the queue's encode; mount it at that path or give its path here with --out.`, 'out');
    checked.add(id);
  };
  const sayRedis = (message: string) => onEvent?.({ type: 'redis', message });

  let pool: EncodePool | undefined;
  let worker: Worker<BatchJobData, BatchJobResult> | undefined;
  let fatal: Error | undefined;
  let stop: (() => void) | undefined;
  const stopped = new Promise<void>((r) => (stop = r));
  const fail = (e: Error) => {
    fatal ??= e;
    stop?.();
  };
  let busy = false;
  let idleSince = Date.now();
  try {
    // refuse at once when the queue's current run is one this worker cannot do (nothing taken)
    const look = async () => {
      const run = await readRun(queue);
      return run && (await unfinishedJobs(queue)) > 0 ? run : undefined;
    };
    const current = await withTimeout(look(), redisTimeoutSeconds, 'no answer').catch((e: Error) => {
      throw new FaceclusterError(fn, `lost the Redis server of queue ${target.display} while starting (${lastRedisError?.message ?? e.message}); nothing was taken.`, 'queue');
    });
    if (current) await canDo(current);
    pool = givenPool ?? (await openEncodePool(enc, jobs, true));
    summary.backend = pool.backend;
    onEvent?.({ type: 'ready', worker: me, backend: pool.backend, jobs: pool.size });
    const encodePool = pool;

    const processor = async (job: Job<BatchJobData, BatchJobResult>, token?: string): Promise<BatchJobResult> => {
      busy = true;
      try {
        const data = job.data;
        const t0 = performance.now();
        try {
          const run = await readRun(queue);
          await canDo(run?.run === data.run ? run : data);
        } catch (e) {
          await job.moveToWait(token); // untouched, for a worker that can do it
          fail(e as Error);
          throw new WaitingError();
        }
        const { folder: root, storeDir } = paths(data);
        const stale = async () => (await readRun(queue))?.run !== data.run || (await readFile(join(storeDir, LOCK_FILE), 'utf8').catch(() => '')).trim() !== data.lock;
        const staleResult = (): BatchJobResult => ({ batch: '', stale: true, worker: me, backend: encodePool.backend, photos: [], encodeSeconds: 0, commitSeconds: 0, seconds: 0 });
        if (await stale()) {
          onEvent?.({ type: 'batch-stale', job: job.id! });
          return staleResult();
        }
        onEvent?.({ type: 'batch-start', job: job.id!, photos: data.files.length });
        const photos: PhotoRecord[] = new Array(data.files.length);
        const faces: StoredFace[][] = new Array(data.files.length);
        const outcomes: PhotoOutcome[] = new Array(data.files.length);
        let next = 0;
        let done = 0;
        const lane = async () => {
          while (next < data.files.length) {
            const i = next++;
            const file = data.files[i];
            const r = await encodePhoto(encodePool, root, file);
            const rows = photoRecords(file, r, labels);
            photos[i] = rows.photo;
            faces[i] = rows.faces;
            outcomes[i] = { path: file.path, status: r.status, faces: r.faces.length, ...(r.status === 'failed' ? { reason: r.reason } : {}) };
            done++;
            onEvent?.({ type: 'photo', job: job.id!, done, photos: data.files.length, outcome: outcomes[i] });
            void job.updateProgress({ done, photos: data.files.length }).catch(() => undefined); // best effort: never hold a batch up
          }
        };
        await Promise.all(Array.from({ length: Math.min(encodePool.size, data.files.length) }, lane));
        const t1 = performance.now();
        if (await stale()) {
          onEvent?.({ type: 'batch-stale', job: job.id! });
          return staleResult();
        }
        const batch = `q-${job.id}`;
        await writeBatchFiles(storeDir, batch, photos, faces.flat(), parameters.embeddingDimension, (parameters.extraEmbedders ?? []).map((e) => ({ name: e.name, dimension: e.dimension })));
        const t2 = performance.now();
        const result: BatchJobResult = {
          batch, stale: false, worker: me, backend: encodePool.backend, photos: outcomes,
          encodeSeconds: (t1 - t0) / 1000, commitSeconds: (t2 - t1) / 1000, seconds: (t2 - t0) / 1000,
        };
        summary.batches++;
        summary.photos += outcomes.length;
        summary.faces += outcomes.reduce((a, p) => a + p.faces, 0);
        summary.failed += outcomes.filter((p) => p.status === 'failed').length;
        onEvent?.({ type: 'batch-done', job: job.id!, result });
        return result;
      } finally {
        busy = false;
        idleSince = Date.now();
      }
    };

    worker = new Worker<BatchJobData, BatchJobResult>(queueName, processor, {
      connection,
      concurrency: 1,
      lockDuration: lockSeconds * 1000,
      stalledInterval: lockSeconds * 1000,
      maxStalledCount: 1,
      name: me,
    });
    worker.on('error', (e) => (lastRedisError = e));
    signal?.addEventListener('abort', () => stop?.(), { once: true });
    if (signal?.aborted) stop?.();

    // watchdog: Redis reachable (else stop after redisTimeoutSeconds), idle exit
    let lastContact = Date.now();
    let warned = false;
    const watchdog = setInterval(() => {
      void withTimeout(readRun(queue), 2, 'no answer').then(
        async () => {
          if (warned) sayRedis(`Redis at ${target.display} answers again`);
          warned = false;
          lastContact = Date.now();
          if (idleExitSeconds !== undefined && !busy && Date.now() - idleSince > idleExitSeconds * 1000) {
            if ((await unfinishedJobs(queue)) === 0) stop?.();
            else idleSince = Date.now();
          }
        },
        () => {
          if (!warned) sayRedis(`Redis at ${target.display} does not answer (${lastRedisError?.message ?? 'no answer'}); retrying for ${redisTimeoutSeconds} s`);
          warned = true;
          if (Date.now() - lastContact > redisTimeoutSeconds * 1000) {
            fail(new FaceclusterError(fn, `lost the Redis server of queue ${target.display} for more than ${redisTimeoutSeconds} s (${lastRedisError?.message ?? 'no answer'}); batches this worker committed are in the store, and a batch it was encoding goes back to another worker.`, 'queue'));
          }
        },
      );
    }, 1000);
    await stopped;
    clearInterval(watchdog);
    await withTimeout(worker.close(fatal !== undefined), fatal ? 5 : 3600, 'worker close').catch(() => undefined);
    if (fatal) throw fatal;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    if (worker && !worker.closing) await withTimeout(worker.close(true), 5, 'worker close').catch(() => undefined);
    if (!givenPool) await pool?.close();
    await withTimeout(queue.close(), 5, 'queue close').catch(() => undefined);
    // with Redis gone, closing cannot finish: drop the connections so that no reconnect timer keeps the process up
    await withTimeout(Promise.all([worker?.disconnect(), queue.disconnect()]), 2, 'disconnect').catch(() => undefined);
  }
}
