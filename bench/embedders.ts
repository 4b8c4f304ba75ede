/**
 * Embedders compared on the dev collections: for each store (made with `encode --embedder a,b,...`, so every
 * embedder sees the same detections) and each of its embedders (and fusions a+b), d' (decidability), and the
 * best swept BCubed F of Chinese Whispers and agglomerative clustering with the pairwise F at that value;
 * then each embedder's speed (ms/face, 112/150/224-px chips of `120faces`) and peak memory, each measured in its
 * own process, side by side in one run.
 *
 * Usage:
 *   npm run bench:embedders -- --store 120faces=/work/cache/h9/stores/120faces --store yale=DIR ...
 *   --fusions a+b,c+d     fusions to add to the quality table
 *   --speed               only the speed and memory table
 *
 * Faces: the one nearest each photo's centre (the collections label the photo's main person). Sweeps: threshold
 * 0.30-1.40 step 0.02 for both methods (covers resnet128's raw distances and the unit vectors of the others).
 * Best swept values are upper bounds (chosen with the labels), not results. Prints the load average; never asserts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { normCrop } from '../lib/align/norm-crop.ts';
import { encodeLabels } from '../lib/datasets/precomputed.ts';
import { createEmbedder, EMBEDDER_NAMES, embedderMixtureOptions, type EmbedderName } from '../lib/embed/registry.ts';
import { clusterAuto } from '../lib/cluster/auto.ts';
import { decidability } from '../lib/evaluate/decidability.ts';
import { evaluateClustering } from '../lib/evaluate/evaluate.ts';
import { rangeValues, sweep } from '../lib/evaluate/sweep.ts';
import { decodeImage } from '../lib/image/decode.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { openStore } from '../lib/store/read.ts';
import type { Landmarks5 } from '../lib/types.ts';

const { values: args } = parseArgs({
  options: {
    store: { type: 'string', multiple: true, default: [] },
    fusions: { type: 'string', default: '' },
    speed: { type: 'boolean', default: false },
    'speed-one': { type: 'string' },
    'speed-store': { type: 'string' },
  },
});
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const log = (s: string) => console.log(s);
function peakRssMb(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/** Face nearest the centre of each photo, with a label. */
function mainFaces<T extends { path: string; label: string | null; box: { x: number; y: number; width: number; height: number }; imageWidth: number; imageHeight: number }>(faces: T[]): number[] {
  const best = new Map<string, number>();
  const d = (f: T) => Math.hypot(f.box.x + f.box.width / 2 - f.imageWidth / 2, f.box.y + f.box.height / 2 - f.imageHeight / 2);
  faces.forEach((f, i) => {
    if (f.label === null) return;
    const j = best.get(f.path);
    if (j === undefined || d(f) < d(faces[j])) best.set(f.path, i);
  });
  return [...best.values()].sort((a, b) => a - b);
}

// ---- one embedder's speed and memory, in a child process ----
if (args['speed-one']) {
  const name = args['speed-one'] as EmbedderName;
  const store = await openStore(args['speed-store']!);
  const idx = mainFaces(store.faces).slice(0, 60);
  const base = peakRssMb();
  const emb = await createEmbedder(name);
  const chips = [];
  for (const i of idx) {
    const f = store.faces[i];
    const d = await decodeImage(join(store.manifest.photoFolder, f.path));
    chips.push(normCrop(d.image, f.landmarks5.map((p) => ({ x: p.x * d.scale, y: p.y * d.scale })) as Landmarks5, emb.template, emb.inputSize).chip);
  }
  await emb.embed(chips.slice(0, 5)); // warm-up
  const t0 = performance.now();
  for (const c of chips) await emb.embed([c]);
  const ms = (performance.now() - t0) / chips.length;
  emb.dispose();
  console.log(JSON.stringify({ name, ms, faces: chips.length, peakMb: peakRssMb(), baseMb: base, load: loadavg()[0] }));
  process.exit(0);
}

const stores = (args.store as string[]).map((s) => {
  const [name, dir] = s.split('=');
  return { name, dir };
});
if (stores.length === 0) {
  console.error('bench:embedders: give at least one --store NAME=DIR (a store made with encode --embedder a,b,...).');
  process.exit(2);
}

if (args.speed) {
  log(`speed: one chip per call, 60 faces of ${stores[0].name}, each embedder in its own process, load ${load()}`);
  log('| embedder | dim | chip | ms/face | peak RSS MB (process) | load |');
  log('|---|---:|---:|---:|---:|---:|');
  for (const name of EMBEDDER_NAMES) {
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'bench', 'embedders.ts'), '--speed-one', name, '--speed-store', stores[0].dir, '--store', 'x=y'], { encoding: 'utf8' });
      const r = JSON.parse(out.trim().split('\n').pop()!);
      const e = await import('../lib/embed/registry.ts');
      const spec = e.EMBEDDER_SPECS[name];
      log(`| ${name} | ${spec.dimension} | ${spec.inputSize} ${spec.template} | ${r.ms.toFixed(1)} | ${r.peakMb.toFixed(0)} | ${r.load.toFixed(2)} |`);
    } catch (e) {
      log(`| ${name} | failed: ${(e as Error).message.split('\n')[0]} |`);
    }
  }
  process.exit(0);
}

const values = rangeValues(0.3, 1.4, 0.02);
log(`embedders on dev collections: face nearest each photo's centre; sweeps ${values[0]}-${values[values.length - 1]} step 0.02; load ${load()}`);
log('| collection | embedder | faces | people | d\' | same / different mean distance | default `auto` BCubed F (pairwise F) @ its threshold | CW best BCubed F (pairwise F) @ threshold | agglomerative best BCubed F (pairwise F) @ threshold |');
log('|---|---|---:|---:|---:|---|---|---|---|');
for (const s of stores) {
  const first = await openStore(s.dir);
  const names = [...first.embedders, ...(args.fusions ? args.fusions.split(',').filter((f) => f.split('+').every((p) => first.embedders.includes(p))) : [])];
  for (const name of names) {
    const store = await openStore(s.dir, { embedder: name });
    const idx = mainFaces(store.faces);
    const x = idx.map((i) => store.embeddings[i]);
    const labels = idx.map((i) => store.faces[i].label as string);
    const truth = encodeLabels(labels);
    const dp = decidability(x, labels);
    const cells: string[] = [];
    const auto = clusterAuto(x, embedderMixtureOptions(name)); // the embedder's measured constants (a fusion: the defaults)
    const am = evaluateClustering(auto.labels, truth);
    cells.push(`${am.bcubedF1.toFixed(3)} (${am.pairwiseF1.toFixed(3)}) @ ${auto.evidence.threshold.toFixed(2)}`);
    for (const [method, parameter] of [['chinese-whispers', 'threshold'], ['agglomerative', 'distanceThreshold']] as const) {
      const r = sweep(method, parameter, values, x, truth);
      const best = r.rows[r.recommended!.index];
      cells.push(`${best.metrics!.bcubedF1.toFixed(3)} (${best.metrics!.pairwiseF1.toFixed(3)}) @ ${Number(best.value).toFixed(2)}`);
    }
    log(`| ${s.name} | ${name} | ${x.length} | ${new Set(labels).size} | ${dp.dPrime.toFixed(2)} | ${dp.sameMean.toFixed(3)} / ${dp.differentMean.toFixed(3)} | ${cells.join(' | ')} |`);
  }
}
log(`load average ${load()}`);
