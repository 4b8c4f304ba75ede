/**
 * LFW 10-fold verification (`lfw-pairs.txt`, the deep-funneled photos): for each of the 6,000 pairs the distance
 * between the embeddings of the face nearest each photo's centre; the threshold chosen on 9 folds is tested on
 * the 10th (lib/evaluate/lfw-pairs.ts). Pairs whose photo has no face count as wrong, and their number is printed.
 *
 * Usage:
 *   npm run bench:verify -- --embedder mobilefacenet512 --detector mtcnn
 *   npm run bench:verify -- --embedder resnet128,mobilefacenet512,resnet128+mobilefacenet512 --detector precomputed
 *   --cache DIR   where detections and embeddings are kept between runs (default out/verify-cache)
 *   --limit N     only the first N pairs of each fold (a quick look; not the protocol)
 *   --fallback D  with --detector precomputed: run detector D on the photos where the precomputed SSD found no face
 *   --landmarker L  the 68-point landmarker for detectors without landmarks (faceapi68, faceplugin68; default the
 *                 encoder's); detections are cached per detector and landmarker
 *   --points5 P   5 points from the cached 68: `centres` (landmarks5From68, the encoder's) or `faceplugin` (the
 *                 faceplugin package's own: 4 eyelid points per eye, mouth corners averaged with the inner ones)
 *   --flip        embed with flip test-time augmentation (`flip: true`) the embedders that have it (mobilefacenet512;
 *                 in a fusion, that part), cached apart
 *
 * Detectors: `ssd-mobilenet`, `tiny`, `mtcnn` run here (detections cached per detector, so each further embedder
 * only decodes, aligns and embeds); `precomputed` takes the SSD MobileNet detections (minimum score 0.3) of the
 * shared `embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl` (5 points from its 7: eye corners averaged), and
 * for `resnet128` its descriptors as they are (face-api's own crop).
 * A fusion `a+b` uses the cached vectors of a and b. Encoding runs in this one thread: run it with `nice`.
 * Prints the load average with every timing; never asserts.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { normCrop } from '../lib/align/norm-crop.ts';
import { DEFAULT_LANDMARKER, LANDMARKER_NAMES, type LandmarkerName } from '../lib/detect/landmarkers.ts';
import { DETECTOR_NAMES } from '../lib/detect/registry.ts';
import { fuseEmbeddings, fusionParts } from '../lib/embed/fusion.ts';
import { createEmbedder, EMBEDDER_NAMES, type EmbedderName } from '../lib/embed/registry.ts';
import { lfwTenFold, parseLfwPairs } from '../lib/evaluate/lfw-pairs.ts';
import { decodeImage } from '../lib/image/decode.ts';
import { findData, PROJECT_ROOT } from '../lib/paths.ts';
import { createFaceEncoder } from '../lib/pipeline/face-encoder.ts';
import type { Landmarks5, Point } from '../lib/types.ts';

const { values: args } = parseArgs({
  options: {
    embedder: { type: 'string', default: 'mobilefacenet512' },
    detector: { type: 'string', default: 'precomputed' },
    cache: { type: 'string' },
    limit: { type: 'string' },
    fallback: { type: 'string' },
    flip: { type: 'boolean', default: false },
    landmarker: { type: 'string' },
    points5: { type: 'string', default: 'centres' },
  },
});

const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s: string) => console.log(s);
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

const lfw = findData('lfw-deepfunneled');
const pairsFile = findData('lfw-pairs.txt');
if (!lfw || !pairsFile) {
  console.error('bench:verify needs lfw-deepfunneled/ and lfw-pairs.txt in FACECLUSTER_DATA (see data/README.md).');
  process.exit(2);
}
const detector = args.detector!;
if (detector !== 'precomputed' && !(DETECTOR_NAMES as readonly string[]).includes(detector)) {
  console.error(`bench:verify: --detector must be precomputed or one of ${DETECTOR_NAMES.join(', ')}, got ${JSON.stringify(detector)}.`);
  process.exit(2);
}
const requested = args.embedder!.split(',');
for (const e of requested.flatMap(fusionParts)) {
  if (!(EMBEDDER_NAMES as readonly string[]).includes(e)) {
    console.error(`bench:verify: --embedder must be names (or fusions a+b) of ${EMBEDDER_NAMES.join(', ')}, got ${JSON.stringify(e)}.`);
    process.exit(2);
  }
}
/** Embedders with a `flip` option (flip test-time augmentation). */
const FLIPPABLE: readonly string[] = ['mobilefacenet512'];
if (args.flip && !requested.flatMap(fusionParts).some((e) => FLIPPABLE.includes(e))) {
  console.error(`bench:verify: --flip needs one of ${FLIPPABLE.join(', ')} among the embedders, got --embedder ${JSON.stringify(args.embedder)}.`);
  process.exit(2);
}
/** Whether embedder `name` runs with flip (--flip, and it has the option); fusions flip their flippable parts. */
const flips = (name: string) => args.flip === true && FLIPPABLE.includes(name);
const landmarker = args.landmarker;
if (landmarker !== undefined && (detector === 'precomputed' || !(LANDMARKER_NAMES as readonly string[]).includes(landmarker))) {
  console.error(`bench:verify: --landmarker must be one of ${LANDMARKER_NAMES.join(', ')} with a detector other than precomputed, got ${JSON.stringify(landmarker)} with ${detector}.`);
  process.exit(2);
}
const points5 = args.points5!;
if (!['centres', 'faceplugin'].includes(points5) || (points5 !== 'centres' && detector === 'precomputed')) {
  console.error(`bench:verify: --points5 must be centres or faceplugin (the latter not with precomputed), got ${JSON.stringify(points5)}.`);
  process.exit(2);
}
const detectorKey = landmarker && landmarker !== DEFAULT_LANDMARKER ? `${detector}+${landmarker}` : detector;
const cacheDir = join(resolve(args.cache ?? join(PROJECT_ROOT, 'out', 'verify-cache')), detectorKey);
const detectorLabel = `${args.fallback ? `${detector} + ${args.fallback}` : detector}${landmarker ? ` (${landmarker})` : ''}${points5 !== 'centres' ? ` [5 points: ${points5}]` : ''}`;
mkdirSync(cacheDir, { recursive: true });

let pairs = parseLfwPairs(readFileSync(pairsFile, 'utf8'));
if (args.limit) {
  const n = Number(args.limit);
  pairs = pairs.filter((p, i) => i % 600 < n / 2 || (i % 600 >= 300 && i % 600 < 300 + n / 2));
}
const photos = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
log(`bench:verify  ${pairs.length} pairs, ${photos.length} photos  detector ${detector}  cache ${cacheDir}  load ${load()}`);

// ---- detections: the face nearest the centre of each photo, 5 points in original pixels (null: no face) ----
type Found = { landmarks5: Landmarks5; landmarks68?: Point[] } | null;
const nearestCentre = <T extends { box: { x: number; y: number; width: number; height: number } }>(faces: T[], w: number, h: number): T | undefined =>
  faces.reduce<T | undefined>((best, f) => {
    const d = (g: T) => Math.hypot(g.box.x + g.box.width / 2 - w / 2, g.box.y + g.box.height / 2 - h / 2);
    return !best || d(f) < d(best) ? f : best;
  }, undefined);

const detectionsFile = join(cacheDir, 'detections.json');
const detections: Record<string, Found> = existsSync(detectionsFile) ? JSON.parse(readFileSync(detectionsFile, 'utf8')) : {};
/** resnet128 descriptors of the precomputed file (face-api's own crop). */
const precomputedResnet = new Map<string, Float32Array>();
if (detector === 'precomputed') {
  const file = findData('embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl');
  if (!file) {
    console.error('bench:verify --detector precomputed needs embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl in FACECLUSTER_DATA.');
    process.exit(2);
  }
  const want = new Set(photos);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { file: string; width: number; height: number; faces: { box: number[]; landmarks7: number[][]; descriptor: number[] }[] };
    if (!want.has(r.file)) continue;
    const f = nearestCentre(r.faces.map((x) => ({ ...x, box: { x: x.box[0], y: x.box[1], width: x.box[2], height: x.box[3] } })), r.width, r.height);
    if (!f) {
      detections[r.file] = null;
      continue;
    }
    const p = f.landmarks7.map(([x, y]): Point => ({ x, y }));
    const mid = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
    detections[r.file] = { landmarks5: [mid(p[0], p[1]), mid(p[2], p[3]), p[4], p[5], p[6]] };
    precomputedResnet.set(r.file, Float32Array.from(f.descriptor));
  }
  for (const p of photos) if (!(p in detections)) detections[p] = null;
  const fallback = args.fallback;
  if (fallback) {
    if (!(DETECTOR_NAMES as readonly string[]).includes(fallback)) {
      console.error(`bench:verify: --fallback must be one of ${DETECTOR_NAMES.join(', ')}, got ${JSON.stringify(fallback)}.`);
      process.exit(2);
    }
    const file = join(cacheDir, `fallback-${fallback}.json`);
    const found: Record<string, Found> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
    const todo = photos.filter((p) => detections[p] === null && !(p in found));
    if (todo.length > 0) {
      const enc = await createFaceEncoder({ detector: fallback as never, embedder: 'mobileface' });
      const t0 = performance.now();
      for (const p of todo) {
        const r = await enc.encodeFile(join(lfw, p));
        const f = r.status === 'ok' ? nearestCentre(r.faces, r.width, r.height) : undefined;
        found[p] = f ? { landmarks5: f.landmarks5 } : null;
      }
      enc.dispose();
      writeFileSync(file, JSON.stringify(found));
      log(`  ${fallback} on the ${todo.length} photos without a precomputed face: ${((performance.now() - t0) / todo.length).toFixed(0)} ms/photo  load ${load()}`);
    }
    let n = 0;
    for (const p of photos) {
      if (detections[p] === null && found[p]) {
        detections[p] = found[p];
        n++;
      }
    }
    log(`  ${fallback} found a face in ${n} of the photos without a precomputed one`);
  }
} else {
  const todo = photos.filter((p) => !(p in detections));
  if (todo.length > 0) {
    // the detection pass embeds with the first requested embedder too (its vectors go to its cache)
    const first = requested.flatMap(fusionParts)[0] as EmbedderName;
    const enc = await createFaceEncoder({ detector: detector as never, embedder: first, ...(landmarker ? { landmarker: landmarker as LandmarkerName } : {}) });
    const t0 = performance.now();
    let done = 0;
    let lines: string[] = [];
    for (const p of todo) {
      const r = await enc.encodeFile(join(lfw, p));
      const f = r.status === 'ok' ? nearestCentre(r.faces, r.width, r.height) : undefined;
      detections[p] = f ? { landmarks5: f.landmarks5, ...(f.landmarks68 ? { landmarks68: f.landmarks68 } : {}) } : null;
      if (f) lines.push(JSON.stringify({ file: p, v: Buffer.from(f.embedding.buffer, f.embedding.byteOffset, f.embedding.byteLength).toString('base64') }));
      if (++done % 100 === 0 || done === todo.length) {
        appendFileSync(join(cacheDir, `${first}.jsonl`), lines.length > 0 ? `${lines.join('\n')}\n` : '');
        lines = [];
        writeFileSync(detectionsFile, JSON.stringify(detections));
        if (done % 500 === 0 || done === todo.length) log(`  detected ${done}/${todo.length} with ${first}  ${((performance.now() - t0) / done).toFixed(0)} ms/photo  load ${load()}`);
      }
    }
    enc.dispose();
  }
}
if (points5 === 'faceplugin') {
  // the faceplugin package's convert68pts5pts: eyes from the 4 eyelid points (37, 38, 40, 41 / 43, 44, 46, 47),
  // nose tip 30, each mouth corner the mean of the outer and inner corner (48 and 60, 54 and 64)
  const mean = (pts: Point[], idx: number[]): Point => ({ x: idx.reduce((s, i) => s + pts[i].x, 0) / idx.length, y: idx.reduce((s, i) => s + pts[i].y, 0) / idx.length });
  for (const p of photos) {
    const d = detections[p];
    if (!d) continue;
    if (!d.landmarks68) {
      console.error(`bench:verify: --points5 ${points5} needs the 68 points in the detection cache; ${p} has none (cached before they were kept: delete ${detectionsFile}).`);
      process.exit(2);
    }
    const q = d.landmarks68;
    d.landmarks5 = [mean(q, [37, 38, 40, 41]), mean(q, [43, 44, 46, 47]), { ...q[30] }, mean(q, [48, 60]), mean(q, [54, 64])];
  }
}
const noFace = photos.filter((p) => detections[p] === null).length;
log(`  photos without a face: ${noFace}/${photos.length}`);

// ---- embeddings per embedder, cached as JSON lines {file, v: base64 float32} ----
async function vectorsOf(name: EmbedderName): Promise<{ vectors: Map<string, Float32Array>; msPerFace: number | undefined }> {
  const file = join(cacheDir, `${name}${points5 !== 'centres' ? `.p5-${points5}` : ''}${flips(name) ? '.flip' : ''}${args.fallback ? `+${args.fallback}` : ''}.jsonl`);
  // precomputed resnet128: the file's own descriptors (face-api's crop), ours only for fallback detections
  const vectors = new Map<string, Float32Array>(name === 'resnet128' && detector === 'precomputed' ? precomputedResnet : []);
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as { file: string; v: string };
        const b = Buffer.from(r.v, 'base64');
        vectors.set(r.file, new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
      } catch {
        // a line cut by a kill: embedded again below
      }
    }
  }
  const todo = photos.filter((p) => detections[p] && !vectors.has(p));
  if (todo.length === 0) return { vectors, msPerFace: undefined };
  const emb = flips(name) ? await createEmbedder(name as 'mobilefacenet512', { flip: true }) : await createEmbedder(name);
  const t0 = performance.now();
  let embedMs = 0;
  let lines: string[] = [];
  for (const [k, p] of todo.entries()) {
    const decoded = await decodeImage(join(lfw!, p));
    const s = decoded.scale;
    const lm = detections[p]!.landmarks5.map((q) => ({ x: q.x * s, y: q.y * s })) as Landmarks5;
    const chip = normCrop(decoded.image, lm, emb.template, emb.inputSize).chip;
    const te = performance.now();
    const [v] = await emb.embed([chip]);
    embedMs += performance.now() - te;
    vectors.set(p, v);
    lines.push(JSON.stringify({ file: p, v: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') }));
    if (lines.length === 100 || k === todo.length - 1) {
      appendFileSync(file, `${lines.join('\n')}\n`);
      lines = [];
    }
    if ((k + 1) % 500 === 0 || k === todo.length - 1) log(`  ${name}: embedded ${k + 1}/${todo.length}  ${((performance.now() - t0) / (k + 1)).toFixed(0)} ms/photo (model ${(embedMs / (k + 1)).toFixed(0)} ms/face)  load ${load()}`);
  }
  emb.dispose();
  return { vectors, msPerFace: embedMs / todo.length };
}

const dist = (a: Float32Array, b: Float32Array) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

/** `mobilefacenet512 (flip)`, `resnet128+mobilefacenet512 (flip)`: which parts ran with flip. */
const label = (name: string) => fusionParts(name).map((e) => (flips(e) ? `${e} (flip)` : e)).join('+');
const cache = new Map<string, { vectors: Map<string, Float32Array>; msPerFace: number | undefined }>();
const rows: string[] = [];
for (const name of requested) {
  const parts = fusionParts(name) as EmbedderName[];
  for (const p of parts) if (!cache.has(p)) cache.set(p, await vectorsOf(p));
  let vectors: Map<string, Float32Array>;
  if (parts.length === 1) vectors = cache.get(parts[0])!.vectors;
  else {
    const have = photos.filter((p) => parts.every((e) => cache.get(e)!.vectors.has(p)));
    const fused = fuseEmbeddings(parts.map((e) => have.map((p) => cache.get(e)!.vectors.get(p)!)));
    vectors = new Map(have.map((p, i) => [p, fused[i]]));
  }
  const d = pairs.map((p) => {
    const a = vectors.get(p.a), b = vectors.get(p.b);
    return a && b ? dist(a, b) : NaN;
  });
  const r = lfwTenFold(pairs, d);
  const ms = parts.length === 1 ? cache.get(parts[0])!.msPerFace : undefined;
  rows.push(
    `| ${label(name)} | ${detectorLabel} | ${(100 * r.mean).toFixed(2)} ± ${(100 * r.std).toFixed(2)} | ${r.missing} | ${(r.thresholds.reduce((a, b) => a + b, 0) / r.thresholds.length).toFixed(3)} | ${ms === undefined ? '(cached)' : ms.toFixed(0)} |`,
  );
  log(`${label(name)}: LFW 10-fold ${(100 * r.mean).toFixed(2)}% ± ${(100 * r.std).toFixed(2)}  (${r.missing} of ${pairs.length} pairs without a face, counted wrong)  load ${load()}`);
}
log('');
log('| embedder | detector | LFW 10-fold accuracy % (mean ± std) | pairs without a face (wrong) | mean threshold | model ms/face (this run) |');
log('|---|---|---:|---:|---:|---:|');
for (const r of rows) log(r);
log(`peak RSS ${peakRssMb().toFixed(0)} MB, load average ${load()}`);
