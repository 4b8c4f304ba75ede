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
 *
 * Trust: Redis is a message board that others may write on. A job is done only when it and the queue's run
 * record carry a valid signature made with the queue's shared secret (signing.ts); a job that does not is
 * refused and reported (failed in BullMQ, never retried) before any file is touched. Without a secret (only
 * allowed for a Redis on this machine) unsigned jobs are taken, but in every case a worker reads photos only
 * inside the photo folder and writes only into the store it resolved from its first run (or `folder` / `out`):
 * a photo path that is absolute, climbs out with `..` or leads out through a link is refused with a reason
 * (photo-path.ts) while the rest of the batch goes on, and a job or run naming another folder or store is not
 * done.
 */
import { constants } from 'node:fs';
import { access, readFile, realpath, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { Job, Queue, Worker } from 'bullmq';
import { EMBEDDER_SPECS } from '../embed/registry.ts';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { ENCODE_FOLDER_DEFAULTS, openEncodePool, photoRecords, toParameters, type EncodePool } from '../pipeline/encode-folder.ts';
import { FACE_ENCODER_DEFAULTS, resolveFaceEncoderOptions, type FaceEncoderOptions, type PhotoResult } from '../pipeline/face-encoder.ts';
import { checkOutsidePhotoFolder, realPathOf } from '../paths.ts';
import { BATCHES_DIR, LOCK_FILE } from '../store/layout.ts';
import { modelVersions, parametersKey, type EncodeParameters, type StoreManifest } from '../store/manifest.ts';
import type { PhotoRecord, StoredFace } from '../store/schema.ts';
import { writeBatchFiles } from '../store/write.ts';
import { checkRedis, connectionOptions, parseRedisUrl, withCaFile, withTimeout } from './connection.ts';
import { DEFAULT_QUEUE_NAME, JOB_ID, parameterDifferences, readRun, unfinishedJobs, type BatchJobData, type BatchJobResult, type PhotoOutcome, type QueueRun } from './jobs.ts';
import { photoInFolder } from './photo-path.ts';
import { createQueueSigner, loadQueueSecret, QUEUE_SECRET_ENV, requireSecretOffLoopback, type SignedKind } from './signing.ts';

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
  /**
   * File holding the secret shared with the coordinator (`encode --queue-secret-file`): jobs and run records
   * whose signature does not verify with it are refused. Without it, `$FACECLUSTER_QUEUE_SECRET`; without
   * either, only a Redis on this machine is accepted, and only unsigned runs. @default undefined
   */
  secretFile: string | undefined;
  /** PEM file of the authority that signed the TLS certificate of a `rediss://` server. @default undefined (the system's) */
  caFile: string | undefined;
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
  secretFile: undefined,
  caFile: undefined,
});

/** What a worker reports as it goes. */
export type QueueWorkerEvent =
  | { type: 'ready'; worker: string; backend: string; jobs: number }
  | { type: 'batch-start'; job: string; photos: number }
  | { type: 'photo'; job: string; done: number; photos: number; outcome: PhotoOutcome }
  | { type: 'batch-done'; job: string; result: BatchJobResult }
  | { type: 'batch-stale'; job: string }
  /** A job refused without touching any file (no valid signature, or inconsistent with its run); it is failed in BullMQ. */
  | { type: 'job-refused'; job: string; reason: string }
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
  const { queue: url, queueName, labels, jobs, folder, out, lockSeconds, idleExitSeconds, redisTimeoutSeconds, signal, pool: givenPool, secretFile, caFile, ...encoderOptions } = o;
  const enc = resolveFaceEncoderOptions(encoderOptions);
  checkOneOf(fn, 'labels', labels, ['folder', 'none'] as const);
  checkInteger(fn, 'jobs', jobs, 1, 256);
  checkNumber(fn, 'lockSeconds', lockSeconds, 0, Infinity, true);
  if (idleExitSeconds !== undefined) checkNumber(fn, 'idleExitSeconds', idleExitSeconds, 0);
  checkNumber(fn, 'redisTimeoutSeconds', redisTimeoutSeconds, 0, Infinity, true);
  const target = withCaFile(fn, parseRedisUrl(fn, url), caFile);
  const secret = loadQueueSecret(fn, secretFile);
  requireSecretOffLoopback(fn, target.host, target.display, secret);
  const signer = secret && createQueueSigner(secret);
  secret?.fill(0);
  const parameters = toParameters({ ...ENCODE_FOLDER_DEFAULTS, ...enc, labels }, EMBEDDER_SPECS[enc.embedder].dimension);
  const models = modelVersions();
  const mine: Settings = { parameters, models, key: parametersKey(parameters, models) };
  const me = `${hostname()}:${process.pid}`;
  const summary: QueueWorkerSummary = { worker: me, backend: '', batches: 0, photos: 0, faces: 0, failed: 0, seconds: 0 };
  await checkRedis(fn, target, Math.min(redisTimeoutSeconds, 10));

  const { Queue, Worker, WaitingError, UnrecoverableError } = await import('bullmq');
  const connection = connectionOptions(target);
  const queue: Queue<BatchJobData, BatchJobResult> = new Queue(queueName, { connection });
  let lastRedisError: Error | undefined;
  queue.on('error', (e) => (lastRedisError = e));

  /** Why a record read from Redis is not to be believed (its signature, or its shape), or undefined. */
  const distrust = (kind: SignedKind, record: object): string | undefined => {
    const signed = typeof (record as { signature?: unknown }).signature === 'string';
    const doubt = signer
      ? signer.verify(kind, record) ? undefined : signed ? "its signature does not verify with this worker's secret" : 'it carries no signature'
      : signed ? 'it is signed and this worker has no secret to check it' : undefined;
    return doubt ?? (kind === 'run' ? malformedRun(record as QueueRun) : malformedJob(record));
  };
  /** The error that stops this worker when the queue's run record cannot be believed (its jobs stay on the queue). */
  const untrustedRun = (why: string) =>
    new FaceclusterError(
      fn,
      signer
        ? `the queue's run record cannot be trusted (${why}): the encode runs with another secret or none (give it and every worker the same --queue-secret-file), or someone else wrote the record into Redis. This worker read no photo.`
        : `the queue's run cannot be trusted by this worker (${why}): give this worker the encode's secret (--queue-secret-file FILE or $${QUEUE_SECRET_ENV}). This worker read no photo.`,
      'secretFile',
    );

  /**
   * The photo folder and store this worker serves, resolved once, from the first run it takes (or `folder` /
   * `out`): as the run names them (the coordinator's paths) and as this worker reads and writes them (links
   * resolved). It never reads or writes anywhere else.
   */
  let pinned: { runFolder: string; runStore: string; folder: string; storeDir: string } | undefined;
  const serve = async (run: QueueRun) => {
    if (pinned) {
      if (run.folder === pinned.runFolder && run.storeDir === pinned.runStore) return pinned;
      throw new FaceclusterError(fn, `the queue holds an encode of folder ${run.folder} into store ${run.storeDir}; this worker serves folder ${pinned.runFolder} and store ${pinned.runStore} (those of the first encode it took) and writes nowhere else. Start another worker for that encode.`, 'out');
    }
    const asked = resolve(folder ?? run.folder);
    const real = await realpath(asked).catch(() => undefined);
    const folderOk = real !== undefined && (await stat(real).then((s) => s.isDirectory() && access(real, constants.R_OK | constants.X_OK).then(() => true), () => false).catch(() => false));
    if (!folderOk) throw new FaceclusterError(fn, `this worker cannot read the photo folder ${asked} of the queue's encode; mount it at that path (the same shared volume as the coordinator's) or give its path here with --folder.`, 'folder');
    const storeDir = checkOutsidePhotoFolder(fn, 'out', realPathOf(resolve(out ?? run.storeDir)), real, { mustNotContain: true });
    const storeOk = await access(join(storeDir, BATCHES_DIR), constants.W_OK).then(() => true, () => false);
    if (!storeOk) throw new FaceclusterError(fn, `this worker cannot write into the store ${join(storeDir, BATCHES_DIR)} of the queue's encode; mount it at that path or give its path here with --out.`, 'out');
    pinned = { runFolder: run.folder, runStore: run.storeDir, folder: real, storeDir };
    return pinned;
  };
  /** Throws unless this worker can do the jobs of `run` (same settings, its folder and store; see `serve`). */
  const canDo = async (run: QueueRun) => {
    if (run.parametersKey !== mine.key) {
      const diff = run.parameters && run.models ? parameterDifferences({ parameters: run.parameters, models: run.models }, mine, ['queue', 'this worker']) : [];
      throw new FaceclusterError(fn, `the queue's batches were made with other encode settings than this worker's${diff.length > 0 ? `: ${diff.join('; ')}` : ''}. Start the worker with the same encode flags (and facecluster version) as \`facecluster encode --queue\`.`, 'parameters');
    }
    return serve(run);
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
    // refuse at once when the queue's current run is one this worker cannot believe or do (nothing taken)
    const look = async () => {
      const run = await readRun(queue);
      return run && (await unfinishedJobs(queue)) > 0 ? run : undefined;
    };
    const current = await withTimeout(look(), redisTimeoutSeconds, 'no answer').catch((e: Error) => {
      throw new FaceclusterError(fn, `lost the Redis server of queue ${target.display} while starting (${lastRedisError?.message ?? e.message}); nothing was taken.`, 'queue');
    });
    if (current) {
      const doubt = distrust('run', current);
      if (doubt !== undefined) throw untrustedRun(doubt);
      await canDo(current);
    }
    pool = givenPool ?? (await openEncodePool(enc, jobs, true));
    summary.backend = pool.backend;
    onEvent?.({ type: 'ready', worker: me, backend: pool.backend, jobs: pool.size });
    const encodePool = pool;

    /** A job not to be done and not to be retried: failed in BullMQ with the reason, no file touched. */
    const refuse = (job: Job<BatchJobData, BatchJobResult>, reason: string): never => {
      onEvent?.({ type: 'job-refused', job: String(job.id), reason });
      throw new UnrecoverableError(`refused by worker ${me}: ${reason}`);
    };
    /** A job this worker cannot do: back on the queue untouched for a worker that can, and this worker stops. */
    const giveBack = async (job: Job<BatchJobData, BatchJobResult>, token: string | undefined, e: Error): Promise<never> => {
      await job.moveToWait(token);
      fail(e);
      throw new WaitingError();
    };
    const encodeAt = async (path: string): Promise<PhotoResult> => {
      try {
        return await encodePool.encode(path);
      } catch (e) {
        return { status: 'failed', reason: `encoding failed: ${(e as Error)?.message ?? e}`, faces: [] };
      }
    };

    const processor = async (job: Job<BatchJobData, BatchJobResult>, token?: string): Promise<BatchJobResult> => {
      busy = true;
      try {
        const data = job.data;
        const t0 = performance.now();
        const staleResult = (): BatchJobResult => ({ batch: '', stale: true, worker: me, backend: encodePool.backend, photos: [], encodeSeconds: 0, commitSeconds: 0, seconds: 0 });
        // 1. trust, from Redis alone: no file is touched for a job before it and its run are believed
        if (typeof job.id !== 'string' || !JOB_ID.test(job.id)) return refuse(job, `its id ${JSON.stringify(job.id)} is not that of a batch job; nothing was read`);
        const run = await readRun(queue);
        const runDoubt = run === undefined ? undefined : distrust('run', run);
        const jobDoubt = distrust('job', { ...(data as object), jobId: job.id });
        if (run !== undefined && runDoubt !== undefined) return giveBack(job, token, untrustedRun(runDoubt)); // a wrong secret, or a forged run: stop
        if (jobDoubt !== undefined) return refuse(job, `the job does not come from the queue's encode (${jobDoubt}); nothing was read`);
        if (run === undefined || run.run !== data.run) {
          onEvent?.({ type: 'batch-stale', job: job.id });
          return staleResult();
        }
        const differs = (['folder', 'storeDir', 'parametersKey', 'lock'] as const).filter((k) => data[k] !== run[k]);
        if (differs.length > 0) return refuse(job, `the job's ${differs.join(', ')} differ from its run's (job store ${JSON.stringify(data.storeDir)}, run store ${JSON.stringify(run.storeDir)}); nothing was read or written`);
        // 2. this worker's own folder and store (resolved once; a run naming others is not done here)
        let root: string;
        let storeDir: string;
        try {
          ({ folder: root, storeDir } = await canDo(run));
        } catch (e) {
          return giveBack(job, token, e as Error);
        }
        const stale = async () => (await readRun(queue))?.run !== data.run || (await readFile(join(storeDir, LOCK_FILE), 'utf8').catch(() => '')).trim() !== run.lock;
        if (await stale()) {
          onEvent?.({ type: 'batch-stale', job: job.id });
          return staleResult();
        }
        onEvent?.({ type: 'batch-start', job: job.id, photos: data.files.length });
        const photos: PhotoRecord[] = new Array(data.files.length);
        const faces: StoredFace[][] = new Array(data.files.length);
        const outcomes: PhotoOutcome[] = new Array(data.files.length);
        let next = 0;
        let done = 0;
        const lane = async () => {
          while (next < data.files.length) {
            const i = next++;
            const file = data.files[i];
            // 3. each photo only inside the folder, links resolved; a refused one is a failed photo with its reason
            const where = await photoInFolder(root, file.path);
            const r: PhotoResult = where.reason !== undefined ? { status: 'failed', reason: where.reason, faces: [] } : await encodeAt(where.path);
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

const RECORD_TEXT = ['run', 'folder', 'storeDir', 'parametersKey', 'lock'] as const;

/** What is wrong with the shape of a run record read from Redis, or undefined. */
function malformedRun(run: QueueRun): string | undefined {
  const bad = RECORD_TEXT.find((k) => typeof run[k] !== 'string');
  if (bad) return `its ${bad} is not text`;
  if (!isAbsolute(run.folder) || !isAbsolute(run.storeDir)) return 'its folder and store are not absolute paths';
  return undefined;
}

/** What is wrong with the shape of a job's data read from Redis, or undefined. */
function malformedJob(data: object): string | undefined {
  const d = data as Partial<BatchJobData>;
  const bad = RECORD_TEXT.find((k) => typeof d[k] !== 'string');
  if (bad) return `its ${bad} is not text`;
  if (!Array.isArray(d.files) || d.files.length === 0) return 'it names no photos';
  const file = d.files.find((f) => f === null || typeof f !== 'object' || typeof f.path !== 'string' || !Number.isFinite(f.sizeBytes) || !Number.isFinite(f.mtimeMs));
  if (file !== undefined) return `a photo entry is not {path, sizeBytes, mtimeMs}: ${JSON.stringify(file)?.slice(0, 80)}`;
  return undefined;
}
