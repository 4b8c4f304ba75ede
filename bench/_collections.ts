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
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_EMBEDDER, encodeFolder, loadPrecomputedEmbeddings, encodeLabels, openStore, type EmbedderName, type EncodeFolderSummary } from '../lib/index.ts';
import { findData, PROJECT_ROOT } from '../lib/paths.ts';

export interface Collection {
  name: string;
  /** The faces clustered: the labelled face of each photo (`faces: 'labelled'`), or every face found (`'all'`). */
  embeddings: Float32Array[];
  /** Identity of each labelled face, aligned with `labelled`. */
  labels: Int32Array;
  /** Index in `embeddings` of each photo's labelled face (0..n-1 when only those were loaded). */
  labelled: Int32Array;
  /** Photo path of each face of `embeddings` (relative to the collection folder). */
  paths: string[];
  /** Box side (sqrt of its area, in the photo's pixels) of each face of `embeddings`. */
  sides: Float64Array;
  /** Where the vectors came from: the store's embedder (or `precomputed resnet128`). */
  embedder: string;
  /** Quality score of each face of `embeddings` (`faceQuality`; NaN: none), or null when the store has none. */
  quality: Float32Array | null;
}

export interface CollectionSpec {
  /** The data folder (under `$FACECLUSTER_DATA`) its photos come from. */
  folder: string;
  /** Which face of a photo is its labelled one: the one nearest the centre (LFW's protocol) or the largest. */
  face: 'centre' | 'largest';
  /** A view of another collection's store (no encode of its own). */
  store?: string;
  /** Only the photos of people with exactly one photo (the right answer: everyone alone). */
  onePhotoPeople?: boolean;
  /** The photos are first downscaled to this side (a copy in the cache), faces about 45 px at 100: poor faces. */
  downscale?: number;
}

/** The collections of the transfer table, by name. */
export const COLLECTIONS: Readonly<Record<string, CollectionSpec>> = Object.freeze({
  lfw: { folder: 'lfw-deepfunneled', face: 'centre' },
  '120faces': { folder: 'lfw-subset/120faces', face: 'largest' },
  pins: { folder: 'devsets/pins', face: 'largest' },
  yale: { folder: 'devsets/yale', face: 'largest' },
  celeba: { folder: 'devsets/celeba', face: 'largest' },
  families: { folder: 'devsets/families', face: 'largest' },
  'lfw-one-photo': { folder: 'lfw-deepfunneled', face: 'centre', store: 'lfw', onePhotoPeople: true },
  'lfw-small': { folder: 'lfw-deepfunneled', face: 'centre', downscale: 100 },
});

/** Where the benchmarks keep their encoded stores: `$FACECLUSTER_CACHE`, else `cache/` beside the checkout. */
export function cacheDir(): string {
  return process.env.FACECLUSTER_CACHE ? resolve(process.env.FACECLUSTER_CACHE) : resolve(PROJECT_ROOT, '..', 'cache');
}

export function storeDirOf(name: string): string {
  return join(cacheDir(), 'stores', COLLECTIONS[name]?.store ?? name);
}

function specOf(fn: string, name: string): CollectionSpec {
  const spec = COLLECTIONS[name];
  if (!spec) throw new Error(`${fn}: name must be one of ${Object.keys(COLLECTIONS).join(', ')}, got ${JSON.stringify(name)}.`);
  return spec;
}

/**
 * Loads one collection with the vectors of `embedder` (a name among its store's, or a fusion `a+b`; default the
 * store's main embedder): the labelled face of each photo, or with `faces: 'all'` every face found (as `run`
 * clusters them), the labelled ones marked. Null when its store is missing (or lacks that embedder).
 */
export async function loadCollection(name: string, embedder?: string, faces: 'labelled' | 'all' = 'labelled'): Promise<Collection | null> {
  const spec = specOf('loadCollection', name);
  const dir = storeDirOf(name);
  if (!existsSync(join(dir, 'manifest.json'))) {
    if (name === 'lfw' && faces === 'labelled' && (embedder === undefined || embedder === 'resnet128')) {
      const file = findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl');
      if (!file) return null;
      const d = await loadPrecomputedEmbeddings({ file });
      return { name, embeddings: d.embeddings, labels: d.labels, labelled: Int32Array.from(d.labels, (_, i) => i), paths: d.files, sides: new Float64Array(d.files.length), embedder: 'precomputed resnet128', quality: null };
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
  const identity = (i: number) => String(store.labels[i] ?? store.faces[i].path.split('/')[0]);
  let keep = (_i: number) => true;
  if (spec.onePhotoPeople) {
    const photosOf = new Map<string, Set<string>>();
    for (const p of store.photos) {
      const who = p.path.split('/')[0];
      if (!photosOf.has(who)) photosOf.set(who, new Set());
      photosOf.get(who)!.add(p.path);
    }
    keep = (i) => photosOf.get(store.faces[i].path.split('/')[0])?.size === 1;
  }
  const score = (i: number): number => {
    const b = store.faces[i].box;
    if (spec.face === 'largest') return b.width * b.height;
    const p = size.get(store.faces[i].path);
    const w = p?.width ?? 0, h = p?.height ?? 0;
    return -Math.hypot(b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2);
  };
  const best = new Map<string, number>();
  store.faces.forEach((f, i) => {
    if (!keep(i)) return;
    const j = best.get(f.path);
    if (j === undefined || score(i) > score(j)) best.set(f.path, i);
  });
  const labelledIdx = [...best.values()].sort((a, b) => a - b);
  const idx = faces === 'all' ? store.faces.map((_, i) => i).filter(keep) : labelledIdx;
  const position = new Map(idx.map((i, k) => [i, k]));
  return {
    name,
    embeddings: idx.map((i) => store.embeddings[i]),
    labels: encodeLabels(labelledIdx.map(identity)),
    labelled: Int32Array.from(labelledIdx, (i) => position.get(i)!),
    paths: idx.map((i) => store.paths[i]),
    sides: Float64Array.from(idx, (i) => Math.sqrt(store.faces[i].box.width * store.faces[i].box.height)),
    embedder: store.embedder,
    quality: idx.some((i) => store.faces[i].quality !== undefined) ? Float32Array.from(idx, (i) => store.faces[i].quality ?? NaN) : null,
  };
}

/** The photo folder a collection is encoded from: the data folder, or its downscaled copy in the cache (made on first use). */
async function photoFolderOf(name: string, spec: CollectionSpec): Promise<string | null> {
  const folder = findData(spec.folder);
  if (!folder || !spec.downscale) return folder ?? null;
  const out = join(cacheDir(), 'photos', name);
  const done = join(cacheDir(), 'photos', `${name}.complete`);
  if (existsSync(done)) return out;
  const { default: sharp } = await import('sharp');
  for (const who of readdirSync(folder, { withFileTypes: true })) {
    if (!who.isDirectory()) continue;
    mkdirSync(join(out, who.name), { recursive: true });
    for (const f of readdirSync(join(folder, who.name))) {
      const target = join(out, who.name, f);
      if (!existsSync(target)) await sharp(join(folder, who.name, f)).resize(spec.downscale, spec.downscale, { fit: 'inside' }).jpeg({ quality: 90 }).toFile(target);
    }
  }
  writeFileSync(done, '');
  return out;
}

/**
 * Encodes collection `name` from `$FACECLUSTER_DATA` into its store with the default pipeline and `embedders`
 * (default: the default embedder, then resnet128); a rerun adds only new photos or missing embedders. Null when
 * the collection's folder is not in the data folder.
 */
export async function encodeCollection(name: string, embedders?: EmbedderName[], onProgress?: (done: number, total: number) => void): Promise<EncodeFolderSummary | null> {
  const spec = specOf('encodeCollection', name);
  if (spec.store) return encodeCollection(spec.store, embedders, onProgress);
  const folder = await photoFolderOf(name, spec);
  if (!folder) return null;
  const [embedder, ...extraEmbedders] = embedders ?? [...new Set<EmbedderName>([DEFAULT_EMBEDDER, 'resnet128'])];
  return encodeFolder(folder, { out: storeDirOf(name), embedder, extraEmbedders }, onProgress);
}
