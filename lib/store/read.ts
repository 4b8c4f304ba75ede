/**
 * Reading a face store: `openStore(dir)` gives everything (manifest, photos, faces with embeddings);
 * `readFaces(dir)` just the faces. Work of an interrupted run (committed batches) is included.
 *
 * @example
 * const store = await openStore('photos/.facecluster'); // or the photo folder itself
 * store.embeddings  // Float32Array[] (one per face)
 * store.labels      // (string | null)[] (parent folder names with --labels folder)
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { BATCHES_DIR, FACES_FILE, MANIFEST_FILE, PHOTOS_FILE, resolveStoreDir } from './layout.ts';
import type { StoreManifest } from './manifest.ts';
import { facesFromArrow, photosFromArrow, type PhotoRecord, type StoredFace } from './schema.ts';

export interface FaceStore {
  /** The store folder. */
  dir: string;
  manifest: StoreManifest;
  /** One record per photo, sorted by path. */
  photos: PhotoRecord[];
  /** One record per face, sorted by path then face index. */
  faces: StoredFace[];
  /** `faces[i].embedding`, for clustering. */
  embeddings: Float32Array[];
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
    const p = photosFromArrow(await readFile(join(storeDir, PHOTOS_FILE)));
    const f = existsSync(join(storeDir, FACES_FILE)) ? facesFromArrow(await readFile(join(storeDir, FACES_FILE))) : [];
    add(p, f);
  }
  for (const name of await committedBatches(storeDir)) {
    const dir = join(storeDir, BATCHES_DIR);
    const p = photosFromArrow(await readFile(join(dir, `${name}.photos.arrow`)));
    const facesPath = join(dir, `${name}.faces.arrow`);
    const f = existsSync(facesPath) ? facesFromArrow(await readFile(facesPath)) : [];
    add(p, f);
  }
  const paths = [...photos.keys()].sort();
  return {
    photos: paths.map((p) => photos.get(p)!),
    faces: paths.flatMap((p) => (faces.get(p) ?? []).sort((a, b) => a.faceIndex - b.faceIndex)),
  };
}

/** Opens a face store: `dir` is the store folder or the photo folder that holds `.facecluster/`. */
export async function openStore(dir: string): Promise<FaceStore> {
  const storeDir = resolveStoreDir(dir);
  const manifest = await readManifest(storeDir);
  const { photos, faces } = await readTables(storeDir);
  return { dir: storeDir, manifest, photos, faces, embeddings: faces.map((f) => f.embedding), labels: faces.map((f) => f.label), paths: faces.map((f) => f.path) };
}

/** The faces of a store (see {@link openStore}). */
export async function readFaces(dir: string): Promise<StoredFace[]> {
  return (await openStore(dir)).faces;
}
