/**
 * Reader for the precomputed face-api embeddings of LFW (`embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl`
 * in the data folder): one JSON line per photo,
 * `{file, identity, width, height, faces: [{box: [x,y,w,h], score, landmarks7, descriptor: [128]}]}`.
 *
 * LFW labels the face at the centre of each photo, so by default the face whose box centre is nearest
 * the image centre is kept; photos without a detected face are skipped (and counted).
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { dataDir } from '../paths.ts';
import type { Box, Embedding } from '../types.ts';

/** A labelled set of embeddings, one per photo. */
export interface LabelledEmbeddings {
  embeddings: Embedding[];
  /** Identity names (the LFW folder name), one per embedding. */
  identities: string[];
  /** Identity as an integer 0..nIdentities-1 (order of first appearance). */
  labels: Int32Array;
  /** Photo path relative to the LFW root, e.g. `AJ_Cook/AJ_Cook_0001.jpg`. */
  files: string[];
  boxes: Box[];
  /** Photos of the file that had no detected face (skipped). */
  skippedNoFace: number;
}

export interface LoadPrecomputedOptions {
  /** JSONL path. @default `<FACECLUSTER_DATA>/embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl` */
  file: string;
  /** Keep only identities with at least this many photos (after skipping photos with no face). @default 1 */
  minPhotosPerIdentity: number;
  /** Keep at most this many photos (the first ones of the file, before the identity filter). @default Infinity */
  limit: number;
}

export const LOAD_PRECOMPUTED_DEFAULTS: Readonly<LoadPrecomputedOptions> = Object.freeze({
  file: '',
  minPhotosPerIdentity: 1,
  limit: Infinity,
});

/** Default path of the precomputed LFW embeddings. */
export function precomputedEmbeddingsPath(): string {
  return join(dataDir(), 'embeddings', 'lfw-deepfunneled.faceapi-resnet128.jsonl');
}

/** Loads the precomputed LFW embeddings (about 1.5 s for all 13,233 lines). */
export async function loadPrecomputedEmbeddings(options?: Partial<LoadPrecomputedOptions>): Promise<LabelledEmbeddings> {
  const fn = 'loadPrecomputedEmbeddings';
  const o = resolveOptions(fn, LOAD_PRECOMPUTED_DEFAULTS, options);
  const file = o.file || precomputedEmbeddingsPath();
  if (!existsSync(file)) {
    throw new FaceclusterError(fn, `file must be an existing JSONL file, got ${JSON.stringify(file)} (set FACECLUSTER_DATA to the data folder).`, 'file');
  }
  const rows: { file: string; identity: string; box: Box; embedding: Embedding }[] = [];
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (rows.length + skipped >= o.limit) break;
    const rec = JSON.parse(line) as {
      file: string; identity: string; width: number; height: number;
      faces: { box: [number, number, number, number]; descriptor: number[] }[];
    };
    if (!rec.faces || rec.faces.length === 0) { skipped++; continue; }
    const cx = rec.width / 2;
    const cy = rec.height / 2;
    let best = rec.faces[0];
    let bestD = Infinity;
    for (const f of rec.faces) {
      const d = (f.box[0] + f.box[2] / 2 - cx) ** 2 + (f.box[1] + f.box[3] / 2 - cy) ** 2;
      if (d < bestD) { bestD = d; best = f; }
    }
    rows.push({
      file: rec.file,
      identity: rec.identity,
      box: { x: best.box[0], y: best.box[1], width: best.box[2], height: best.box[3] },
      embedding: Float32Array.from(best.descriptor),
    });
  }
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.identity, (counts.get(r.identity) ?? 0) + 1);
  const kept = rows.filter((r) => (counts.get(r.identity) ?? 0) >= o.minPhotosPerIdentity);
  const ids = new Map<string, number>();
  const labels = new Int32Array(kept.length);
  kept.forEach((r, i) => {
    let id = ids.get(r.identity);
    if (id === undefined) { id = ids.size; ids.set(r.identity, id); }
    labels[i] = id;
  });
  return {
    embeddings: kept.map((r) => r.embedding),
    identities: kept.map((r) => r.identity),
    labels,
    files: kept.map((r) => r.file),
    boxes: kept.map((r) => r.box),
    skippedNoFace: skipped,
  };
}

/** Maps string labels to integers 0..k-1 in order of first appearance. */
export function encodeLabels(names: readonly string[]): Int32Array {
  const ids = new Map<string, number>();
  const out = new Int32Array(names.length);
  names.forEach((n, i) => {
    let id = ids.get(n);
    if (id === undefined) { id = ids.size; ids.set(n, id); }
    out[i] = id;
  });
  return out;
}
