/**
 * Face-level recall and precision by face size: `npm run bench:detect [-- --mosaics N] [--photos N] [--seed S]
 * [--detector NAME[,NAME]]`.
 *
 * Group photos are made as LFW mosaics (lib/datasets/mosaic.ts): 2x2 to 8x8 grids of deep-funneled LFW photos
 * laid out as one image, each tile a photo resized so that its face is 12 to 150 px high (log-uniform; less
 * when the grid would not fit), tiles 0-5 px apart, the grid at a random place on a grey canvas of a photo's
 * size and shape (4:3, landscape or portrait, longer side 480 to 2048 px log-uniform: 2048 is the encoder's
 * working size). Small faces are so in large photos, as in a group photo. Every face of a mosaic is known:
 *
 * Ground truth: each photo's centred face box, as found on the full 250x250 photo by two detectors of different
 * families, UltraFace (whole image, no tiles) and MTCNN; a photo is used only when each finds exactly one face
 * and their boxes overlap (IoU >= 0.5), and tiled UltraFace at score 0.5 finds no other face on the photo enlarged
 * 3x on a grey border (faces down to ~7 px of the photo, and faces cut by the frame), so that no second, unlabelled face (LFW photos often show people
 * behind, cut by the frame) can count as a false detection; the box is the mean of the two, scaled into its tile. Its height is the face
 * size of the table (< 20, 20-40, 40-80, > 80 px).
 *
 * A detection is true when it matches a known face one-to-one with IoU >= 0.4 (lib/evaluate/detection.ts).
 * photos/s is detection alone (no decoding: the mosaics are in memory) on this thread, model loading excluded.
 * Rows: `default` (DEFAULT_DETECTOR with its defaults: UltraFace with tiles), `ultraface-alone` (UltraFace,
 * `tileMinFace: 0`: one 320x240 pass, the default before tiles), `mtcnn`, `ssd-mobilenet`, and any registered
 * name given. Prints the load average: others' work on the machine slows photos/s, not recall.
 * `BENCH_DETECT_DUMP=<folder>` also prints each false detection and writes its surroundings there as PNG.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Random } from '../lib/cluster/_input.ts';
import { buildMosaic, type Mosaic, type MosaicTile } from '../lib/datasets/mosaic.ts';
import type { Detector } from '../lib/detect/detector.ts';
import { boxIou } from '../lib/detect/nms.ts';
import { createDetector, DEFAULT_DETECTOR, isDetectorName } from '../lib/detect/registry.ts';
import { matchDetections } from '../lib/evaluate/detection.ts';
import { decodeImage } from '../lib/image/decode.ts';
import { findData } from '../lib/paths.ts';
import sharp from 'sharp';
import type { Box } from '../lib/types.ts';

const { values } = parseArgs({
  options: {
    mosaics: { type: 'string', default: '240' },
    photos: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    detector: { type: 'string', default: 'default,ultraface-alone,mtcnn,ssd-mobilenet' },
  },
});
const lfw = findData('lfw-deepfunneled');
if (!lfw) {
  console.error('bench:detect: lfw-deepfunneled not found (set FACECLUSTER_DATA; see data/README.md).');
  process.exit(2);
}
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const nMosaics = Number(values.mosaics);
const nPhotos = Number(values.photos);
const rng = new Random(Number(values.seed));
const GRIDS = [2, 3, 4, 5, 6, 8];
const BUCKETS = [
  { name: '<20', lo: 0, hi: 20 },
  { name: '20-40', lo: 20, hi: 40 },
  { name: '40-80', lo: 40, hi: 80 },
  { name: '>80', lo: 80, hi: Infinity },
];

async function makeDetector(row: string): Promise<Detector> {
  if (row === 'default') return createDetector(DEFAULT_DETECTOR);
  if (row === 'ultraface-alone') return createDetector('ultraface', { tileMinFace: 0 });
  if (!isDetectorName(row)) throw new Error(`bench:detect: unknown detector ${JSON.stringify(row)}`);
  return createDetector(row);
}

/** One photo per person, people in seeded order; kept when UltraFace and MTCNN agree on exactly one face. */
async function groundTruth(): Promise<MosaicTile[]> {
  const people = readdirSync(lfw!).sort();
  for (let i = people.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    [people[i], people[j]] = [people[j], people[i]];
  }
  const ultra = await createDetector('ultraface', { tileMinFace: 0 });
  const mtcnn = await createDetector('mtcnn');
  const fine = await createDetector('ultraface', { tileMinFace: 20 });
  const tiles: MosaicTile[] = [];
  let tried = 0;
  for (const person of people) {
    if (tiles.length >= nPhotos) break;
    const file = readdirSync(join(lfw!, person)).sort()[0];
    const { image } = await decodeImage(join(lfw!, person, file));
    tried++;
    const a = await ultra.detect(image);
    const b = await mtcnn.detect(image);
    if (a.length !== 1 || b.length !== 1 || boxIou(a[0].box, b[0].box) < 0.5) continue;
    const p = a[0].box, q = b[0].box;
    // no second face, even one cut by the frame: the photo enlarged 3x on a grey border of half its size
    const pad = Math.round(1.5 * image.width);
    const big = await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(3 * image.width, 3 * image.height)
      .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 128, g: 128, b: 128 } })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const inBig = (await fine.detect({ data: new Uint8Array(big.data), width: big.info.width, height: big.info.height }, { minScore: 0.5 })).map((f) => ({ ...f.box, x: (f.box.x - pad) / 3, y: (f.box.y - pad) / 3, width: f.box.width / 3, height: f.box.height / 3 }));
    const others = inBig.filter((b) => boxIou(b, p) < 0.3);
    if (others.length > 0) continue;
    tiles.push({ image, face: { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, width: (p.width + q.width) / 2, height: (p.height + q.height) / 2 } });
  }
  ultra.dispose();
  mtcnn.dispose();
  fine.dispose();
  console.log(`ground truth: ${tiles.length} of ${tried} LFW deep-funneled photos (one per person) where UltraFace and MTCNN each find one face, IoU >= 0.5, and tiled UltraFace at score 0.5 no other face on the photo enlarged 3x with a grey border`);
  return tiles;
}

async function makeMosaics(pool: MosaicTile[]): Promise<Mosaic[]> {
  const meanHeight = pool.reduce((s, t) => s + t.face.height / t.image.height, 0) / pool.length;
  const out: Mosaic[] = [];
  let next = 0;
  for (let m = 0; m < nMosaics; m++) {
    const g = GRIDS[m % GRIDS.length];
    const logUniform = (lo: number, hi: number) => Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo)));
    const long = Math.round(logUniform(480, 2048));
    const short = Math.round((long * 3) / 4);
    const [width, height] = rng.next() < 0.7 ? [long, short] : [short, long];
    const gap = rng.nextInt(6);
    const tile = Math.max(16, Math.min(Math.round(logUniform(12, 150) / meanHeight), Math.floor((Math.min(width, height) - (g - 1) * gap) / g)));
    const grid = g * tile + (g - 1) * gap;
    const tiles = Array.from({ length: g * g }, () => pool[next++ % pool.length]);
    out.push(await buildMosaic(tiles, { columns: g, tileSize: tile, gap, width, height, left: rng.nextInt(width - grid + 1), top: rng.nextInt(height - grid + 1) }));
  }
  return out;
}

interface Tally {
  known: number[];
  found: number[];
  detections: number;
  trueDetections: number;
  /** False detections: a second box on a found face (IoU >= 0.4), a box on a face too far off (0 < IoU < 0.4), a box off every face. */
  falseKinds: { second: number; off: number; away: number };
  seconds: number;
}

async function run(row: string, mosaics: Mosaic[]): Promise<Tally> {
  const det = await makeDetector(row);
  await det.detect(mosaics[0].image); // warm-up
  const t: Tally = { known: BUCKETS.map(() => 0), found: BUCKETS.map(() => 0), detections: 0, trueDetections: 0, falseKinds: { second: 0, off: 0, away: 0 }, seconds: 0 };
  for (const m of mosaics) {
    const t0 = performance.now();
    const faces = await det.detect(m.image);
    t.seconds += (performance.now() - t0) / 1000;
    const match = matchDetections(m.faces, faces.map((f) => f.box), 0.4);
    m.faces.forEach((b: Box, i) => {
      const k = BUCKETS.findIndex((x) => b.height >= x.lo && b.height < x.hi);
      t.known[k]++;
      if (match.truthFound[i]) t.found[k]++;
    });
    t.detections += faces.length;
    t.trueDetections += match.detectionTrue.filter(Boolean).length;
    faces.forEach((f, j) => {
      if (match.detectionTrue[j]) return;
      const best = Math.max(0, ...m.faces.map((b) => boxIou(b, f.box)));
      if (process.env.BENCH_DETECT_DUMP) {
        const inside = Math.max(0, ...faces.filter((_, k) => match.detectionTrue[k]).map((o) => {
          const w = Math.min(o.box.x + o.box.width, f.box.x + f.box.width) - Math.max(o.box.x, f.box.x);
          const h = Math.min(o.box.y + o.box.height, f.box.y + f.box.height) - Math.max(o.box.y, f.box.y);
          return w > 0 && h > 0 ? (w * h) / Math.min(o.box.width * o.box.height, f.box.width * f.box.height) : 0;
        }));
        console.log(`false ${row} score ${f.score.toFixed(2)} iouGT ${best.toFixed(2)} insideTrue ${inside.toFixed(2)} h ${f.box.height.toFixed(0)} image ${m.image.width}x${m.image.height}`);
        dumps.push({ mosaic: m, box: f.box, score: f.score, best, row });
      }
      if (best >= 0.4) t.falseKinds.second++;
      else if (best > 0) t.falseKinds.off++;
      else t.falseKinds.away++;
    });
  }
  det.dispose();
  return t;
}

const dumps: { mosaic: Mosaic; box: Box; score: number; best: number; row: string }[] = [];
const pool = await groundTruth();
const mosaics = await makeMosaics(pool);
const faces = mosaics.reduce((s, m) => s + m.faces.length, 0);
const side = mosaics.map((m) => Math.max(m.image.width, m.image.height)).sort((a, b) => a - b);
console.log(`${mosaics.length} mosaics (grids ${GRIDS.join(', ')}), ${faces} faces; longer side median ${side[side.length >> 1]} px, range ${side[0]}-${side[side.length - 1]} px`);
const pct = (a: number, b: number) => (b === 0 ? '   -  ' : (a / b).toFixed(3).padStart(6));
console.log(`\n| detector | ${BUCKETS.map((b) => `recall ${b.name} px`).join(' | ')} | recall all | precision | false: second / off / away | photos/s | load (1/5/15 min) |`);
console.log(`|---|${BUCKETS.map(() => '---:').join('|')}|---:|---:|---:|---:|---|`);
for (const row of values.detector!.split(',')) {
  const before = load();
  const t = await run(row, mosaics);
  const cells = BUCKETS.map((_, k) => `${pct(t.found[k], t.known[k])} (${t.found[k]}/${t.known[k]})`);
  const all = t.found.reduce((a, b) => a + b, 0);
  console.log(`| ${row} | ${cells.join(' | ')} | ${pct(all, faces)} | ${pct(t.trueDetections, t.detections)} (${t.trueDetections}/${t.detections}) | ${t.falseKinds.second} / ${t.falseKinds.off} / ${t.falseKinds.away} | ${(mosaics.length / t.seconds).toFixed(1)} | ${before} |`);
}

if (process.env.BENCH_DETECT_DUMP) {
  const sharp = (await import('sharp')).default;
  const dir = process.env.BENCH_DETECT_DUMP;
  for (const [i, d] of dumps.entries()) {
    const { image } = d.mosaic;
    const pad = Math.max(d.box.width, d.box.height);
    const x = Math.max(0, Math.floor(d.box.x - pad)), y = Math.max(0, Math.floor(d.box.y - pad));
    const w = Math.min(image.width - x, Math.ceil(d.box.width + 2 * pad)), h = Math.min(image.height - y, Math.ceil(d.box.height + 2 * pad));
    await sharp(Buffer.from(image.data), { raw: { width: image.width, height: image.height, channels: 3 } }).extract({ left: x, top: y, width: w, height: h }).resize({ width: 160 }).png().toFile(`${dir}/${d.row}-${i}-s${d.score.toFixed(2)}-iou${d.best.toFixed(2)}-h${Math.round(d.box.height)}.png`);
  }
}
