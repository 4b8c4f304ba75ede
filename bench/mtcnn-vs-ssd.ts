/**
 * MTCNN against face-api's SSD MobileNet v1 on the LFW subset (default lfw-subset/120faces, 234 photos):
 *
 *  1. detection: share of photos where each finds a face; for photos where both do, the IoU of their boxes
 *     of the centred face (the face LFW labels; the one whose box centre is nearest the photo centre);
 *  2. landmarks: mean distance between MTCNN's 5 points and the same points from face-api's 68 landmarks
 *     (eye centre = mean of the 6 eye points 36-41 / 42-47, nose tip = 30, mouth corners = 48, 54; 0-based),
 *     in units of the inter-ocular distance (between face-api's eye centres);
 *  3. embeddings: 1:1 verification accuracy (all pairs, best threshold) of the face-api ResNet embeddings of the
 *     MTCNN-aligned and the SSD-aligned centred faces (same alignment: 5 points -> similarity -> 150 px chip),
 *     and Chinese Whispers / DBSCAN (default options) pairwise and BCubed F on them;
 *  4. speed: detection only (decoded photos in memory), photos/second of mtcnn, ssd-mobilenet and tiny.
 *
 * Usage: npx tsx bench/mtcnn-vs-ssd.ts [--data DIR] [--limit N] [--speed-photos N (default 60)] [--speed-only]
 * Prints the figures; never asserts (tests do that). Check `uptime` before quoting the timings.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chineseWhispers } from '../lib/cluster/chinese-whispers.ts';
import { dbscan } from '../lib/cluster/dbscan.ts';
import { evaluateClustering } from '../lib/evaluate/evaluate.ts';
import { verificationAccuracy } from '../lib/evaluate/verification.ts';
import { findData } from '../lib/paths.ts';
import { createDetector, type DetectorName } from '../lib/detect/registry.ts';
import { decodeImage } from '../lib/image/decode.ts';
import { createFaceEncoder, type PhotoResult } from '../lib/pipeline/face-encoder.ts';
import type { Box, Face, Point } from '../lib/types.ts';

const { values: args } = parseArgs({ options: { data: { type: 'string' }, limit: { type: 'string' }, 'speed-photos': { type: 'string' }, 'speed-only': { type: 'boolean' } } });
const dataDir = args.data ?? findData('lfw-subset/120faces');
if (!dataDir) {
  console.error('mtcnn-vs-ssd: lfw-subset/120faces not found (set FACECLUSTER_DATA or pass --data DIR).');
  process.exit(2);
}

interface Photo {
  file: string;
  identity: string;
}
const photos: Photo[] = [];
for (const identity of readdirSync(dataDir).sort()) {
  const dir = join(dataDir, identity);
  if (!statSync(dir).isDirectory()) continue;
  for (const f of readdirSync(dir).sort()) if (/\.(jpe?g|png)$/i.test(f)) photos.push({ file: join(dir, f), identity });
}
const limit = args.limit ? Number.parseInt(args.limit, 10) : photos.length;
photos.splice(limit);

/** The face whose box centre is nearest the photo centre (LFW labels the centred face). */
function centred(r: PhotoResult): Face | undefined {
  if (r.status !== 'ok' || r.width === undefined || r.height === undefined) return undefined;
  const cx = r.width / 2;
  const cy = r.height / 2;
  let best: Face | undefined;
  let bestD = Infinity;
  for (const f of r.faces) {
    const d = Math.hypot(f.box.x + f.box.width / 2 - cx, f.box.y + f.box.height / 2 - cy);
    if (d < bestD) {
      bestD = d;
      best = f;
    }
  }
  return best;
}

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const h = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

const mean = (ps: Point[]): Point => ({ x: ps.reduce((s, p) => s + p.x, 0) / ps.length, y: ps.reduce((s, p) => s + p.y, 0) / ps.length });
const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);

async function encodeAll(detector: 'mtcnn' | 'ssd-mobilenet'): Promise<{ results: PhotoResult[]; seconds: number; backend: string }> {
  const encoder = await createFaceEncoder({ detector });
  try {
    const results: PhotoResult[] = [];
    const t0 = performance.now();
    for (const p of photos) results.push(await encoder.encodeFile(p.file));
    return { results, seconds: (performance.now() - t0) / 1000, backend: encoder.backend };
  } finally {
    encoder.dispose();
  }
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const f3 = (x: number) => x.toFixed(3);

async function quality(): Promise<void> {
  const mt = await encodeAll('mtcnn');
  const ssd = await encodeAll('ssd-mobilenet');
  console.log(`mtcnn-vs-ssd on ${dataDir}: ${photos.length} photos; ${mt.backend}`);
  console.log(`encode (decode + detect + align + embed), whole pipeline: mtcnn ${(photos.length / mt.seconds).toFixed(2)} photos/s, ssd-mobilenet ${(photos.length / ssd.seconds).toFixed(2)} photos/s`);

  // ---- 1. detection -------------------------------------------------------------------------------------
  const mtFaces = mt.results.map(centred);
  const ssdFaces = ssd.results.map(centred);
  const nMt = mtFaces.filter(Boolean).length;
  const nSsd = ssdFaces.filter(Boolean).length;
  const both = photos.map((_, i) => i).filter((i) => mtFaces[i] && ssdFaces[i]);
  const ious = both.map((i) => iou(mtFaces[i]!.box, ssdFaces[i]!.box));
  const overlapping = both.filter((_, k) => ious[k] >= 0.5);
  console.log('\n1. detection');
  console.log(`   face found: mtcnn ${nMt}/${photos.length} (${pct(nMt / photos.length)}), ssd-mobilenet ${nSsd}/${photos.length} (${pct(nSsd / photos.length)})`);
  console.log(`   mtcnn misses: ${photos.filter((_, i) => !mtFaces[i]).map((p) => p.file.split('/').pop()).join(', ') || 'none'}`);
  console.log(`   both found: ${both.length}; centred-face IoU >= 0.5 in ${overlapping.length}/${both.length} (${pct(overlapping.length / both.length)}); mean IoU ${f3(ious.reduce((a, b) => a + b, 0) / ious.length)}, min ${f3(Math.min(...ious))}`);
  const low = both.filter((_, k) => ious[k] < 0.5);
  if (low.length > 0) console.log(`   IoU < 0.5: ${low.map((i) => `${photos[i].file.split('/').pop()} (${f3(iou(mtFaces[i]!.box, ssdFaces[i]!.box))})`).join(', ')}`);

  // ---- 2. landmarks -------------------------------------------------------------------------------------
  const names = ['left eye', 'right eye', 'nose tip', 'left mouth', 'right mouth'];
  const perPoint = names.map(() => [] as number[]);
  const signed = names.map(() => ({ dx: 0, dy: 0, n: 0 }));
  for (const i of overlapping) {
    const lm68 = ssdFaces[i]!.landmarks68;
    if (!lm68 || lm68.length !== 68) continue;
    const ref = [mean(lm68.slice(36, 42)), mean(lm68.slice(42, 48)), lm68[30], lm68[48], lm68[54]];
    const iod = dist(ref[0], ref[1]);
    const ours = mtFaces[i]!.landmarks5;
    ref.forEach((r, k) => {
      perPoint[k].push(dist(ours[k], r) / iod);
      signed[k].dx += (ours[k].x - r.x) / iod;
      signed[k].dy += (ours[k].y - r.y) / iod;
      signed[k].n++;
    });
  }
  const all = perPoint.flat();
  console.log('\n2. landmarks (MTCNN vs face-api 68-point, photos with IoU >= 0.5)');
  console.log(`   mean error ${pct(all.reduce((a, b) => a + b, 0) / all.length)} of the inter-ocular distance over ${perPoint[0].length} faces x 5 points`);
  console.log(`   per point: ${names.map((n, k) => `${n} ${pct(perPoint[k].reduce((a, b) => a + b, 0) / perPoint[k].length)}`).join(', ')}`);
  console.log(`   mean offset (MTCNN - face-api, x/y): ${names.map((n, k) => `${n} ${pct(signed[k].dx / signed[k].n)}/${pct(signed[k].dy / signed[k].n)}`).join(', ')}`);
  const sorted = [...all].sort((a, b) => a - b);
  console.log(`   median ${pct(sorted[Math.floor(sorted.length / 2)])}, 95th percentile ${pct(sorted[Math.floor(sorted.length * 0.95)])}`);

  // ---- 3. embeddings ------------------------------------------------------------------------------------
  console.log('\n3. embeddings (face-api ResNet-34 128-d, euclidean; all pairs, best threshold)');
  function report(label: string, idx: number[], faces: (Face | undefined)[]) {
    const emb = idx.map((i) => faces[i]!.embedding);
    const labels = idx.map((i) => photos[i].identity);
    const v = verificationAccuracy(emb, labels);
    const cw = evaluateClustering(chineseWhispers(emb).labels, labels);
    const db = evaluateClustering(dbscan(emb).labels, labels);
    console.log(
      `   ${label.padEnd(32)} n=${String(idx.length).padStart(3)} verification ${pct(v.accuracy)} (balanced ${pct(v.balancedAccuracy)}, ${v.nSamePairs} same pairs)` +
        ` | Chinese Whispers pairwise F ${f3(cw.pairwiseF1)} BCubed F ${f3(cw.bcubedF1)} | DBSCAN pairwise F ${f3(db.pairwiseF1)} BCubed F ${f3(db.bcubedF1)}`,
    );
  }
  report('mtcnn, photos both found', both, mtFaces);
  report('ssd-mobilenet, photos both found', both, ssdFaces);
  report('mtcnn, every photo it found', photos.map((_, i) => i).filter((i) => mtFaces[i]), mtFaces);
  report('ssd-mobilenet, every photo found', photos.map((_, i) => i).filter((i) => ssdFaces[i]), ssdFaces);
}

if (!args['speed-only']) await quality();

// ---- 4. speed -----------------------------------------------------------------------------------------
const nSpeed = Math.min(photos.length, args['speed-photos'] ? Number.parseInt(args['speed-photos'], 10) : 60);
const images = await Promise.all(photos.slice(0, nSpeed).map(async (p) => (await decodeImage(p.file)).image));
console.log(`\n4. detection only, ${nSpeed} decoded photos (load average ${(await import('node:os')).loadavg()[0].toFixed(2)} at start)`);
for (const name of ['mtcnn', 'ssd-mobilenet', 'tiny'] as DetectorName[]) {
  const detector = await createDetector(name);
  try {
    await detector.detect(images[0]); // warm-up (kernel compilation)
    const t0 = performance.now();
    for (const image of images) await detector.detect(image);
    const s = (performance.now() - t0) / 1000;
    console.log(`   ${name.padEnd(14)} ${(nSpeed / s).toFixed(2)} photos/s (${((1000 * s) / nSpeed).toFixed(0)} ms a photo)`);
  } finally {
    detector.dispose();
  }
}
