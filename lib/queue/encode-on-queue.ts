/**
 * `encodeFolderOnQueue(folder, { queue: 'redis://HOST:PORT' })`: the coordinator of an encode spread over
 * many machines. It plans like `encodeFolder` (same incremental rules, same store lock), puts the photos
 * that need encoding on a BullMQ queue as batch jobs, and waits while `runQueueWorker` processes on any
 * number of machines encode them and commit each batch into the store (atomic batch files, on behalf of
 * this run, which holds the store's lock). When every batch is in, it merges them exactly as a local
 * encode does, so the store holds what a single-machine encode would hold.
 *
 * Faults: a worker that dies mid-batch loses its lock and BullMQ's stalled-job check gives the batch to
 * another worker; the batch file is named after the job, so a batch done twice is stored once. A batch
 * that fails for good (its worker died twice, or it threw three times) is split into one job per photo,
 * and a photo that still fails is recorded as failed with the reason: reported once, never retried in a
 * loop. A lost Redis (unreachable for `redisTimeoutSeconds`, or restarted without its data) stops the run
 * with an error; the batches committed so far stay in the store and the same command resumes.
 *
 * Trust: with a shared secret (`secretFile`, or $FACECLUSTER_QUEUE_SECRET) the run record and every job carry
 * an HMAC of their content (signing.ts), so that workers take work only from a coordinator that holds the
 * secret; without one, only a Redis on this machine (loopback) is accepted.
 *
 * BullMQ: https://docs.bullmq.io (stalled jobs: https://docs.bullmq.io/guide/workers/stalled-jobs).
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Job, Queue } from 'bullmq';
import { EMBEDDER_SPECS } from '../embed/registry.ts';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkOneOf, checkNumber, resolveOptions } from '../options.ts';
import { ENCODE_FOLDER_DEFAULTS, encodeTarget, PIPELINE_RECIPES, toParameters, type EncodeFolderOptions, type EncodeFolderSummary, type EncodeProgressInfo } from '../pipeline/encode-folder.ts';
import { resolveFaceEncoderOptions } from '../pipeline/face-encoder.ts';
import { scanPhotos } from '../pipeline/scan.ts';
import { BATCHES_DIR, LOCK_FILE } from '../store/layout.ts';
import { modelVersions, parametersKey } from '../store/manifest.ts';
import { committedBatches } from '../store/read.ts';
import { photosFromArrow, type PhotoRecord } from '../store/schema.ts';
import { openStoreWriter, type ScannedFile, type StoreWriter } from '../store/write.ts';
import type { ProgressCallback } from '../types.ts';
import { checkRedis, connectionOptions, parseRedisUrl, withCaFile, withTimeout, type RedisTarget } from './connection.ts';
import { createQueueSigner, loadQueueSecret, requireSecretOffLoopback, type QueueSigner } from './signing.ts';
import { BATCH_JOB, DEFAULT_QUEUE_NAME, deleteRun, readRun, unfinishedJobs, writeRun, type BatchJobData, type BatchJobResult, type PhotoOutcome, type QueueRun } from './jobs.ts';

export interface QueueEncodeOptions extends Omit<EncodeFolderOptions, 'jobs' | 'batchSeconds'> {
  /** The Redis server, `redis://HOST:PORT[/DB]` (required). */
  queue: string;
  /** BullMQ queue name; encodes of different folders can share a Redis under different names. @default 'facecluster-encode' */
  queueName: string;
  /**
   * Photos per job. Smaller spreads better over many machines and loses less when a worker dies; larger
   * costs less queue traffic (measured overhead: see `npm run bench:queue`). @default 32
   */
  batchSize: number;
  /** How long Redis may stay unreachable before the run stops (resumable). @default 60 */
  redisTimeoutSeconds: number;
  /** Drop unfinished jobs of another encode found on the queue instead of refusing to start. @default false */
  clearQueue: boolean;
  /** Seconds between looks at the queue. @default 0.25 */
  pollSeconds: number;
  /**
   * Most batches on the queue at once (more are added as they finish), so Redis holds a window of the
   * work, not all of it: a job is ~3 KB, so 10M photos queued at once would take ~1 GB of Redis memory.
   * @default 1000
   */
  maxQueuedBatches: number;
  /**
   * File holding the secret shared with the workers (at least 16 bytes; `openssl rand -hex 32`): the run
   * record and every job are signed with it. Without it, `$FACECLUSTER_QUEUE_SECRET`; without either, only a
   * Redis on this machine (loopback address) is accepted. @default undefined
   */
  secretFile: string | undefined;
  /** PEM file of the authority that signed the TLS certificate of a `rediss://` server. @default undefined (the system's) */
  caFile: string | undefined;
}

const { jobs: _jobs, batchSeconds: _batchSeconds, ...FOLDER_DEFAULTS } = ENCODE_FOLDER_DEFAULTS;

export const QUEUE_ENCODE_DEFAULTS: Readonly<QueueEncodeOptions> = Object.freeze({
  ...FOLDER_DEFAULTS,
  queue: '',
  queueName: DEFAULT_QUEUE_NAME,
  batchSize: 32,
  redisTimeoutSeconds: 60,
  clearQueue: false,
  pollSeconds: 0.25,
  maxQueuedBatches: 1000,
  secretFile: undefined,
  caFile: undefined,
});

export interface QueueEncodeSummary extends EncodeFolderSummary {
  /** Batch jobs put on the queue (single-photo retries included). */
  batches: number;
  /** Batches that a second worker finished after the first one stopped (stalled jobs taken over). */
  takenOver: number;
  /** Distinct workers (`host:pid`) that finished batches. */
  workers: string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Encodes the photos of `folder` on the worker processes of a BullMQ queue (see the module comment).
 * `onProgress(done, total, info)` is called once per photo as batches finish ({@link EncodeProgressInfo});
 * an `info.message` (with `path` empty) reports queue events (a batch taken over, Redis lost and back).
 * Throws for bad options, an unreachable Redis, a queue busy with another folder's encode, or Redis lost
 * mid-run (the store keeps every committed batch; the same call resumes).
 */
export async function encodeFolderOnQueue(folder: string, options: Partial<QueueEncodeOptions>, onProgress?: ProgressCallback): Promise<QueueEncodeSummary> {
  const fn = 'encodeFolderOnQueue';
  const started = performance.now();
  const o = resolveOptions(fn, QUEUE_ENCODE_DEFAULTS, options);
  const { queue: url, queueName, redisTimeoutSeconds, clearQueue, pollSeconds, maxQueuedBatches, out, labels, batchSize, signal, secretFile, caFile, ...encoderOptions } = o;
  const enc = resolveFaceEncoderOptions(encoderOptions);
  checkOneOf(fn, 'labels', labels, ['folder', 'none'] as const);
  checkInteger(fn, 'batchSize', batchSize, 1);
  checkNumber(fn, 'redisTimeoutSeconds', redisTimeoutSeconds, 0, Infinity, true);
  checkNumber(fn, 'pollSeconds', pollSeconds, 0, 60, true);
  checkInteger(fn, 'maxQueuedBatches', maxQueuedBatches, 1);
  if (typeof queueName !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(queueName)) throw new FaceclusterError(fn, `queueName must be letters, digits, '_', '.' or '-', got ${JSON.stringify(queueName)}.`, 'queueName');
  const target = withCaFile(fn, parseRedisUrl(fn, url), caFile);
  const secret = loadQueueSecret(fn, secretFile);
  requireSecretOffLoopback(fn, target.host, target.display, secret);
  const signer = secret && createQueueSigner(secret);
  secret?.fill(0);
  const { root, storeDir } = encodeTarget(fn, folder, out);
  await checkRedis(fn, target, Math.min(redisTimeoutSeconds, 10));
  const scan = await scanPhotos(root, [storeDir]);

  const parameters = toParameters({ ...ENCODE_FOLDER_DEFAULTS, ...o, ...enc }, EMBEDDER_SPECS[enc.embedder].dimension);
  const models = modelVersions();
  const { Queue } = await import('bullmq');
  const queue = new Queue<BatchJobData, BatchJobResult>(queueName, { connection: connectionOptions(target) });
  let redisError: Error | undefined;
  queue.on('error', (e) => (redisError = e));
  let writer: StoreWriter | undefined;
  try {
    await refuseOtherRuns(fn, queue, target, { folder: root, storeDir }, clearQueue, redisTimeoutSeconds);
    writer = await openStoreWriter(storeDir, parameters, { photoFolder: root, recipes: PIPELINE_RECIPES });
    const summary: QueueEncodeSummary = {
      storeDir, photos: scan.files.length, encoded: 0, reembedded: 0, redetected: 0, addedFaces: 0, detectorCalls: 0, unchanged: 0, deleted: 0, skipped: scan.skipped, faces: 0, totalFaces: 0, noFace: 0,
      failures: [], totalFailed: 0, parametersChanged: false, interrupted: false, seconds: 0, backend: 'none (nothing to encode)', jobs: 0,
      batches: 0, takenOver: 0, workers: [],
    };
    const plan = await writer.plan(scan.files);
    summary.unchanged = plan.unchanged;
    summary.deleted = plan.deleted;
    summary.parametersChanged = plan.parametersChanged;
    if (plan.reembed.length > 0) {
      const lacks = [...new Set(plan.reembed.flatMap((t) => [...t.missing, ...(t.quality ? ['the quality score'] : []), ...(t.addRecipe ? [`the faces of detection recipe ${t.addRecipe}`] : [])]))].join(', ');
      throw new FaceclusterError(fn, `${plan.reembed.length} stored photo(s) lack ${lacks}; adding an embedder, the quality score or a new detection recipe's faces to a store runs on this machine (the stored faces are kept): run encode without --queue first.`);
    }
    const todo = plan.todo;
    onProgress?.(0, todo.length, { path: '', status: 'ok', faces: 0, totalFaces: 0 } satisfies EncodeProgressInfo);
    if (todo.length > 0 && !signal?.aborted) {
      const lock = (await readFile(join(storeDir, LOCK_FILE), 'utf8')).trim();
      const run: QueueRun = {
        run: `${Date.now()}-${process.pid}-${randomBytes(3).toString('hex')}`,
        // the store's own parameters (an existing store's embedders kept): what the workers must produce
        folder: root, storeDir, parameters: writer.parameters, models, parametersKey: parametersKey(writer.parameters, models), lock,
        batches: Math.ceil(todo.length / batchSize), photos: todo.length, host: hostname(), startedAt: new Date().toISOString(),
      };
      if (signer) run.signature = signer.sign('run', run);
      await redis(fn, target, redisTimeoutSeconds, async () => {
        await queue.obliterate({ force: true }); // jobs of an earlier, dead run of this store
        await writeRun(queue, run);
      });
      const dispatcher = new Dispatcher(fn, queue, target, run, o, summary, todo.length, onProgress, () => redisError, signer);
      await dispatcher.run(todo);
      await dispatcher.commitFailures(writer);
      if (!summary.interrupted) {
        // the store is the truth: every planned photo must be in a committed batch (never expected to fire)
        const stored = await committedPhotos(storeDir);
        const missing = todo.filter((f) => stored.get(f.path) !== f.mtimeMs);
        if (missing.length > 0) {
          await dispatcher.run(missing, `${missing.length} photo(s) missing from the store after their batches finished; queued again`);
          await dispatcher.commitFailures(writer);
        }
      }
      summary.backend = dispatcher.backends();
      summary.workers = [...dispatcher.workers].sort();
      summary.jobs = summary.workers.length;
      if (!summary.interrupted) {
        await redis(fn, target, redisTimeoutSeconds, async () => {
          await queue.obliterate({ force: true });
          await deleteRun(queue);
        });
      }
      writer.setBackend(`${summary.backend} (${summary.jobs} queue worker(s))`);
    }
    const manifest = await writer.finish(!summary.interrupted);
    writer = undefined;
    summary.totalFaces = manifest.counts.faces;
    summary.totalFailed = manifest.counts.failed;
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  } finally {
    await writer?.release(); // after an error: batches stay in the store, the next run resumes from them
    await withTimeout(queue.close(), 5, 'queue close').catch(() => undefined);
    // with Redis gone, closing cannot finish: drop the connection so that no reconnect timer keeps the process up
    await withTimeout(queue.disconnect(), 2, 'disconnect').catch(() => undefined);
  }
}

/** Path -> mtime of the photos in the store's committed batches (this run's work; the rows only, no embeddings). */
async function committedPhotos(storeDir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of await committedBatches(storeDir)) {
    for (const p of photosFromArrow(await readFile(join(storeDir, BATCHES_DIR, `${name}.photos.arrow`)))) out.set(p.path, p.mtimeMs);
  }
  return out;
}

/** Runs `work` against Redis; throws a resumable-state error when Redis does not answer in time. */
async function redis<T>(fn: string, target: RedisTarget, timeoutSeconds: number, work: () => Promise<T>, lastError?: () => Error | undefined): Promise<T> {
  try {
    return await withTimeout(work(), timeoutSeconds, 'no answer');
  } catch (e) {
    if (e instanceof FaceclusterError) throw e;
    const cause = lastError?.()?.message ?? (e as Error)?.message ?? String(e);
    throw new FaceclusterError(fn, `lost the Redis server of queue ${target.display} (${cause}). The batches finished so far are kept in the store; run the same command again to resume.`, 'queue', { cause: e });
  }
}

/** Refuses a queue that holds unfinished jobs of another folder's encode (unless `clearQueue`). */
async function refuseOtherRuns(fn: string, queue: Queue, target: RedisTarget, mine: { folder: string; storeDir: string }, clearQueue: boolean, timeoutSeconds: number): Promise<void> {
  const { previous, unfinished } = await redis(fn, target, timeoutSeconds, async () => ({ previous: await readRun(queue), unfinished: await unfinishedJobs(queue) }));
  if (unfinished === 0 || clearQueue) return;
  if (!previous) {
    throw new FaceclusterError(fn, `queue ${JSON.stringify(queue.name)} at ${target.display} holds ${unfinished} unfinished job(s) that are not facecluster encode batches; use another queueName (--queue-name) or clearQueue (--queue-clear) to drop them.`, 'queue');
  }
  if (previous.folder !== mine.folder || previous.storeDir !== mine.storeDir) {
    throw new FaceclusterError(
      fn,
      `queue ${JSON.stringify(queue.name)} at ${target.display} holds ${unfinished} unfinished batch(es) of another encode: folder ${previous.folder}, store ${previous.storeDir} (started ${previous.startedAt} on ${previous.host}), not folder ${mine.folder}, store ${mine.storeDir}. Let it finish, use another queueName (--queue-name), or clearQueue (--queue-clear) to drop its jobs.`,
      'queue',
    );
  }
  // the same store: its lock (taken next) says whether that run is still alive; if not, this run takes over
}

/** Puts batches on the queue and follows them until each is committed (or recorded as failed). */
class Dispatcher {
  readonly workers = new Set<string>();
  private readonly backendNames = new Set<string>();
  private readonly outstanding = new Map<string, ScannedFile[]>();
  private readonly failedRows: PhotoRecord[] = [];
  private seq = 0;
  private done = 0;

  constructor(
    private readonly fn: string,
    private readonly queue: Queue<BatchJobData, BatchJobResult>,
    private readonly target: RedisTarget,
    private readonly info: QueueRun,
    private readonly o: QueueEncodeOptions,
    private readonly summary: QueueEncodeSummary,
    private readonly total: number,
    private readonly onProgress: ProgressCallback | undefined,
    private readonly lastError: () => Error | undefined,
    private readonly signer: QueueSigner | undefined,
  ) {}

  backends(): string {
    return this.backendNames.size > 0 ? [...this.backendNames].join('; ') : 'none (nothing encoded)';
  }

  private message(text: string): void {
    this.onProgress?.(this.done, this.total, { path: '', status: 'ok', faces: 0, totalFaces: this.summary.faces, message: text } satisfies EncodeProgressInfo);
  }

  private async add(batches: ScannedFile[][]): Promise<void> {
    const jobs = batches.map((files) => {
      const jobId = `${this.info.run}-${String(this.seq++).padStart(6, '0')}`;
      this.outstanding.set(jobId, files);
      const data: BatchJobData = { run: this.info.run, folder: this.info.folder, storeDir: this.info.storeDir, parametersKey: this.info.parametersKey, lock: this.info.lock, files };
      if (this.signer) data.signature = this.signer.sign('job', { ...data, jobId });
      return { name: BATCH_JOB, data, opts: { jobId, attempts: 3, backoff: { type: 'fixed', delay: 1000 }, removeOnComplete: false, removeOnFail: false } };
    });
    for (let i = 0; i < jobs.length; i += 500) await this.queue.addBulk(jobs.slice(i, i + 500));
    this.summary.batches += jobs.length;
  }

  private photo(p: PhotoOutcome): void {
    this.done++;
    this.summary.encoded++;
    this.summary.faces += p.faces;
    if (p.status === 'no-face') this.summary.noFace++;
    if (p.status === 'failed') this.summary.failures.push({ path: p.path, reason: p.reason ?? 'failed' });
    this.onProgress?.(this.done, this.total, { path: p.path, status: p.status, faces: p.faces, totalFaces: this.summary.faces, ...(p.status === 'failed' ? { reason: p.reason } : {}) } satisfies EncodeProgressInfo);
  }

  private finished(job: Job<BatchJobData, BatchJobResult>): void {
    const r = job.returnvalue;
    this.outstanding.delete(job.id!);
    if (r.stale) throw new FaceclusterError(this.fn, `a worker found the run of batch ${job.id} over while it was still running (the store's lock or the queue's run record changed); run the same command again to resume.`);
    this.workers.add(r.worker);
    this.backendNames.add(r.backend);
    if ((job.attemptsStarted ?? 0) > 1 || (job.stalledCounter ?? 0) > 0) {
      this.summary.takenOver++;
      this.message(`batch ${job.id}: finished by ${r.worker} after an earlier worker stopped (stalled job taken over)`);
    }
    for (const p of r.photos) this.photo(p);
  }

  private async failed(job: Job<BatchJobData, BatchJobResult>): Promise<void> {
    const files = this.outstanding.get(job.id!)!;
    this.outstanding.delete(job.id!);
    const reason = job.failedReason || 'failed';
    if (files.length > 1) {
      this.message(`batch ${job.id} failed for good (${reason}); its ${files.length} photos go back on the queue one by one`);
      await this.add(files.map((f) => [f]));
      return;
    }
    const f = files[0];
    const why = `the queue workers failed on this photo: ${reason}`;
    this.failedRows.push({ path: f.path, sizeBytes: f.sizeBytes, mtimeMs: f.mtimeMs, width: null, height: null, status: 'failed', reason: why, faceCount: 0, label: this.o.labels === 'folder' ? (f.path.split('/').at(-2) ?? null) : null });
    this.photo({ path: f.path, status: 'failed', faces: 0, reason: why });
  }

  /** Records the photos whose jobs failed for good (as a local encode records a photo its pool lost). */
  async commitFailures(writer: StoreWriter): Promise<void> {
    if (this.failedRows.length > 0) await writer.writeBatch(this.failedRows.splice(0), []);
  }

  /**
   * Queues `files` in batches, at most `maxQueuedBatches` on the queue at a time (topped up as they
   * finish), and waits for all of them (or, after the abort signal, for the batches in flight).
   */
  async run(files: readonly ScannedFile[], note?: string): Promise<void> {
    const { fn, queue, target, o } = this;
    if (note) this.message(note);
    const batches: ScannedFile[][] = [];
    for (let i = 0; i < files.length; i += o.batchSize) batches.push(files.slice(i, i + o.batchSize));
    let next = 0;
    const topUp = async () => {
      const room = o.maxQueuedBatches - this.outstanding.size;
      if (room <= 0 || next >= batches.length) return;
      const more = batches.slice(next, next + room);
      next += more.length;
      await redis(fn, target, o.redisTimeoutSeconds, () => this.add(more), this.lastError);
    };
    await topUp();
    let aborting = false;
    let lostSince: number | undefined;
    while (this.outstanding.size > 0) {
      if (o.signal?.aborted && !aborting) {
        aborting = true; // photos in flight are finished and kept; the waiting ones are dropped
        next = batches.length;
        await redis(fn, target, o.redisTimeoutSeconds, () => queue.drain(true), this.lastError);
        this.summary.interrupted = true;
      }
      const slow = setTimeout(() => this.message(`Redis at ${target.display} does not answer (${this.lastError()?.message ?? 'no answer'}); waiting up to ${o.redisTimeoutSeconds} s`), 3000);
      const alive = await redis(fn, target, o.redisTimeoutSeconds, () => this.poll(aborting), this.lastError).finally(() => clearTimeout(slow));
      if (!alive) {
        lostSince ??= Date.now();
        if (Date.now() - lostSince > 2000) {
          throw new FaceclusterError(fn, `the queue ${JSON.stringify(queue.name)} at ${target.display} lost the ${this.outstanding.size} unfinished batch(es) of this run (Redis restarted without its data, or the keys were deleted). The batches finished so far are kept in the store; run the same command again to resume.`, 'queue');
        }
      } else lostSince = undefined;
      await topUp();
      if (this.outstanding.size > 0) await sleep(o.pollSeconds * 1000);
    }
  }

  /** One look at the queue; false when this run's jobs are gone from Redis. */
  private async poll(aborting: boolean): Promise<boolean> {
    const { queue } = this;
    const current = await readRun(queue);
    if (!current || current.run !== this.info.run) return false;
    const unfinished = await unfinishedJobs(queue);
    for (const state of ['completed', 'failed'] as const) {
      for (;;) {
        const jobs = (await queue.getJobs([state], 0, 199, true)).filter((j): j is Job<BatchJobData, BatchJobResult> => Boolean(j));
        if (jobs.length === 0) break;
        for (const job of jobs) {
          if (this.outstanding.has(job.id!)) {
            if (state === 'completed') this.finished(job);
            else await this.failed(job);
          } else if (state === 'failed') this.message(`job ${job.id} on the queue is not one of this run's; a worker refused it: ${job.failedReason}`);
          await job.remove();
        }
      }
    }
    if (aborting && unfinished === 0) this.outstanding.clear(); // nothing in flight any more
    // every job finished before this look was collected above; outstanding ones left must still be on the queue
    return !(unfinished === 0 && this.outstanding.size > 0 && !aborting);
  }
}
