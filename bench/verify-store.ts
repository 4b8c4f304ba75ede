/**
 * LFW 10-fold verification from a face store: `npx tsx bench/verify-store.ts <store of lfw-deepfunneled>`.
 *
 * For the pairs of `lfw-pairs.txt` whose two photos are in the store (all 6,000 once the whole of LFW is encoded),
 * the distance between the stored embeddings of the face nearest each photo's centre, scored by `lfwTenFold`
 * (threshold chosen on 9 folds, tested on the 10th). The same pairs are scored with the shared precomputed face-api
 * descriptors (SSD MobileNet at score 0.3, face-api's own crop) beside it. So the default pipeline (detector,
 * landmarks, alignment, embedder), as `facecluster encode` ran it, is checked against the usual protocol without
 * encoding again. Prints the load average; never asserts.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { lfwTenFold, parseLfwPairs } from '../lib/evaluate/lfw-pairs.ts';
import { findData } from '../lib/paths.ts';
import { openStore } from '../lib/store/read.ts';

const storeDir = process.argv[2];
const pairsFile = findData('lfw-pairs.txt');
const precomputed = findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl');
if (!storeDir || !pairsFile || !precomputed) {
  console.error('usage: npx tsx bench/verify-store.ts <store of lfw-deepfunneled>  (needs lfw-pairs.txt and the precomputed embeddings in FACECLUSTER_DATA)');
  process.exit(2);
}
const store = await openStore(storeDir);
const pairs = parseLfwPairs(readFileSync(pairsFile, 'utf8'));
const inStore = new Set(store.photos.map((p) => p.path));

/** Per photo, the embedding of the face nearest the image centre. */
function centred(faces: Iterable<{ path: string; cx: number; cy: number; w: number; h: number; e: Float32Array }>): Map<string, Float32Array> {
  const best = new Map<string, { e: Float32Array; d: number }>();
  for (const f of faces) {
    const d = Math.hypot(f.cx - f.w / 2, f.cy - f.h / 2);
    const b = best.get(f.path);
    if (!b || d < b.d) best.set(f.path, { e: f.e, d });
  }
  return new Map([...best].map(([k, v]) => [k, v.e]));
}
const ours = centred(store.faces.map((f) => ({ path: f.path, cx: f.box.x + f.box.width / 2, cy: f.box.y + f.box.height / 2, w: f.imageWidth, h: f.imageHeight, e: f.embedding })));
const theirs: { path: string; cx: number; cy: number; w: number; h: number; e: Float32Array }[] = [];
for await (const line of createInterface({ input: createReadStream(precomputed) })) {
  if (!line.trim()) continue;
  const r = JSON.parse(line) as { file: string; width: number; height: number; faces: { box: number[]; descriptor: number[] }[] };
  for (const f of r.faces) theirs.push({ path: r.file, cx: f.box[0] + f.box[2] / 2, cy: f.box[1] + f.box[3] / 2, w: r.width, h: r.height, e: Float32Array.from(f.descriptor) });
}
const reference = centred(theirs);

const sub = pairs.filter((p) => inStore.has(p.a) && inStore.has(p.b));
const distance = (m: Map<string, Float32Array>, a: string, b: string): number => {
  const x = m.get(a), y = m.get(b);
  if (!x || !y) return NaN;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s);
};
console.log(`verify-store  ${storeDir}: ${store.photos.length} photos (${store.photos.filter((p) => p.status === 'ok').length} with a face), ${store.faces.length} faces; ` +
  `pairs with both photos in the store: ${sub.length} of ${pairs.length} over ${new Set(sub.map((p) => p.fold)).size} folds; load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
// all those pairs, then only the pairs where both sources have a face in both photos (the embeddings compared alone)
const both = sub.filter((p) => [ours, reference].every((m) => m.has(p.a) && m.has(p.b)));
for (const [label, set] of [['all', sub], [`both found (${both.length})`, both]] as const) {
  for (const [name, m] of [['this store', ours], ['precomputed SSD 0.3 + face-api crop', reference]] as const) {
    const r = lfwTenFold(set, set.map((p) => distance(m, p.a, p.b)));
    console.log(`${label.padEnd(18)} ${name.padEnd(36)} 10-fold accuracy ${(100 * r.mean).toFixed(2)}% ± ${(100 * r.std).toFixed(2)}  pairs without a face (counted wrong) ${r.missing}`);
  }
}
