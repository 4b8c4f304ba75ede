/**
 * The labelled collections the transfer and embedder benchmarks score on, each a face store encoded with the
 * default pipeline from `$FACECLUSTER_DATA`: all of LFW (`lfw-deepfunneled`, the face nearest each photo's
 * centre, as LFW's protocol names the centred person), `lfw-subset/120faces` and `devsets/{pins,yale,celeba}`
 * (the largest face of each photo; the photo's folder name is its identity). For resnet128 on LFW, when no LFW
 * store exists, the shared precomputed face-api embeddings are used instead.
 *
 * The stores are caches outside the repository: `$FACECLUSTER_CACHE/stores/<name>` (default `cache/stores/<name>`
 * beside the checkout, see `cacheDir()`); `npm run data:encode` (data/encode-collections.ts) or
 * `bench:transfer -- --encode` makes them with {@link encodeCollection}.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_EMBEDDER, encodeFolder, loadPrecomputedEmbeddings, encodeLabels, openStore, type EmbedderName, type EncodeFolderSummary } from '../lib/index.ts';
import { findData, PROJECT_ROOT } from '../lib/paths.ts';

export interface Collection {
  name: string;
  embeddings: Float32Array[];
  labels: Int32Array;
  /** Photo path of each face (relative to the collection folder). */
  paths: string[];
  /** Where the vectors came from: the store's embedder (or `precomputed resnet128`). */
  embedder: string;
}

/** The collections of the transfer table, by name: the data folder each is encoded from, and which face of a photo is its labelled one. */
export const COLLECTIONS: Readonly<Record<string, { folder: string; face: 'centre' | 'largest' }>> = Object.freeze({
  lfw: { folder: 'lfw-deepfunneled', face: 'centre' },
  '120faces': { folder: 'lfw-subset/120faces', face: 'largest' },
  pins: { folder: 'devsets/pins', face: 'largest' },
  yale: { folder: 'devsets/yale', face: 'largest' },
  celeba: { folder: 'devsets/celeba', face: 'largest' },
});

/** Where the benchmarks keep their encoded stores: `$FACECLUSTER_CACHE`, else `cache/` beside the checkout. */
export function cacheDir(): string {
  return process.env.FACECLUSTER_CACHE ? resolve(process.env.FACECLUSTER_CACHE) : resolve(PROJECT_ROOT, '..', 'cache');
}

export function storeDirOf(name: string): string {
  return join(cacheDir(), 'stores', name);
}

/**
 * Loads one collection with the vectors of `embedder` (a name among its store's, or a fusion `a+b`; default the
 * store's main embedder); null when its store is missing (or lacks that embedder: `missing` says why).
 */
export async function loadCollection(name: string, embedder?: string): Promise<Collection | null> {
  const spec = COLLECTIONS[name];
  if (!spec) throw new Error(`loadCollection: name must be one of ${Object.keys(COLLECTIONS).join(', ')}, got ${JSON.stringify(name)}.`);
  const dir = storeDirOf(name);
  if (!existsSync(join(dir, 'manifest.json'))) {
    if (name === 'lfw' && (embedder === undefined || embedder === 'resnet128')) {
      const file = findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl');
      if (!file) return null;
      const d = await loadPrecomputedEmbeddings({ file });
      return { name, embeddings: d.embeddings, labels: d.labels, paths: d.files, embedder: 'precomputed resnet128' };
    }
    return null;
  }
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(dir, { embedder });
  } catch {
    return null; // the store lacks that embedder
  }
  const size = new Map(store.photos.map((p) => [p.path, p]));
  const score = (i: number): number => {
    const b = store.faces[i].box;
    if (spec.face === 'largest') return b.width * b.height;
    const p = size.get(store.faces[i].path);
    const w = p?.width ?? 0, h = p?.height ?? 0;
    return -Math.hypot(b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2);
  };
  const best = new Map<string, number>();
  store.faces.forEach((f, i) => {
    const j = best.get(f.path);
    if (j === undefined || score(i) > score(j)) best.set(f.path, i);
  });
  const idx = [...best.values()].sort((a, b) => a - b);
  return {
    name,
    embeddings: idx.map((i) => store.embeddings[i]),
    labels: encodeLabels(idx.map((i) => String(store.labels[i] ?? store.faces[i].path.split('/')[0]))),
    paths: idx.map((i) => store.paths[i]),
    embedder: store.embedder,
  };
}

/**
 * Encodes collection `name` from `$FACECLUSTER_DATA` into its store with the default pipeline and `embedders`
 * (default: the default embedder, then resnet128); a rerun adds only new photos or missing embedders. Null when
 * the collection's folder is not in the data folder.
 */
export async function encodeCollection(name: string, embedders?: EmbedderName[], onProgress?: (done: number, total: number) => void): Promise<EncodeFolderSummary | null> {
  const spec = COLLECTIONS[name];
  if (!spec) throw new Error(`encodeCollection: name must be one of ${Object.keys(COLLECTIONS).join(', ')}, got ${JSON.stringify(name)}.`);
  const folder = findData(spec.folder);
  if (!folder) return null;
  const [embedder, ...extraEmbedders] = embedders ?? [...new Set<EmbedderName>([DEFAULT_EMBEDDER, 'resnet128'])];
  return encodeFolder(folder, { out: storeDirOf(name), embedder, extraEmbedders }, onProgress);
}
