/**
 * End-to-end encoding speed: `npm run bench:encode [-- --detector NAME[,NAME]] [--all] [--jobs N] [--folder DIR] [--no-baseline]`.
 *
 * For each detector (the default one and ssd-mobilenet when --detector is not given; every registered one
 * but `whole-image` with --all), runs `encodeFolder` on the folder
 * (default: the LFW 120-face subset) in a fresh child process, into a temporary store, and prints
 * photos/second (wall time of the whole run, model loading and worker start included), faces found,
 * verification accuracy of the centred faces (when the folder is labelled by person), the backend, and
 * the peak resident memory of the process (VmHWM: the main thread and every worker thread).
 * face-api's own loop, `detectAllFaces().withFaceLandmarks().withFaceDescriptors()` in one thread, runs
 * beside them in the same run (`--no-baseline` skips it). Each row prints the 1-minute load average at its start,
 * and the CPU seconds the run took: "photos/s if alone" = photos / (CPU seconds / jobs), the speed with its cores
 * to itself (on a shared machine wall-clock photos/s mostly measures the others' load). `--compare-align` instead compares chip geometries for the embedder (one detection per
 * photo, then the dlib template, insightface's ArcFace template at 150 px, and face-api's own unrotated
 * landmark-box crop): faces found and verification accuracy of each. Check `uptime` first: others' load on the machine slows every figure.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { DEFAULT_DETECTOR, DETECTOR_NAMES } from '../lib/detect/registry.ts';
import { verificationAccuracy } from '../lib/evaluate/verification.ts';
import { encodeFolder } from '../lib/pipeline/encode-folder.ts';
import { findData } from '../lib/paths.ts';
import { openStore } from '../lib/store/read.ts';
import type { StoredFace } from '../lib/store/schema.ts';
import { loadFaceApiNet } from '../lib/runtime/face-api.ts';

const { values } = parseArgs({
  options: {
    detector: { type: 'string' },
    jobs: { type: 'string' },
    folder: { type: 'string' },
    'no-baseline': { type: 'boolean' },
    all: { type: 'boolean' },
    'compare-align': { type: 'boolean' },
    child: { type: 'boolean' },
  },
});
const folder = values.folder ?? findData('lfw-subset/120faces');
if (!folder) {
  console.error('bench:encode: no --folder and the LFW subset is absent (set FACECLUSTER_DATA).');
  process.exit(2);
}
const jobs = values.jobs ? Number(values.jobs) : availableParallelism();

function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function centred(faces: readonly StoredFace[]): StoredFace[] {
  const best = new Map<string, { f: StoredFace; d: number }>();
  for (const f of faces) {
    const d = Math.hypot(f.box.x + f.box.width / 2 - f.imageWidth / 2, f.box.y + f.box.height / 2 - f.imageHeight / 2);
    const b = best.get(f.path);
    if (!b || d < b.d) best.set(f.path, { f, d });
  }
  return [...best.values()].map((b) => b.f);
}

interface Row {
  name: string;
  photos: number;
  seconds: number;
  /** Seconds until the first photo was done (scan, worker start, model loading, first photo). */
  startup: number;
  /** Photos/s after the first photo (steady state). */
  steady: number;
  withFace: number;
  faces: number;
  accuracy: number | null;
  backend: string;
  jobs: number;
  peakRssMb: number;
  /** 1-minute load average when the row started. */
  load?: number;
  /**
   * CPU seconds (user + system, every thread of the child process, model loading included). Less sensitive to
   * others' load than wall time: photos / (cpuSeconds / jobs) is what the run would reach with its cores to itself.
   */
  cpuSeconds: number;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

async function runChild(): Promise<Row> {
  const name = values.detector!;
  const out = mkdtempSync(join(tmpdir(), 'fc-bench-'));
  try {
    if (name === 'face-api-loop') return await faceApiLoop();
    const t0 = performance.now();
    let first = 0, last = 0, n = 0;
    const s = await encodeFolder(folder!, { out, detector: name as never, jobs }, (done) => {
      if (done === 0) return;
      n = done;
      last = performance.now();
      if (done === 1) first = last;
    });
    const startup = (first - t0) / 1000;
    const steady = last > first ? (n - 1) / ((last - first) / 1000) : NaN;
    const store = await openStore(out);
    const c = centred(store.faces);
    const labelled = c.every((f) => f.label !== null) && new Set(c.map((f) => f.label)).size > 1;
    const acc = labelled ? verificationAccuracy(c.map((f) => f.embedding), c.map((f) => f.label!)).accuracy : null;
    return { name, cpuSeconds: cpuSeconds(), photos: s.photos, seconds: s.seconds, startup, steady, withFace: store.photos.filter((p) => p.status === 'ok').length, faces: store.faces.length, accuracy: acc, backend: s.backend, jobs: s.jobs, peakRssMb: peakRssMb() };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** face-api's documented loop, one thread, same decoding (sharp) and score threshold (0.5). */
async function faceApiLoop(): Promise<Row> {
  const t0 = performance.now();
  const { faceapi, runtime } = await loadFaceApiNet('ssdMobilenetv1');
  await loadFaceApiNet('faceLandmark68Net');
  await loadFaceApiNet('faceRecognitionNet');
  const tf = runtime.tf;
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name.startsWith('.')) continue;
      if (e.isDirectory()) walk(join(d, e.name));
      else if (/\.(jpe?g|png)$/i.test(e.name)) files.push(join(d, e.name));
    }
  };
  walk(folder!);
  let withFace = 0, faces = 0, tFirst = 0;
  for (const f of files) {
    const { data, info } = await sharp(f).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const t = tf.tensor3d(new Uint8Array(data), [info.height, info.width, 3], 'int32');
    const r = await faceapi.detectAllFaces(t as never, new faceapi.SsdMobilenetv1Options({ minConfidence: 0.5 })).withFaceLandmarks().withFaceDescriptors();
    t.dispose();
    if (r.length) withFace++;
    faces += r.length;
    if (tFirst === 0) tFirst = performance.now();
  }
  return { name: 'face-api-loop', cpuSeconds: cpuSeconds(), photos: files.length, seconds: (performance.now() - t0) / 1000, startup: (tFirst - t0) / 1000, steady: (files.length - 1) / ((performance.now() - tFirst) / 1000), withFace, faces, accuracy: null, backend: runtime.description, jobs: 1, peakRssMb: peakRssMb() };
}

/** Verification accuracy of the centred face per photo for several chip geometries (one detection per photo). */
async function compareAlign(): Promise<void> {
  const { createDetector } = await import('../lib/detect/registry.ts');
  const { createLandmarker68, landmarks5From68 } = await import('../lib/detect/landmarks68.ts');
  const { createEmbedder } = await import('../lib/embed/registry.ts');
  const { alignFace } = await import('../lib/align/norm-crop.ts');
  const { decodeImage } = await import('../lib/image/decode.ts');
  const { scanPhotos, folderLabel } = await import('../lib/pipeline/scan.ts');
  const variants = {
    'similarity, dlib template (default)': { method: 'similarity', template: 'dlib' },
    'similarity, arcface template @150': { method: 'similarity', template: 'arcface' },
    'face-api landmark box (unrotated)': { method: 'landmark-box' },
  } as const;
  const det = await createDetector((values.detector ?? 'ssd-mobilenet') as never);
  const lm = await createLandmarker68();
  const emb = await createEmbedder('resnet128');
  const { files } = await scanPhotos(folder!);
  const out: Record<string, { e: Float32Array[]; l: string[] }> = {};
  let found = 0;
  for (const f of files) {
    const { image } = await decodeImage(join(folder!, f.path));
    const faces = await det.detect(image);
    if (faces.length === 0) continue;
    found++;
    const pts = await lm.landmarks(image, faces.map((x) => x.box));
    let best = 0, bd = Infinity;
    faces.forEach((x, i) => {
      const d = Math.hypot(x.box.x + x.box.width / 2 - image.width / 2, x.box.y + x.box.height / 2 - image.height / 2);
      if (d < bd) [bd, best] = [d, i];
    });
    const face = { landmarks5: faces[best].landmarks5 ?? landmarks5From68(pts[best]), landmarks68: pts[best] };
    for (const [name, a] of Object.entries(variants)) {
      const [e] = await emb.embed([alignFace(image, face, a).chip]);
      (out[name] ??= { e: [], l: [] }).e.push(e);
      out[name].l.push(folderLabel(f.path) ?? '');
    }
  }
  console.log(`compare-align  folder ${folder}  detector ${det.name}  faces found in ${found}/${files.length} photos  load ${loadavg()[0].toFixed(2)}`);
  for (const [name, { e, l }] of Object.entries(out)) {
    const v = verificationAccuracy(e, l);
    console.log(`${name.padEnd(38)} accuracy ${v.accuracy.toFixed(4)} (threshold ${v.threshold.toFixed(3)})  balanced ${v.balancedAccuracy.toFixed(4)} (threshold ${v.balancedThreshold.toFixed(3)})`);
  }
  det.dispose();
  lm.dispose();
  emb.dispose();
}

if (values['compare-align']) {
  await compareAlign();
} else if (values.child) {
  console.log(JSON.stringify(await runChild()));
} else {
  const names = values.detector
    ? values.detector.split(',')
    : values.all
      ? DETECTOR_NAMES.filter((n) => n !== 'whole-image')
      : [...new Set([DEFAULT_DETECTOR, 'ssd-mobilenet'])];
  if (!values['no-baseline']) names.push('face-api-loop');
  const [l1, l5] = loadavg();
  console.log(`bench:encode  folder ${folder}  jobs ${jobs}  load average ${l1.toFixed(2)} (1 min) ${l5.toFixed(2)} (5 min) on ${availableParallelism()} cores`);
  const rows: Row[] = [];
  for (const name of names) {
    const load = loadavg()[0];
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(process.execPath, [...process.execArgv, self, '--child', '--detector', name, '--folder', folder, '--jobs', String(jobs)], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const line = r.stdout.trim().split('\n').pop() ?? '';
    try {
      rows.push({ ...(JSON.parse(line) as Row), load });
    } catch {
      console.error(`${name}: failed\n${r.stderr}`);
    }
  }
  const header = ['detector', 'photos', 'seconds', 'photos/s', 'startup s', 'steady photos/s', 'CPU s', 'photos/s if alone', 'with face', 'faces', 'verif. acc.', 'jobs', 'peak RSS MB', 'load', 'backend'];
  const table = rows.map((r) => [r.name, r.photos, r.seconds.toFixed(1), (r.photos / r.seconds).toFixed(2), r.startup.toFixed(1), r.steady.toFixed(2), r.cpuSeconds.toFixed(1), (r.photos / (r.cpuSeconds / Math.min(r.jobs, availableParallelism()))).toFixed(2), `${r.withFace} (${((100 * r.withFace) / r.photos).toFixed(1)}%)`, r.faces, r.accuracy === null ? '-' : r.accuracy.toFixed(4), r.jobs, r.peakRssMb.toFixed(0), (r.load ?? NaN).toFixed(2), r.backend].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
  for (const row of [header, ...table]) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  '));
  const [a1] = loadavg();
  console.log(`load average after: ${a1.toFixed(2)}`);
}
