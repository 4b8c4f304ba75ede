/**
 * Clustering benchmark: speed of the nearest-neighbour kernel and of every clustering method, how the costs grow
 * with n, and each method's quality on all of LFW (face-api 128-d embeddings, identities as truth).
 *
 * Usage:
 *   npm run bench:cluster                       kNN, growth, quality table on LFW (a few minutes)
 *   npm run bench:cluster -- --sweep            also sweep each method's main parameter on LFW (best by BCubed F)
 *   npm run bench:cluster -- --n 100000         on n synthetic 128-d embeddings: the kNN engines side by side
 *                                               (engines), approximate rank-order (aro) and the default (auto)
 *   npm run bench:cluster -- --million          ... on 1,000,000 (run it with `nice`, it takes minutes)
 *   --dim 512                                   synthetic embeddings of 512 dimensions (the default embedder's)
 *   --engines hnswlib,usearch:i8,usearch:i8:2   the engines of the table (engine[:quantization[:threads]])
 *   --only knn,growth,quality,engines,aro,auto  run only these sections (synthetic: engines, aro and auto)
 *
 * Synthetic data: bench/_synthetic-faces.ts (Gaussian blobs on the unit sphere, long-tailed identity sizes).
 *
 * Prints figures; never asserts (tests do). The machine has 2 cores shared with others: the load average is
 * printed with each section; quote figures taken at low load.
 */
import { loadavg, cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings } from '../lib/datasets/precomputed.ts';
import { evaluateClustering } from '../lib/evaluate/evaluate.ts';
import { sweep } from '../lib/evaluate/sweep.ts';
import { Random, toMatrix, type Matrix } from '../lib/cluster/_input.ts';
import { makeSynthetic } from './_synthetic-faces.ts';
import { knnExact, knnHnsw, knnIvf, KNN_AUTO_APPROXIMATE_ABOVE, rowsWithinRadius, type KnnGraph } from '../lib/cluster/_knn.ts';
import { IVF_DEFAULT_PARAMS } from '../lib/cluster/_ivf.ts';
import { threadCount } from '../lib/cluster/_threads.ts';
import { clusterAuto } from '../lib/cluster/auto.ts';
import { modeDistance } from '../lib/cluster/distance-mixture.ts';
import { embedderMixtureOptions } from '../lib/embed/registry.ts';
import { APPROXIMATE_RANK_ORDER_DEFAULTS, approximateRankOrder, aroMerge } from '../lib/cluster/approximate-rank-order.ts';
import { affinityPropagation } from '../lib/cluster/affinity-propagation.ts';
import { kmeans } from '../lib/cluster/kmeans.ts';
import { rankOrder } from '../lib/cluster/rank-order.ts';
import { CLUSTER_METHODS, CLUSTER_METHOD_NAMES, clusterBy } from '../lib/cluster/registry.ts';
import type { ClusterResult } from '../lib/types.ts';

const { values: args } = parseArgs({
  options: {
    million: { type: 'boolean', default: false },
    n: { type: 'string' },
    dim: { type: 'string', default: '128' },
    sweep: { type: 'boolean', default: false },
    only: { type: 'string' },
    engines: { type: 'string' },
  },
});
const synthN = args.million ? 1_000_000 : args.n ? Number(args.n) : 0;
const synthDim = Number(args.dim);
if (!Number.isInteger(synthDim) || synthDim < 2) throw new Error(`bench:cluster: --dim must be an integer >= 2, got ${args.dim}`);
const sections = new Set((args.only ?? (synthN ? 'engines,aro,auto' : 'knn,growth,quality')).split(','));
const synthetic_ = ['engines', 'aro', 'auto'].some((x) => sections.has(x)) || sections.has('synthetic');
if (sections.has('synthetic')) for (const x of ['engines', 'aro', 'auto']) sections.add(x);
if (args.sweep) sections.add('sweep');

const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const secs = (t0: number) => (performance.now() - t0) / 1000;
const f3 = (v: number) => v.toFixed(3);
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch { /* not Linux */ }
  return process.memoryUsage().rss / 2 ** 20;
}
function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, secs(t0)];
}

console.log(`bench:cluster  node ${process.version}, ${cpus().length} cores, load average ${load()}`);

if (synthetic_) {
  await synthetic(synthN || 100_000);
} else {
  const ds = await loadPrecomputedEmbeddings();
  const x = ds.embeddings;
  const n = x.length;
  console.log(`LFW: ${n} faces, ${new Set(ds.labels).size} identities (face-api 128-d, euclidean)\n`);

  if (sections.has('knn')) {
    console.log(`## 20 nearest neighbours of every face  (load ${load()})`);
    const m = toMatrix('bench', x);
    const [g, tExact] = timed(() => knnExact(m, 20, 'euclidean'));
    console.log(`exact, blocked WebAssembly-SIMD dot products: ${tExact.toFixed(2)} s`);
    const nNaive = 3000;
    const [, tNaive] = timed(() => naiveKnn(x.slice(0, nNaive), 20));
    console.log(`naive JS double loop on ${nNaive} faces: ${tNaive.toFixed(2)} s -> about ${(tNaive * (n / nNaive) ** 2).toFixed(1)} s for ${n} (x n^2)`);
    const [h, tHnsw] = timed(() => knnHnsw(m, 20, 'euclidean'));
    let hit = 0;
    for (let i = 0; i < n; i++) {
      const s = new Set(g.indices.subarray(i * 20, i * 20 + 20));
      for (let t = 0; t < 20; t++) if (s.has(h.indices[i * 20 + t])) hit++;
    }
    console.log(`approximate, HNSW (M 12, efConstruction 40, ef 32), build + query: ${tHnsw.toFixed(2)} s, recall@20 ${f3(hit / (n * 20))}\n`);
  }

  if (sections.has('growth')) {
    console.log(`## growth with n (first n LFW faces)  (load ${load()})`);
    console.log('n       knn-exact  rank-order  approx-rank-order  chinese-whispers  dbscan  agglomerative');
    for (const nn of [3000, 6000, n]) {
      const xs = x.slice(0, nn);
      const tk = timed(() => knnExact(toMatrix('bench', xs), 20, 'euclidean'))[1];
      const tr = timed(() => rankOrder(xs))[1];
      const ta = timed(() => approximateRankOrder(xs))[1];
      const tc = timed(() => clusterBy('chinese-whispers', xs))[1];
      const td = timed(() => clusterBy('dbscan', xs))[1];
      const tg = timed(() => clusterBy('agglomerative', xs))[1];
      console.log(`${String(nn).padEnd(7)} ${tk.toFixed(2).padStart(9)}  ${tr.toFixed(2).padStart(10)}  ${ta.toFixed(2).padStart(17)}  ${tc.toFixed(2).padStart(16)}  ${td.toFixed(2).padStart(6)}  ${tg.toFixed(2).padStart(13)}`);
    }
    console.log('');
  }

  if (sections.has('quality')) {
    console.log(`## quality on all of LFW at the defaults  (load ${load()})`);
    console.log('method                                   pairwiseF  bcubedF  NMI     clusters  seconds');
    const row = (name: string, f: () => ClusterResult, truth: Int32Array = ds.labels) => {
      const [r, t] = timed(f);
      const e = evaluateClustering(r.labels, truth);
      console.log(`${name.padEnd(40)} ${f3(e.pairwiseF1).padStart(9)}  ${f3(e.bcubedF1).padStart(7)}  ${f3(e.nmi)}  ${String(e.nClusters).padStart(8)}  ${t.toFixed(2).padStart(7)}`);
    };
    for (const name of CLUSTER_METHOD_NAMES) {
      if (name === 'kmeans' || name === 'affinity-propagation') continue;
      row(name, () => clusterBy(name, x, name === 'auto' ? embedderMixtureOptions('resnet128') : {})); // the precomputed vectors are resnet128's
    }
    const nIds = new Set(ds.labels).size;
    row(`kmeans (nClusters=${nIds} = #people, random init, nInit 1, maxIter 10)`, () => kmeans(x, { nClusters: nIds, init: 'random', nInit: 1, maxIter: 10 }));
    const nAp = 3000;
    row(`affinity-propagation (first ${nAp} faces only)`, () => affinityPropagation(x.slice(0, nAp)), ds.labels.slice(0, nAp));
    console.log('');
  }

  if (sections.has('sweep')) {
    console.log(`## sweeps on all of LFW (best by BCubed F)  (load ${load()})`);
    for (const name of CLUSTER_METHOD_NAMES) {
      if (name === 'kmeans' || name === 'affinity-propagation') continue; // too slow at LFW scale; see the README
      const spec = CLUSTER_METHODS[name].sweep;
      const t0 = performance.now();
      const s = sweep(name, spec.parameter, spec.values, x, ds.labels);
      const best = s.rows[s.recommended!.index];
      const bestPf = s.rows.reduce((a, r) => ((r.metrics?.pairwiseF1 ?? 0) > (a.metrics?.pairwiseF1 ?? 0) ? r : a));
      console.log(`${name.padEnd(24)} ${spec.parameter}: best BCubed F ${f3(best.metrics!.bcubedF1)} at ${best.value} (pairwise F ${f3(best.metrics!.pairwiseF1)}, NMI ${f3(best.metrics!.nmi)}, ${best.nClusters} clusters); best pairwise F ${f3(bestPf.metrics!.pairwiseF1)} at ${bestPf.value}  [${secs(t0).toFixed(0)} s]`);
    }
  }
}

/** The naive baseline: every pair's distance from the rows (a double loop), top-k kept by insertion. */
function naiveKnn(x: Float32Array[], k: number): Int32Array {
  const n = x.length;
  const out = new Int32Array(n * k);
  const topD = new Float64Array(k);
  const topI = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    topD.fill(Infinity);
    const a = x[i];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const b = x[j];
      let s = 0;
      for (let t = 0; t < a.length; t++) { const v = a[t] - b[t]; s += v * v; }
      if (s >= topD[k - 1]) continue;
      let p = k - 1;
      while (p > 0 && topD[p - 1] > s) { topD[p] = topD[p - 1]; topI[p] = topI[p - 1]; p--; }
      topD[p] = s; topI[p] = j;
    }
    out.set(topI, i * k);
  }
  return out;
}

/** Resets this process's peak RSS (Linux: /proc/self/clear_refs 5), so that the next peak is one step's own. */
function resetPeak(): boolean {
  try { writeFileSync('/proc/self/clear_refs', '5'); return true; } catch { return false; }
}
function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/**
 * The kNN engines side by side on the same vectors: build and query seconds (16 nearest neighbours of every point),
 * recall@16 against exact neighbours of a seeded sample of 1,000 points (brute force; ties among a person's
 * near-equidistant faces make it low on these blobs, so the mean ratio of the 16th neighbour's distance to the
 * exact 16th is printed too: 1 when the neighbours found are as near as the exact ones), and each engine's peak
 * memory above what the process held before it.
 */
function engines(m: Matrix, k: number, list: string[], labels: Int32Array | null = null): void {
  const n = m.n;
  const S = Math.min(1000, n);
  const rng = new Random(7);
  const sample = Int32Array.from(rng.shuffle(Int32Array.from({ length: n }, (_, i) => i)).subarray(0, S)).sort();
  const t0 = performance.now();
  // exact: every distance from each sampled point (SIMD dot products), the k nearest kept, ties by index
  const bestD = new Float64Array(S * k).fill(Infinity);
  const bestI = new Int32Array(S * k).fill(-1);
  rowsWithinRadius(m, sample, Infinity, (r, j, dist) => {
    const o = r * k;
    if (dist > bestD[o + k - 1] || (dist === bestD[o + k - 1] && j > bestI[o + k - 1])) return;
    let p = k - 1;
    while (p > 0 && (bestD[o + p - 1] > dist || (bestD[o + p - 1] === dist && bestI[o + p - 1] > j))) { bestD[o + p] = bestD[o + p - 1]; bestI[o + p] = bestI[o + p - 1]; p--; }
    bestD[o + p] = dist; bestI[o + p] = j;
  });
  const truth = Array.from({ length: S }, (_, r) => new Set(bestI.subarray(r * k, r * k + k)));
  console.log(`exact ${k}-NN of ${S} sampled points (brute force, WebAssembly SIMD): ${secs(t0).toFixed(1)} s`);
  // of the exact neighbours, those of the same identity (what the clustering needs: strangers' order is a coin toss)
  const mates = labels ? Array.from({ length: S }, (_, r) => Array.from(bestI.subarray(r * k, r * k + k)).filter((j) => j >= 0 && labels[j] === labels[sample[r]])) : null;
  const mateCount = mates ? mates.reduce((a, l) => a + l.length, 0) : 0;
  console.log(`| engine | build s | query s (${k}-NN of all ${n}) | recall@${k} | ${mates ? `same-identity recall (${mateCount} exact neighbours) | ` : ''}${k}th-neighbour distance / exact | peak memory above start, MB | load |`);
  console.log(`|---|---:|---:|---:|${mates ? '---:|' : ''}---:|---:|---|`);
  let prev: { label: string; g: KnnGraph } | null = null;
  for (const name of list) {
    const [engine, quantization, build] = name.split(':') as ['usearch' | 'hnswlib', 'auto' | 'i8' | 'bf16' | 'f32' | undefined, string | undefined];
    const threads = Number(build ?? 1);
    const before = rssMb();
    const reset = resetPeak();
    // `ivf` or `ivf:PROBE`: the inverted file on every thread
    const ivf = (engine as string) === 'ivf';
    const g = ivf ? knnIvf(m, k, 'euclidean', quantization ? { probe: Number(quantization) } : {}) : knnHnsw(m, k, 'euclidean', { engine, quantization: quantization ?? 'auto', threads });
    const peak = reset ? peakRssMb() - before : NaN;
    let hit = 0;
    let ratio = 0;
    sample.forEach((i, r) => {
      for (let t = 0; t < k; t++) if (truth[r].has(g.indices[i * k + t])) hit++;
      ratio += g.distances[i * k + k - 1] / bestD[r * k + k - 1];
    });
    const label = ivf ? `${g.engine}, ${IVF_DEFAULT_PARAMS.probe === Number(quantization ?? IVF_DEFAULT_PARAMS.probe) ? '' : `probe ${quantization}, `}${threadCount()} threads` : engine === 'usearch' ? `${g.engine}, ${threads} thread${threads > 1 ? 's' : ''}` : `${g.engine}, 1 thread`;
    let mateHit = 0;
    if (mates) sample.forEach((i, r) => { const got = new Set(g.indices.subarray(i * k, i * k + k)); for (const j of mates[r]) if (got.has(j)) mateHit++; });
    console.log(`| ${label} | ${g.seconds!.build.toFixed(1)} | ${g.seconds!.query.toFixed(1)} | ${f3(hit / (S * k))} | ${mates ? `${f3(mateHit / Math.max(1, mateCount))} | ` : ''}${f3(ratio / S)} | ${peak.toFixed(0)} | ${load()} |`);
    if (prev && prev.label === label) {
      let rows = 0;
      for (let i = 0; i < n; i++) for (let t = 0; t < k; t++) if (g.indices[i * k + t] !== prev.g.indices[i * k + t]) { rows++; break; }
      console.log(`  (built again: ${rows} of ${n} points' neighbour lists differ from the build above)`);
    }
    prev = { label, g };
  }
  console.log('');
}

async function synthetic(n: number): Promise<void> {
  const [syn, tGen] = timed(() => makeSynthetic(n, synthDim));
  const sizes = new Map<number, number>();
  for (const l of syn.labels) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const sz = [...sizes.values()].sort((a, b) => b - a);
  console.log(`${n} synthetic ${synthDim}-d faces generated in ${tGen.toFixed(1)} s: ${syn.nIds} identities, sizes max ${sz[0]}, median ${sz[sz.length >> 1]}, singletons ${sz.filter((v) => v === 1).length}`);
  if (sections.has('engines')) {
    console.log(`\n## kNN engines on the same ${n} x ${synthDim} vectors  (load ${load()})`);
    const m = { data: syn.data, n, d: synthDim };
    engines(m, 16, (args.engines ?? 'hnswlib,usearch:i8,usearch:i8,usearch:i8:2,usearch:i8:2,usearch:bf16,usearch:f32,ivf').split(','), syn.labels);
  }
  if (sections.has('aro')) await aro(n, syn);
  if (sections.has('auto')) {
    console.log(`\n## the default (clusterAuto) on the same ${n} embeddings  (load ${load()})`);
    const [a, tAuto] = timed(() => clusterAuto(syn.x));
    const ea = evaluateClustering(a.labels, syn.labels);
    console.log(`clusterAuto (defaults; kNN ${n > KNN_AUTO_APPROXIMATE_ABOVE ? 'inverted file' : 'exact'}): ${tAuto.toFixed(1)} s, chose threshold ${f3(a.evidence.threshold)} (modes at distances ${f3(modeDistance(a.evidence.mixture, a.evidence.mixture.same))} / ${f3(modeDistance(a.evidence.mixture, a.evidence.mixture.different))})`);
    const st = a.evidence.seconds;
    console.log(`steps: mixtures ${st.mixtures.toFixed(1)} s, kNN graph ${st.knn.toFixed(1)} s, linkage tree ${st.tree.toFixed(1)} s (${a.tree.height.length} merges, up to ${f3(a.tree.height[a.tree.height.length - 1] ?? 0)}), expected scores of ${a.evidence.curve.threshold.length} cuts ${st.scores.toFixed(1)} s`);
    console.log(`peak RSS ${peakRssMb().toFixed(0)} MB, load average now ${load()}`);
    console.log(`quality: pairwise F ${f3(ea.pairwiseF1)}, BCubed F ${f3(ea.bcubedF1)}, NMI ${f3(ea.nmi)}, ${ea.nClusters} clusters for ${syn.nIds} identities`);
    for (const w of a.warnings) console.log(`warning: ${w}`);
  }
}

async function aro(n: number, syn: ReturnType<typeof makeSynthetic>): Promise<void> {
  console.log(`## approximate rank-order on ${n} synthetic ${synthDim}-d embeddings  (load ${load()})`);
  // the phases of approximateRankOrder(x, { knnMethod: 'hnsw' }), timed one by one
  const o = APPROXIMATE_RANK_ORDER_DEFAULTS;
  const [m, t1] = timed(() => toMatrix('bench', syn.x, o.metric));
  const [g, t2] = timed(() => knnHnsw(m, o.k, o.metric, { seed: o.seed }));
  const [labels, t3] = timed(() => aroMerge(g, o.threshold, o.maxDistance));
  const e = evaluateClustering(labels, syn.labels);
  console.log(`approximate rank-order (defaults k=${o.k}, threshold ${o.threshold}, maxDistance ${o.maxDistance}; HNSW): ${(t1 + t2 + t3).toFixed(1)} s = copy ${t1.toFixed(1)} + HNSW build and ${o.k}-NN queries ${t2.toFixed(1)} + rank-order distances and merge ${t3.toFixed(1)}`);
  console.log(`peak RSS ${peakRssMb().toFixed(0)} MB, load average now ${load()}`);
  console.log(`quality: pairwise F ${f3(e.pairwiseF1)}, BCubed F ${f3(e.bcubedF1)}, NMI ${f3(e.nmi)}, ${e.nClusters} clusters for ${syn.nIds} identities`);
}
