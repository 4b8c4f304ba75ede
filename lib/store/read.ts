/**
 * Reading a face store: `openStore(dir)` gives everything (manifest, photos, faces with embeddings);
 * `readFaces(dir)` just the faces. Work of an interrupted run (committed batches) is included.
 *
 * @example
 * const store = await openStore('photos/.facecluster'); // or the photo folder itself
 * store.embeddings  // Float32Array[] (one per face, the store's main embedder's)
 * (await openStore('photos/.facecluster', { embedder: 'mobilefacenet512' })).embeddings  // another embedder of the store
 * (await openStore('photos/.facecluster', { embedder: 'resnet128+mobilefacenet512' })).embeddings  // a fusion (see embed/fusion.ts)
 * store.labels      // (string | null)[] (parent folder names with --labels folder)
 */
import { existsSync } from 'node:fs';
import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { BATCHES_DIR, FACES_FILE, MANIFEST_FILE, PHOTOS_FILE, resolveStoreDir } from './layout.ts';
import { fuseEmbeddings, fusionParts } from '../embed/fusion.ts';
import { resolveOptions } from '../options.ts';
import { storeEmbedders, type StoreManifest } from './manifest.ts';
import { facesFromArrow, photosFromArrow, type PhotoRecord, type StoredFace } from './schema.ts';

export interface FaceStore {
  /** The store folder. */
  dir: string;
  manifest: StoreManifest;
  /** One record per photo, sorted by path. */
  photos: PhotoRecord[];
  /** One record per face, sorted by path then face index. */
  faces: StoredFace[];
  /** Every face's vector from {@link OpenStoreOptions.embedder} (the main one: `faces[i].embedding`), for clustering. */
  embeddings: Float32Array[];
  /** The embedder `embeddings` come from (a name, or a fusion `a+b`). */
  embedder: string;
  /** The store's embedders, main first (`encode --embedder a,b`). */
  embedders: string[];
  /** `faces[i].label`. */
  labels: (string | null)[];
  /** `faces[i].path` (relative to the photo folder). */
  paths: string[];
}

/** Reads the manifest of a store folder. */
export async function readManifest(storeDir: string): Promise<StoreManifest> {
  const text = await readFile(join(storeDir, MANIFEST_FILE), 'utf8');
  const m = JSON.parse(text) as StoreManifest;
  if (m.format !== 'facecluster-face-store') throw new FaceclusterError('openStore', `${join(storeDir, MANIFEST_FILE)} is not a facecluster store manifest.`);
  if (m.formatVersion !== 1) throw new FaceclusterError('openStore', `store format version ${m.formatVersion} is not supported (this facecluster reads version 1).`);
  return m;
}

/**
 * The bytes of a table file. `readFile` refuses files over 2 GiB, which `faces.arrow` passes at about 990,000
 * faces of 512-d: read in 256 MB pieces into one buffer instead (a Buffer holds up to 4 GiB in Node 20).
 */
export async function readTableFile(path: string): Promise<Uint8Array> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    const buf = Buffer.allocUnsafe(size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await fh.read(buf, at, Math.min(size - at, 1 << 28), at);
      if (bytesRead === 0) throw new FaceclusterError('openStore', `${path} ended at byte ${at} of ${size} while being read.`);
      at += bytesRead;
    }
    return buf;
  } finally {
    await fh.close();
  }
}

/** Names of committed batches (those whose photos file exists), oldest first. */
export async function committedBatches(storeDir: string): Promise<string[]> {
  const dir = join(storeDir, BATCHES_DIR);
  if (!existsSync(dir)) return [];
  const names = await readdir(dir);
  return names.filter((n) => n.endsWith('.photos.arrow') && !n.startsWith('.')).map((n) => n.slice(0, -'.photos.arrow'.length)).sort();
}

/**
 * Photos and faces of a store folder: the compacted tables overlaid with committed batches
 * (a later record of a path replaces earlier ones).
 */
export async function readTables(storeDir: string): Promise<{ photos: PhotoRecord[]; faces: StoredFace[] }> {
  const photos = new Map<string, PhotoRecord>();
  const faces = new Map<string, StoredFace[]>();
  const add = (p: PhotoRecord[], f: StoredFace[]) => {
    const byPath = new Map<string, StoredFace[]>();
    for (const face of f) (byPath.get(face.path) ?? byPath.set(face.path, []).get(face.path)!).push(face);
    for (const rec of p) {
      photos.set(rec.path, rec);
      faces.set(rec.path, byPath.get(rec.path) ?? []);
    }
  };
  if (existsSync(join(storeDir, PHOTOS_FILE))) {
    const p = photosFromArrow(await readTableFile(join(storeDir, PHOTOS_FILE)));
    const f = existsSync(join(storeDir, FACES_FILE)) ? facesFromArrow(await readTableFile(join(storeDir, FACES_FILE))) : [];
    add(p, f);
  }
  for (const name of await committedBatches(storeDir)) {
    const dir = join(storeDir, BATCHES_DIR);
    const p = photosFromArrow(await readFile(join(dir, `${name}.photos.arrow`)));
    const facesPath = join(dir, `${name}.faces.arrow`);
    const f = existsSync(facesPath) ? facesFromArrow(await readTableFile(facesPath)) : [];
    add(p, f);
  }
  const paths = [...photos.keys()].sort();
  return {
    photos: paths.map((p) => photos.get(p)!),
    faces: paths.flatMap((p) => (faces.get(p) ?? []).sort((a, b) => a.faceIndex - b.faceIndex)),
  };
}

/**
 * The photos of a store folder, without its faces: the compacted table overlaid with committed batches (a later
 * record of a path replaces earlier ones), sorted by path, as {@link readTables} gives them.
 */
export async function readPhotos(storeDir: string): Promise<PhotoRecord[]> {
  const photos = new Map<string, PhotoRecord>();
  if (existsSync(join(storeDir, PHOTOS_FILE))) for (const p of photosFromArrow(await readTableFile(join(storeDir, PHOTOS_FILE)))) photos.set(p.path, p);
  for (const name of await committedBatches(storeDir)) {
    for (const p of photosFromArrow(await readFile(join(storeDir, BATCHES_DIR, `${name}.photos.arrow`)))) photos.set(p.path, p);
  }
  return [...photos.keys()].sort().map((p) => photos.get(p)!);
}

export interface OpenStoreOptions {
  /**
   * Which of the store's embedders gives `embeddings`: a name among the store's, or a fusion of them `a+b`
   * (equal weights, see `fuseEmbeddings`). @default undefined (the store's main embedder)
   */
  embedder: string | undefined;
}

export const OPEN_STORE_DEFAULTS: Readonly<OpenStoreOptions> = Object.freeze({ embedder: undefined });

/** The vectors of `name` (one of the store's embedders) for every face; throws naming faces that lack it. */
function vectorsOf(fn: string, storeDir: string, faces: readonly StoredFace[], name: string, main: string, all: readonly string[]): Float32Array[] {
  if (!all.includes(name)) {
    throw new FaceclusterError(fn, `embedder must be one of the store's embedders ${all.map((e) => JSON.stringify(e)).join(', ')} or a fusion of them (a+b), got ${JSON.stringify(name)}; add it with \`facecluster encode <photos> --out ${storeDir} --embedder ${[...all, name].join(',')}\`.`, 'embedder');
  }
  if (name === main) return faces.map((f) => f.embedding);
  const lacking = faces.filter((f) => !f.embeddings?.[name]).length;
  if (lacking > 0) throw new FaceclusterError(fn, `${lacking} of ${faces.length} faces of ${JSON.stringify(storeDir)} have no ${name} vector yet (an interrupted encode); run the encode again to finish it.`, 'embedder');
  return faces.map((f) => f.embeddings![name]);
}

/** Opens a face store: `dir` is the store folder or the photo folder that holds `.facecluster/`. */
export async function openStore(dir: string, options?: Partial<OpenStoreOptions>): Promise<FaceStore> {
  const fn = 'openStore';
  const o = resolveOptions(fn, OPEN_STORE_DEFAULTS, options);
  const storeDir = resolveStoreDir(dir);
  const manifest = await readManifest(storeDir);
  const { photos, faces } = await readTables(storeDir);
  const embedders = storeEmbedders(manifest.parameters);
  const main = embedders[0];
  for (const f of faces) if (embedders.length > 1) f.embeddings = { ...f.embeddings, [main]: f.embedding };
  const embedder = o.embedder ?? main;
  const parts = fusionParts(embedder);
  const embeddings =
    parts.length === 1
      ? vectorsOf(fn, storeDir, faces, embedder, main, embedders)
      : fuseEmbeddings(parts.map((p) => vectorsOf(fn, storeDir, faces, p, main, embedders)));
  return { dir: storeDir, manifest, photos, faces, embeddings, embedder, embedders, labels: faces.map((f) => f.label), paths: faces.map((f) => f.path) };
}

/** The faces of a store (see {@link openStore}). */
export async function readFaces(dir: string): Promise<StoredFace[]> {
  return (await openStore(dir)).faces;
}
