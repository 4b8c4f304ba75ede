/**
 * The labelled collections the transfer benchmark scores on: all of LFW (the precomputed face-api embeddings, the
 * face nearest the image centre), and face stores encoded from `lfw-subset/120faces` and `devsets/{pins,yale,celeba}`
 * with the default pipeline (the largest face of each photo; the photo's folder name is its identity).
 *
 * The stores are caches outside the repository: `$FACECLUSTER_CACHE/stores/<name>` (default `../cache/stores`
 * beside the checkout's parent... see `cacheDir()`); `bench:transfer -- --encode` makes the missing ones with
 * `facecluster encode`.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPrecomputedEmbeddings, encodeLabels, openStore } from '../lib/index.ts';
import { findData, PROJECT_ROOT } from '../lib/paths.ts';

export interface Collection {
  name: string;
  embeddings: Float32Array[];
  labels: Int32Array;
  /** Photo path of each face (relative to the collection folder). */
  paths: string[];
}

/** The collections of the transfer table, by name, with the data folder each is encoded from. */
export const COLLECTIONS: Readonly<Record<string, string | null>> = Object.freeze({
  lfw: null, // precomputed embeddings
  '120faces': 'lfw-subset/120faces',
  pins: 'devsets/pins',
  yale: 'devsets/yale',
  celeba: 'devsets/celeba',
});

/** Where the benchmark keeps its encoded stores: `$FACECLUSTER_CACHE`, else `cache/` beside the checkout. */
export function cacheDir(): string {
  return process.env.FACECLUSTER_CACHE ? resolve(process.env.FACECLUSTER_CACHE) : resolve(PROJECT_ROOT, '..', 'cache');
}

export function storeDirOf(name: string): string {
  return join(cacheDir(), 'stores', name);
}

/** Loads one collection; null when its store (or the precomputed file) is missing. */
export async function loadCollection(name: string): Promise<Collection | null> {
  if (name === 'lfw') {
    const file = findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl');
    if (!file) return null;
    const d = await loadPrecomputedEmbeddings({ file });
    return { name, embeddings: d.embeddings, labels: d.labels, paths: d.files };
  }
  const dir = storeDirOf(name);
  if (!existsSync(join(dir, 'manifest.json'))) return null;
  const store = await openStore(dir);
  // the largest face of each photo
  const best = new Map<string, number>();
  store.faces.forEach((f, i) => {
    const j = best.get(f.path);
    const area = f.box.width * f.box.height;
    if (j === undefined || area > store.faces[j].box.width * store.faces[j].box.height) best.set(f.path, i);
  });
  const idx = [...best.values()].sort((a, b) => a - b);
  return {
    name,
    embeddings: idx.map((i) => store.embeddings[i]),
    labels: encodeLabels(idx.map((i) => String(store.labels[i] ?? store.faces[i].path.split('/')[0]))),
    paths: idx.map((i) => store.paths[i]),
  };
}
