/**
 * Writing a face store incrementally (see layout.ts for the files).
 *
 * `openStoreWriter(dir, parameters)` takes the store's lock and reads what is there. `plan(files)` says
 * which photos need encoding (new, or changed size / mtime; every photo when the parameters or models
 * changed), which kept photos only need a further embedder's vectors (`reembed`: their stored detections are
 * reused, the detector is not run again), and compacts the store at once: rows of deleted and changed photos are dropped. Then each
 * `writeBatch` commits one batch atomically; `finish()` merges the batches into the two tables. A run
 * killed at any point keeps every committed batch and the next run resumes from there.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { Field, makeData, RecordBatch, Schema, Struct, tableFromIPC } from 'apache-arrow';
import { atomicWrite, atomicWriteWith, BATCHES_DIR, ensureRealDir, FACES_FILE, LOCK_FILE, MANIFEST_FILE, PHOTOS_FILE } from './layout.ts';
import { writeIpcFileSync } from './_arrow-ipc.ts';
import { nullData } from './_arrow-columns.ts';
import { readFaceTable, type FaceTable } from './face-table.ts';
import { detectionKey, modelVersions, stableStringify, TOOL_VERSION, type EncodeParameters, type ExtraEmbedder, type StoreManifest } from './manifest.ts';
import { readManifest, readPhotos, readTables } from './read.ts';
import { facesToArrow, photosToArrow, type PhotoRecord, type StoredFace } from './schema.ts';

/** A photo file as found by the folder scan. */
export interface ScannedFile {
  path: string;
  sizeBytes: number;
  mtimeMs: number;
}

/**
 * A kept photo whose faces lack some of the store's further embedders or the quality score, or that the store's
 * detection recipe has not run on yet (`addRecipe`: its new faces are to be added, the stored ones kept).
 */
export interface ReembedTask {
  file: ScannedFile;
  photo: PhotoRecord;
  /** Its stored faces (detections, landmarks, the vectors they have). */
  faces: StoredFace[];
  /** Embedders to run on them (may be none when only `quality` is missing). */
  missing: string[];
  /** Whether some of its faces lack the quality score (stores written before it existed): measured from the photo. */
  quality: boolean;
  /** The detection recipe to run on it: faces it finds that are not stored are added. */
  addRecipe?: string;
}

/**
 * How the pipeline names detection recipes, for a store to know which photos a changed recipe must run on: the
 * detector options that only add faces (a change keeps the stored faces), and the recipe `parameters` run on a
 * photo of upright size `width` x `height`.
 */
export interface RecipeNaming {
  keys: readonly string[];
  of(parameters: EncodeParameters, width: number, height: number): string;
}

export interface StorePlan {
  /** Photos to encode (new or changed, or all when parameters changed). */
  todo: ScannedFile[];
  /** Kept photos whose faces need a further embedder's vectors (no detection). */
  reembed: ReembedTask[];
  /** Photos whose stored records are still valid. */
  unchanged: number;
  /** Stored photos no longer in the folder (their rows were dropped). */
  deleted: number;
  /** Whether stored work was discarded because the models or parameters changed. */
  parametersChanged: boolean;
}

export interface StoreWriter {
  readonly dir: string;
  /**
   * The parameters the store is written with: the given ones, or, when the store already holds faces
   * detected with the same detection parameters, its main embedder (and geometry) kept and every requested
   * embedder that is not it added to `extraEmbedders`.
   */
  readonly parameters: EncodeParameters;
  plan(files: readonly ScannedFile[]): Promise<StorePlan>;
  writeBatch(photos: readonly PhotoRecord[], faces: readonly StoredFace[]): Promise<void>;
  /** Merges batches into the tables, records counts; `complete` false for an interrupted run. */
  finish(complete: boolean): Promise<StoreManifest>;
  /** Records the tfjs backend that encoded this run's photos (written with the manifest). */
  setBackend(description: string): void;
  /** Releases the lock without compacting (after an error). */
  release(): Promise<void>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Store folders locked by this process. */
const heldLocks = new Set<string>();

async function takeLock(dir: string): Promise<void> {
  const lock = join(dir, LOCK_FILE);
  if (heldLocks.has(dir)) throw new FaceclusterError('openStoreWriter', `the store ${JSON.stringify(dir)} is being written by process ${process.pid} (this one); finish the other writer first.`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      heldLocks.add(dir);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new FaceclusterError('openStoreWriter', `the store ${JSON.stringify(dir)} is being written by process ${pid}; wait for it or stop it.`);
      }
      await unlink(lock).catch(() => undefined); // stale lock of a killed run
    }
  }
  throw new FaceclusterError('openStoreWriter', `cannot take the lock of ${JSON.stringify(dir)}.`);
}

/**
 * Commits one batch `name` into `<storeDir>/batches/`: the faces file, then the photos file, which
 * commits it (each written atomically; rewriting the same name replaces the batch as a whole). Used by
 * the writer and by queue workers, which write on behalf of the run that holds the store's lock.
 */
export async function writeBatchFiles(
  storeDir: string,
  name: string,
  photos: readonly PhotoRecord[],
  faces: readonly StoredFace[],
  embeddingDimension: number,
  extra: readonly { name: string; dimension: number }[] = [],
): Promise<void> {
  const batchDir = join(storeDir, BATCHES_DIR);
  await atomicWrite(batchDir, `${name}.faces.arrow`, facesToArrow(faces, embeddingDimension, extra));
  await atomicWrite(batchDir, `${name}.photos.arrow`, photosToArrow(photos)); // commits the batch
}

/**
 * Faces per record batch of `faces.arrow` as {@link writeFacesFile} writes it: 8,192 x 512-d is 17 MB, a piece the
 * C allocator reuses instead of mapping fresh pages (see _arrow-ipc.ts), and a multiple of the export's batch.
 */
export const FACES_FILE_BATCH = 8_192;

/**
 * Writes `faces.arrow` from the store's faces read as columns (`readFaceTable`: the compacted file and the committed
 * batches, in the store's order), {@link FACES_FILE_BATCH} faces a record batch, straight from the columns' buffers
 * into the file: no object per face, and no buffer of the whole file. The columns are those `facesToArrow` writes
 * for these dimensions; a column some file lacks (written before it existed) is null there.
 * Measured on 1,000,000 x 512-d faces (README "Export"): the object path (readTables + facesToArrow) peaked at 8.4 GB.
 */
async function writeFacesFile(dir: string, t: FaceTable, dimension: number, extra: readonly { name: string; dimension: number }[]): Promise<void> {
  if (t.length > 0 && t.dimension !== dimension) {
    throw new FaceclusterError('openStoreWriter', `the store's faces hold ${t.dimension}-d vectors, its parameters say ${dimension}-d; encode the store again.`, 'store');
  }
  const layout = tableFromIPC(facesToArrow([], dimension, extra)).schema;
  const schema = new Schema(layout.fields.map((f) => new Field(f.name, f.type, true)));
  const batches = function* (): Generator<RecordBatch> {
    for (let from = 0; from < t.length || from === 0; from += FACES_FILE_BATCH) {
      const to = Math.min(t.length, from + FACES_FILE_BATCH);
      const children = schema.fields.map((f) => (t.has(f.name) ? t.column(f.name, from, to).data[0] : nullData(f.type, to - from)));
      yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: to - from, nullCount: 0, children }));
      if (t.length === 0) return;
    }
  };
  await atomicWriteWith(dir, FACES_FILE, (fd) => writeIpcFileSync(fd, schema, batches()));
}

/** `parameters`' embedders merged into a store's: the store's main embedder stays; others are added or replace same-named ones. */
function mergeEmbedders(previous: EncodeParameters, requested: EncodeParameters): { parameters: EncodeParameters; changed: Set<string> } {
  const asked: ExtraEmbedder[] = [
    { name: requested.embedder, dimension: requested.embeddingDimension, template: requested.align.template, size: requested.align.size },
    ...(requested.extraEmbedders ?? []),
  ].filter((e) => e.name !== previous.embedder);
  const merged = [...(previous.extraEmbedders ?? [])];
  const changed = new Set<string>();
  for (const r of asked) {
    const i = merged.findIndex((m) => m.name === r.name);
    if (i < 0) merged.push(r);
    else if (stableStringify(merged[i]) !== stableStringify(r)) {
      merged[i] = r;
      changed.add(r.name);
    }
  }
  const { extraEmbedders: _drop, ...rest } = requested;
  return {
    parameters: { ...rest, embedder: previous.embedder, embeddingDimension: previous.embeddingDimension, align: previous.align, ...(merged.length > 0 ? { extraEmbedders: merged } : {}) },
    changed,
  };
}

/** Opens (creating if needed) the store folder `dir` for writing with these encoding parameters. */
export async function openStoreWriter(storeDir: string, requested: EncodeParameters, info: { photoFolder: string; backend?: string; recipes?: RecipeNaming }): Promise<StoreWriter> {
  const dir = resolve(storeDir);
  await ensureRealDir(dir, 'openStoreWriter');
  await takeLock(dir);
  const batchDir = join(dir, BATCHES_DIR);
  const models = modelVersions();
  let previous: StoreManifest | undefined;
  try {
    previous = existsSync(join(dir, MANIFEST_FILE)) ? await readManifest(dir) : undefined;
  } catch {
    previous = undefined; // unreadable manifest: start over
  }
  // Stored faces stay valid when they were detected the same way and, if the main embedder is the same, it
  // made its chips the same way; a different requested embedder is added beside the stored one.
  // (options that only add faces, such as UltraFace's tiles, aside: a change runs the new recipe on the photos it
  // changes and adds the faces it finds, `addRecipe`)
  const recipes = info.recipes;
  const sameDetections = previous !== undefined && detectionKey(previous.parameters, previous.models, recipes?.keys) === detectionKey(requested, models, recipes?.keys);
  const sameMain =
    previous !== undefined &&
    (previous.parameters.embedder !== requested.embedder ||
      (stableStringify(previous.parameters.align) === stableStringify(requested.align) && previous.parameters.embeddingDimension === requested.embeddingDimension));
  const sameParameters = previous !== undefined && sameDetections && sameMain;
  let parameters: EncodeParameters;
  let changedExtras = new Set<string>();
  if (sameParameters) {
    ({ parameters, changed: changedExtras } = mergeEmbedders(previous!.parameters, requested));
  } else {
    const { extraEmbedders, ...rest } = requested;
    const extras = (extraEmbedders ?? []).filter((e, i, all) => e.name !== requested.embedder && all.findIndex((x) => x.name === e.name) === i);
    parameters = { ...rest, ...(extras.length > 0 ? { extraEmbedders: extras } : {}) };
  }
  const extraDims = (parameters.extraEmbedders ?? []).map((e) => ({ name: e.name, dimension: e.dimension }));
  const now = new Date().toISOString();
  const manifest: StoreManifest = {
    format: 'facecluster-face-store',
    formatVersion: 1,
    toolVersion: TOOL_VERSION,
    models,
    parameters,
    photoFolder: info.photoFolder,
    backend: info.backend ?? previous?.backend ?? 'none (nothing encoded yet)',
    createdAt: sameParameters && previous ? previous.createdAt : now,
    updatedAt: now,
    counts: { photos: 0, faces: 0, noFace: 0, failed: 0 },
    complete: false,
  };
  const runId = `${Date.now().toString().padStart(15, '0')}-${process.pid}`;
  let seq = 0;
  let released = false;

  async function removeBatches(): Promise<void> {
    if (!existsSync(batchDir)) return;
    for (const n of await readdir(batchDir)) await unlink(join(batchDir, n)).catch(() => undefined);
  }

  async function writeTables(photos: readonly PhotoRecord[], faces: readonly StoredFace[]): Promise<void> {
    await atomicWrite(dir, FACES_FILE, facesToArrow(faces, parameters.embeddingDimension, extraDims));
    await atomicWrite(dir, PHOTOS_FILE, photosToArrow(photos));
  }

  function count(photos: readonly PhotoRecord[], faces: { length: number }): StoreManifest['counts'] {
    return {
      photos: photos.length,
      faces: faces.length,
      noFace: photos.filter((p) => p.status === 'no-face').length,
      failed: photos.filter((p) => p.status === 'failed').length,
    };
  }

  async function release(): Promise<void> {
    if (released) return;
    released = true;
    heldLocks.delete(dir);
    await unlink(join(dir, LOCK_FILE)).catch(() => undefined);
  }

  return {
    dir,
    parameters,
    async plan(files) {
      const stored = sameParameters ? await readTables(dir) : { photos: [], faces: [] };
      for (const f of stored.faces) for (const name of changedExtras) delete f.embeddings?.[name];
      const byPath = new Map(stored.photos.map((p) => [p.path, p]));
      const current = new Set(files.map((f) => f.path));
      const todo: ScannedFile[] = [];
      const keep = new Set<string>();
      for (const f of files) {
        const old = byPath.get(f.path);
        if (old && old.sizeBytes === f.sizeBytes && old.mtimeMs === f.mtimeMs) keep.add(f.path);
        else todo.push(f);
      }
      const deleted = stored.photos.filter((p) => !current.has(p.path)).length;
      const photos = stored.photos.filter((p) => keep.has(p.path));
      const faces = stored.faces.filter((f) => keep.has(f.path));
      const extraNames = (parameters.extraEmbedders ?? []).map((e) => e.name);
      const reembed: ReembedTask[] = [];
      // kept photos whose faces lack a further embedder's vectors, or the quality score (older stores), or that
      // the requested detection recipe has not run on (stores written before a recipe was recorded: the stored
      // parameters' recipe ran on them)
      if (photos.length > 0) {
        const facesOf = new Map<string, StoredFace[]>();
        for (const f of faces) (facesOf.get(f.path) ?? facesOf.set(f.path, []).get(f.path)!).push(f);
        const fileOf = new Map(files.map((f) => [f.path, f]));
        for (const p of photos) {
          const own = facesOf.get(p.path) ?? [];
          let addRecipe: string | undefined;
          if (recipes && p.status !== 'failed' && p.width !== null && p.height !== null) {
            const ran = p.detectors ?? [recipes.of(previous!.parameters, p.width, p.height)];
            p.detectors = ran;
            for (const f of own) f.detector ??= ran[0];
            const wanted = recipes.of(parameters, p.width, p.height);
            if (!ran.includes(wanted)) addRecipe = wanted;
          }
          const missing = extraNames.filter((name) => own.some((f) => !f.embeddings?.[name]));
          const quality = own.some((f) => f.quality === undefined);
          if (missing.length > 0 || quality || addRecipe) reembed.push({ file: fileOf.get(p.path)!, photo: p, faces: own, missing, quality, ...(addRecipe ? { addRecipe } : {}) });
        }
      }
      // Compact now: the tables hold exactly the valid records, then batches go, then the manifest.
      await writeTables(photos, faces);
      await removeBatches();
      await ensureRealDir(batchDir, 'openStoreWriter');
      manifest.counts = count(photos, faces);
      await atomicWrite(dir, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
      return { todo, reembed, unchanged: keep.size, deleted, parametersChanged: previous !== undefined && !sameParameters };
    },
    async writeBatch(photos, faces) {
      await writeBatchFiles(dir, `${runId}-${String(seq++).padStart(6, '0')}`, photos, faces, parameters.embeddingDimension, extraDims);
    },
    async finish(complete) {
      if (!existsSync(join(dir, MANIFEST_FILE))) await atomicWrite(dir, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`); // (finish without plan)
      const photos = await readPhotos(dir);
      const faces = await readFaceTable(dir);
      await writeFacesFile(dir, faces, parameters.embeddingDimension, extraDims);
      await atomicWrite(dir, PHOTOS_FILE, photosToArrow(photos));
      await removeBatches();
      manifest.counts = count(photos, faces);
      manifest.complete = complete;
      manifest.updatedAt = new Date().toISOString();
      await atomicWrite(dir, MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
      await release();
      return manifest;
    },
    setBackend(description) {
      manifest.backend = description;
    },
    release,
  };
}
