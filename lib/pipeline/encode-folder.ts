/**
 * `encodeFolder(folder, options, onProgress)`: scans a photo folder, encodes the new or changed photos
 * (decode, detect, align, embed) on a pool of worker threads, and writes the face store in atomic
 * batches. A bad file never stops the run: it is recorded with its reason (status `failed`).
 * Aborting (`signal`) stops dispatching, finishes the photos in flight, writes them and returns with
 * `interrupted: true`; a killed run keeps every committed batch and the next run resumes.
 */
import { availableParallelism, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DETECTOR_DEFAULTS, RECIPE_CONFIG_KEYS } from '../detect/registry.ts';
import { EMBEDDER_NAMES, EMBEDDER_SPECS, type EmbedderName } from '../embed/registry.ts';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import { checkOutsidePhotoFolder } from '../paths.ts';
import { defaultStoreDir } from '../store/layout.ts';
import type { EncodeParameters } from '../store/manifest.ts';
import type { PhotoRecord, StoredFace } from '../store/schema.ts';
import { openStoreWriter, type RecipeNaming, type ReembedTask, type ScannedFile } from '../store/write.ts';
import type { Box, ProgressCallback } from '../types.ts';
import { createFaceEncoder, FACE_ENCODER_DEFAULTS, photoRecipe, resolveFaceEncoderOptions, type EmbedResult, type FaceEncoder, type FaceEncoderOptions, type PhotoResult, type StoredDetection } from './face-encoder.ts';
import { folderLabel, scanPhotos } from './scan.ts';
import type { WorkerReply, WorkerRequest } from './encode-worker.ts';

export interface EncodeFolderOptions extends FaceEncoderOptions {
  /** Store folder, outside the photo folder. @default undefined (`facecluster-out/<folder name>/store` in the current directory, `defaultStoreDir`) */
  out: string | undefined;
  /** `folder`: each face's label is its photo's parent folder name (LFW layout); `none`: no labels. @default 'folder' */
  labels: 'folder' | 'none';
  /**
   * Worker threads, each with its own tfjs and models (wasm runs on one core per thread); 1 encodes in
   * this thread. @default the number of cores (`os.availableParallelism()`), at most one per 512 MiB of
   *   memory (a worker peaks at ~400 MB with SSD MobileNet: 925 MB for 2 workers and the main thread)
   */
  jobs: number;
  /**
   * Photos per committed batch: smaller loses less work when killed, larger writes less often.
   * A batch is also committed after `batchSeconds`. @default 32
   */
  batchSize: number;
  /** Longest time between batch commits while photos complete. @default 10 */
  batchSeconds: number;
  /** Aborting stops the run after the photos in flight (they are written). @default undefined */
  signal: AbortSignal | undefined;
}

export const ENCODE_FOLDER_DEFAULTS: Readonly<EncodeFolderOptions> = Object.freeze({
  ...FACE_ENCODER_DEFAULTS,
  out: undefined,
  labels: 'folder',
  jobs: Math.max(1, Math.min(availableParallelism(), Math.floor(totalmem() / 2 ** 29))),
  batchSize: 32,
  batchSeconds: 10,
  signal: undefined,
});

/** Per-photo progress details passed as `info` to the progress callback. */
export interface EncodeProgressInfo {
  path: string;
  status: PhotoResult['status'];
  /** Faces found in this photo. */
  faces: number;
  /** Faces found so far in this run. */
  totalFaces: number;
  reason?: string;
  [key: string]: unknown;
}

export interface EncodeFolderSummary {
  storeDir: string;
  /** Photos in the folder. */
  photos: number;
  /** Photos encoded by this run (detected, aligned, embedded). */
  encoded: number;
  /**
   * Kept photos whose stored faces were only embedded by a further embedder this run (`--embedder a,b` on a
   * store that has a), or only measured for quality, or on which a new detection recipe ran (`redetected`): their
   * stored detections were reused, none embedded again.
   */
  reembedded: number;
  /** Kept photos a changed detection recipe ran on (e.g. UltraFace's tiles on large photos): their new faces were added. */
  redetected: number;
  /** Faces those photos gained (counted in `faces` too). */
  addedFaces: number;
  /** Photos the detector ran on in this run (`encoded` when every worker finished; 0 when only re-embedding). */
  detectorCalls: number;
  /** Photos kept from earlier runs. */
  unchanged: number;
  /** Photos gone from the folder whose rows were dropped. */
  deleted: number;
  /** Files skipped because their extension is not a photo format. */
  skipped: number;
  /** Faces found by this run / in the whole store. */
  faces: number;
  totalFaces: number;
  /** Photos without a face (this run). */
  noFace: number;
  /** Photos that failed (this run), with their reasons. */
  failures: { path: string; reason: string }[];
  /** Photos recorded as failed in the whole store (unchanged files that failed in earlier runs too). */
  totalFailed: number;
  parametersChanged: boolean;
  interrupted: boolean;
  seconds: number;
  backend: string;
  jobs: number;
}

/** The store manifest's parameters of a run with these options (a job queue compares them too). */
export function toParameters(o: EncodeFolderOptions, dimension: number): EncodeParameters {
  const align = o.align as Required<EncodeFolderOptions['align']>;
  return {
    detector: o.detector,
    detectorConfig: { ...DETECTOR_DEFAULTS[o.detector].config, ...o.detectorConfig },
    embedder: o.embedder,
    embeddingDimension: dimension,
    minScore: o.minScore ?? DETECTOR_DEFAULTS[o.detector].detect.minScore,
    minFaceSize: o.minFaceSize,
    align: { method: align.method, template: align.template, size: align.size },
    maxPixels: o.maxPixels,
    maxSide: o.maxSide,
    labels: o.labels,
    ...(o.landmarker !== 'faceapi68' ? { landmarker: o.landmarker } : {}),
    ...(o.extraEmbedders.length > 0
      ? { extraEmbedders: o.extraEmbedders.map((name) => ({ name, dimension: EMBEDDER_SPECS[name].dimension, template: EMBEDDER_SPECS[name].template, size: EMBEDDER_SPECS[name].inputSize })) }
      : {}),
  };
}

/**
 * How the pipeline names detection recipes for the store (`photoRecipe`: `detectionRecipe` on the working image a photo's
 * upright size gives with the store's `maxSide`).
 */
export const PIPELINE_RECIPES: RecipeNaming = {
  keys: RECIPE_CONFIG_KEYS,
  of: (p, width, height) => photoRecipe(p.detector, p.detectorConfig, p.maxSide, width, height),
};

/** A pool that encodes photo files: worker threads, or this thread when jobs = 1. */
export interface EncodePool {
  backend: string;
  dimension: number;
  size: number;
  /** Encodes a photo; with `stored` (boxes, original pixels), returns only the faces not among them. */
  encode(path: string, stored?: Box[]): Promise<PhotoResult>;
  /** Embeds stored faces of a photo with `embedders` (no detection); with `quality`, measures their quality too. */
  embed(path: string, faces: StoredDetection[], embedders: EmbedderName[], quality?: boolean): Promise<EmbedResult>;
  /** Photos the detector ran on, over all workers. */
  detectorCalls(): number;
  close(): Promise<void>;
}

async function inThreadPool(options: FaceEncoderOptions): Promise<EncodePool> {
  const encoder: FaceEncoder = await createFaceEncoder(options);
  return {
    backend: encoder.backend,
    dimension: EMBEDDER_SPECS[options.embedder].dimension,
    size: 1,
    encode: (p, stored) => encoder.encodeFile(p, stored),
    embed: (p, faces, names, quality) => encoder.embedFile(p, faces, names, quality),
    detectorCalls: () => encoder.detectorCalls,
    close: async () => encoder.dispose(),
  };
}

/** The parent's node flags minus test-runner and inspector ones (the worker entry registers tsx itself). */
function workerExecArgv(): string[] {
  return process.execArgv.filter((a) => !a.startsWith('--test') && !a.startsWith('--inspect'));
}

async function workerPool(options: FaceEncoderOptions, jobs: number): Promise<EncodePool> {
  const url = new URL('./encode-worker-boot.mjs', import.meta.url);
  const workers: { worker: Worker; busy: boolean; exited: boolean }[] = [];
  const pending = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  const detectorCalls = new Map<Worker, number>();
  const waiting: (() => void)[] = [];
  let nextId = 0;
  let backend = '';
  let failure: Error | undefined;
  let closing = false;
  const ready = Array.from({ length: jobs }, () => {
    const worker = new Worker(url, { workerData: options, execArgv: workerExecArgv() });
    const slot = { worker, busy: false, exited: false };
    workers.push(slot);
    return new Promise<void>((res, rej) => {
      worker.on('message', (msg: WorkerReply) => {
        if ('ready' in msg) {
          backend = msg.backend;
          res();
        } else if ('fatal' in msg) {
          rej(new FaceclusterError('encodeFolder', `a worker could not load the models: ${msg.fatal}`));
        } else {
          const p = pending.get(msg.id);
          pending.delete(msg.id);
          slot.busy = false;
          detectorCalls.set(worker, msg.detectorCalls);
          waiting.shift()?.();
          p?.resolve(('result' in msg ? msg.result : msg.embedded) as never);
        }
      });
      const fail = (e: Error) => {
        failure ??= e;
        rej(e);
        for (const p of pending.values()) p.reject(e);
        pending.clear();
        for (const w of waiting.splice(0)) w();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        slot.exited = true;
        if (!closing) fail(new FaceclusterError('encodeFolder', `a worker thread stopped unexpectedly (exit code ${code}).`));
      });
    });
  });
  try {
    await Promise.all(ready);
  } catch (e) {
    await Promise.all(workers.map((w) => w.worker.terminate()));
    throw e;
  }
  async function send<R>(request: Omit<WorkerRequest, 'id'>): Promise<R> {
    let slot = workers.find((w) => !w.busy);
    while (!slot && !failure) {
      await new Promise<void>((r) => waiting.push(r));
      slot = workers.find((w) => !w.busy);
    }
    if (failure || !slot) throw failure ?? new FaceclusterError('encodeFolder', 'no worker available.');
    slot.busy = true;
    const id = nextId++;
    const s = slot;
    return new Promise<R>((resolveReply, reject) => {
      pending.set(id, { resolve: resolveReply as (r: never) => void, reject });
      s.worker.postMessage({ id, ...request } satisfies WorkerRequest);
    });
  }
  return {
    backend,
    dimension: EMBEDDER_SPECS[options.embedder].dimension,
    size: jobs,
    encode(path, stored) {
      return send<PhotoResult>({ path, ...(stored ? { stored } : {}) });
    },
    embed(path, faces, embedders, quality) {
      return send<EmbedResult>({ path, faces, embedders, quality });
    },
    detectorCalls: () => [...detectorCalls.values()].reduce((a, b) => a + b, 0),
    async close() {
      closing = true;
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((res) => {
              if (w.exited) return res();
              w.worker.once('exit', () => res());
              w.worker.postMessage('close');
              setTimeout(() => void w.worker.terminate(), 5000).unref();
            }),
        ),
      );
    },
  };
}

/**
 * Opens the encode pool: `jobs` worker threads, or this thread when `jobs` is 1 and `threads` is false
 * (a queue worker keeps its own thread free, so that its job lock is renewed on time).
 */
export async function openEncodePool(options: FaceEncoderOptions, jobs: number, threads = false): Promise<EncodePool> {
  return jobs > 1 || threads ? workerPool(options, jobs) : inThreadPool(options);
}

/** Encodes one scanned file of `root` on `pool`; a pool failure becomes the photo's `failed` reason. */
export async function encodePhoto(pool: EncodePool, root: string, file: ScannedFile): Promise<PhotoResult> {
  try {
    return await pool.encode(join(root, file.path));
  } catch (e) {
    return { status: 'failed', reason: `encoding failed: ${(e as Error)?.message ?? e}`, faces: [] };
  }
}

/** The store rows of one encoded photo: its photo record and its faces (the step a queue worker shares). */
export function photoRecords(file: ScannedFile, r: PhotoResult, labels: 'folder' | 'none'): { photo: PhotoRecord; faces: StoredFace[] } {
  const label = labels === 'folder' ? folderLabel(file.path) : null;
  const photo: PhotoRecord = {
    path: file.path,
    sizeBytes: file.sizeBytes,
    mtimeMs: file.mtimeMs,
    width: r.width ?? null,
    height: r.height ?? null,
    status: r.status,
    reason: r.status === 'failed' ? r.reason : null,
    faceCount: r.faces.length,
    label,
    ...(r.status !== 'failed' && r.detector ? { detectors: [r.detector] } : {}),
  };
  const faces = r.faces.map((face, i) => ({ ...face, landmarks68: undefined, path: file.path, faceIndex: i, label, imageWidth: r.width ?? 0, imageHeight: r.height ?? 0 }));
  return { photo, faces };
}

/** The absolute photo folder and store folder of an encode; throws when `out` would write into the photos. */
export function encodeTarget(fn: string, folder: string, out: string | undefined): { root: string; storeDir: string } {
  const root = resolve(folder);
  const storeDir = out === undefined ? defaultStoreDir(root) : resolve(out);
  // links resolved: an `out` that reaches into the photo folder through a symbolic link is refused too
  checkOutsidePhotoFolder(fn, 'out', storeDir, root, { mustNotContain: true });
  return { root, storeDir };
}

/**
 * Encodes the photos of `folder` into its face store (see the module comment).
 * `onProgress(done, total, info)` is called once per photo of this run ({@link EncodeProgressInfo}),
 * first with `done = 0` after planning. Throws only for bad options or an unusable output folder.
 */
export async function encodeFolder(folder: string, options?: Partial<EncodeFolderOptions>, onProgress?: ProgressCallback): Promise<EncodeFolderSummary> {
  const fn = 'encodeFolder';
  const started = performance.now();
  const o = resolveOptions(fn, ENCODE_FOLDER_DEFAULTS, options);
  const { out, labels, jobs, batchSize, batchSeconds, signal, ...encoderOptions } = o;
  const enc = resolveFaceEncoderOptions(encoderOptions);
  checkOneOf(fn, 'labels', labels, ['folder', 'none'] as const);
  checkInteger(fn, 'jobs', jobs, 1, 256);
  checkInteger(fn, 'batchSize', batchSize, 1);
  checkInteger(fn, 'batchSeconds', batchSeconds, 1);
  const { root, storeDir } = encodeTarget(fn, folder, out);
  const scan = await scanPhotos(root, [storeDir]);
  const dimension = EMBEDDER_SPECS[enc.embedder].dimension;
  // tfjs and the models load only when there is something to encode (in the workers when jobs > 1)
  const writer = await openStoreWriter(storeDir, toParameters({ ...o, ...enc }, dimension), { photoFolder: root, recipes: PIPELINE_RECIPES });
  // A store that already holds faces detected the same way keeps its main embedder; the requested ones are added.
  const stored = writer.parameters;
  for (const name of [stored.embedder, ...(stored.extraEmbedders ?? []).map((e) => e.name)]) {
    if (!(EMBEDDER_NAMES as readonly string[]).includes(name)) {
      await writer.release();
      throw new FaceclusterError(fn, `the store ${JSON.stringify(storeDir)} was made with embedder ${JSON.stringify(name)}, which this facecluster does not have (it has ${EMBEDDER_NAMES.join(', ')}).`);
    }
  }
  const poolOptions: FaceEncoderOptions = {
    ...enc,
    embedder: stored.embedder as EmbedderName,
    extraEmbedders: (stored.extraEmbedders ?? []).map((e) => e.name as EmbedderName),
    align: stored.align as FaceEncoderOptions['align'],
  };
  const summary: EncodeFolderSummary = {
    storeDir,
    photos: scan.files.length,
    encoded: 0,
    reembedded: 0,
    redetected: 0,
    addedFaces: 0,
    detectorCalls: 0,
    unchanged: 0,
    deleted: 0,
    skipped: scan.skipped,
    faces: 0,
    totalFaces: 0,
    noFace: 0,
    failures: [],
    totalFailed: 0,
    parametersChanged: false,
    interrupted: false,
    seconds: 0,
    backend: 'none (nothing to encode)',
    jobs: 0,
  };
  let pool: EncodePool | undefined;
  try {
    const plan = await writer.plan(scan.files);
    summary.unchanged = plan.unchanged;
    summary.deleted = plan.deleted;
    summary.parametersChanged = plan.parametersChanged;
    const todo = plan.todo;
    const total = todo.length + plan.reembed.length;
    onProgress?.(0, total, { path: '', status: 'ok', faces: 0, totalFaces: 0 } satisfies EncodeProgressInfo);
    if (total > 0 && !signal?.aborted) {
      const poolSize = Math.min(jobs, total);
      pool = await openEncodePool(poolOptions, poolSize);
      summary.backend = pool.backend;
      writer.setBackend(pool.backend);
      summary.jobs = pool.size;
      let batchPhotos: PhotoRecord[] = [];
      let batchFaces: StoredFace[] = [];
      let lastCommit = performance.now();
      let writing: Promise<void> = Promise.resolve();
      const commit = () => {
        if (batchPhotos.length === 0) return writing;
        const p = batchPhotos, f = batchFaces;
        batchPhotos = [];
        batchFaces = [];
        lastCommit = performance.now();
        writing = writing.then(() => writer.writeBatch(p, f));
        return writing;
      };
      let next = 0;
      const record = (file: ScannedFile, r: PhotoResult) => {
        const rows = photoRecords(file, r, labels);
        batchPhotos.push(rows.photo);
        batchFaces.push(...rows.faces);
        summary.encoded++;
        summary.faces += r.faces.length;
        if (r.status === 'no-face') summary.noFace++;
        if (r.status === 'failed') summary.failures.push({ path: file.path, reason: r.reason });
        onProgress?.(summary.encoded + summary.reembedded, total, {
          path: file.path,
          status: r.status,
          faces: r.faces.length,
          totalFaces: summary.faces,
          ...(r.status === 'failed' ? { reason: r.reason } : {}),
        } satisfies EncodeProgressInfo);
        if (batchPhotos.length >= batchSize || performance.now() - lastCommit > batchSeconds * 1000) void commit();
      };
      /**
       * A kept photo's stored faces with the vectors of the embedders they lacked, and the faces a new detection
       * recipe found (`found`: only those not stored) after them.
       */
      const recordEmbedded = (task: ReembedTask, r: EmbedResult, found: PhotoResult | undefined) => {
        summary.reembedded++;
        const adding = [...task.missing, ...(task.quality ? ['the quality score'] : []), ...(task.addRecipe ? [`the faces of detection recipe ${task.addRecipe}`] : [])].join(', ');
        if (r.status === 'failed') summary.failures.push({ path: task.file.path, reason: `adding ${adding}: ${r.reason}` });
        else if (found?.status === 'failed') summary.failures.push({ path: task.file.path, reason: `adding ${adding}: ${found.reason}` });
        else {
          const news = found ? photoRecords(task.file, found, labels).faces.map((f, i) => ({ ...f, faceIndex: task.faces.length + i })) : [];
          const total = task.faces.length + news.length;
          batchPhotos.push({
            ...task.photo,
            ...(found ? { faceCount: total, status: total > 0 ? 'ok' : 'no-face', detectors: [...(task.photo.detectors ?? []), task.addRecipe!] } : {}),
          });
          task.faces.forEach((f, i) => {
            const added = Object.entries(r.embeddings).map(([name, v]) => [name, v[i]]);
            batchFaces.push({ ...f, ...(added.length > 0 ? { embeddings: { ...f.embeddings, ...Object.fromEntries(added) } } : {}), ...(r.quality ? r.quality[i] : {}) });
          });
          batchFaces.push(...news);
          if (found) {
            summary.redetected++;
            summary.addedFaces += news.length;
            summary.faces += news.length;
          }
        }
        onProgress?.(summary.encoded + summary.reembedded, total, {
          path: task.file.path,
          status: r.status === 'ok' ? 'ok' : 'failed',
          faces: task.faces.length,
          totalFaces: summary.faces,
          ...(r.status === 'failed' ? { reason: r.reason } : {}),
        } satisfies EncodeProgressInfo);
        if (batchPhotos.length >= batchSize || performance.now() - lastCommit > batchSeconds * 1000) void commit();
      };
      let nextEmbed = 0;
      const lane = async () => {
        while (nextEmbed < plan.reembed.length && !signal?.aborted) {
          const task = plan.reembed[nextEmbed++];
          let r: EmbedResult = { status: 'ok', embeddings: {} };
          if (task.missing.length > 0 || task.quality) {
            try {
              r = await pool!.embed(join(root, task.file.path), task.faces.map((f) => ({ landmarks5: f.landmarks5, box: f.box, score: f.score })), task.missing as EmbedderName[], task.quality);
            } catch (e) {
              r = { status: 'failed', reason: `embedding failed: ${(e as Error)?.message ?? e}` };
            }
          }
          let found: PhotoResult | undefined;
          if (task.addRecipe && r.status === 'ok') {
            try {
              found = await pool!.encode(join(root, task.file.path), task.faces.map((f) => f.box));
            } catch (e) {
              found = { status: 'failed', reason: `encoding failed: ${(e as Error)?.message ?? e}`, faces: [] };
            }
          }
          recordEmbedded(task, r, found);
        }
        while (next < todo.length && !signal?.aborted) {
          const file = todo[next++];
          const r = await encodePhoto(pool!, root, file);
          record(file, r);
        }
      };
      await Promise.all(Array.from({ length: pool.size }, lane));
      await commit();
      await writing;
      summary.detectorCalls = pool.detectorCalls();
      summary.interrupted = signal?.aborted === true && summary.encoded + summary.reembedded < total;
    } else {
      summary.interrupted = signal?.aborted === true && total > 0;
    }
    const manifest = await writer.finish(!summary.interrupted);
    summary.totalFaces = manifest.counts.faces;
    summary.totalFailed = manifest.counts.failed;
  } catch (e) {
    await writer.release();
    throw e;
  } finally {
    await pool?.close();
  }
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}
