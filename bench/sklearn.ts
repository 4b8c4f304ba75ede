/**
 * Side by side with scikit-learn (Debian python3-sklearn 1.2.1) on all of LFW's precomputed face-api 128-d
 * embeddings (12,424 faces): DBSCAN, agglomerative (average linkage; with --methods also single, complete and Ward),
 * k-means and affinity propagation (--methods affinity: minutes and ~8 GB for the two sides), the same parameters for both, in
 * one run. Prints each method's seconds (best and worst of --repeat runs), whether the partitions are the same
 * (ARI and an exact match up to renumbering) and the load average. k-means starts from the same explicit centres
 * (k faces drawn with a fixed seed) so both run the same Lloyd iterations.
 *
 * Usage: npm run bench:sklearn [-- --repeat 3] [--methods dbscan,agglomerative,kmeans,single,complete,ward,affinity] [--k 500]
 * Thresholds of the other linkages (the same for both sides; euclidean face-api descriptors): single 0.4, complete
 * 0.6, Ward 1.0. Affinity propagation: our defaults (damping 0.9, preference -0.3, 200 iterations, 15 to converge);
 * scikit-learn's estimator works in the dtype of X (float32 here) and adds a tiny random noise to the similarities,
 * ours works in float64 without noise: their partitions differ. --methods affinity-exact runs scikit-learn's own
 * algorithm (_affinity_propagation) on float64 similarities with the noise off, for the partition (beside ours).
 * Both use every core as installed: ours the thread pool of lib/cluster/_threads.ts (FACECLUSTER_THREADS=1 for one
 * thread), scikit-learn its BLAS and OpenMP threads (OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 for one). Prints wall
 * seconds and CPU seconds (all threads of the process) of each run. Prints figures; never asserts.
 */
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings } from '../lib/datasets/precomputed.ts';
import { dbscan, DBSCAN_DEFAULTS } from '../lib/cluster/dbscan.ts';
import { agglomerative, AGGLOMERATIVE_DEFAULTS } from '../lib/cluster/agglomerative.ts';
import { affinityPropagation, AFFINITY_PROPAGATION_DEFAULTS } from '../lib/cluster/affinity-propagation.ts';
import { kmeans, KMEANS_DEFAULTS } from '../lib/cluster/kmeans.ts';
import { Random } from '../lib/cluster/_input.ts';
import { adjustedRandIndex } from '../lib/evaluate/ari.ts';
import { threadCount } from '../lib/cluster/_threads.ts';

const { values: args } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    methods: { type: 'string', default: 'dbscan,agglomerative,kmeans' },
    k: { type: 'string', default: '500' },
  },
});
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const repeat = Number(args.repeat);
const methods = args.methods.split(',');
const k = Number(args.k);

/** Same partition up to renumbering (noise -1 must be noise in both). */
function samePartition(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  const ab = new Map<number, number>();
  const ba = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    if ((a[i] === -1) !== (b[i] === -1)) return false;
    if (a[i] === -1) continue;
    if ((ab.get(a[i]) ?? b[i]) !== b[i] || (ba.get(b[i]) ?? a[i]) !== a[i]) return false;
    ab.set(a[i], b[i]);
    ba.set(b[i], a[i]);
  }
  return true;
}

const data = await loadPrecomputedEmbeddings();
const x = data.embeddings;
const n = x.length;
const d = x[0].length;
const rnd = new Random(21);
const pick = new Set<number>();
while (pick.size < k) pick.add(rnd.nextInt(n));
const init = [...pick].map((i) => Float32Array.from(x[i]));
const ap = AFFINITY_PROPAGATION_DEFAULTS;
const params = {
  n, d, k, eps: DBSCAN_DEFAULTS.eps, minSamples: DBSCAN_DEFAULTS.minSamples, threshold: AGGLOMERATIVE_DEFAULTS.distanceThreshold!, maxIter: KMEANS_DEFAULTS.maxIter, tol: KMEANS_DEFAULTS.tol, repeat, methods,
  thresholds: { single: 0.4, complete: 0.6, ward: 1.0 }, damping: ap.damping, preference: ap.preference as number, apMaxIter: ap.maxIter, convergenceIter: ap.convergenceIter,
};
const work = mkdtempSync(join(tmpdir(), 'fc-bench-sklearn-'));
try {
  const flat = new Float32Array(n * d);
  x.forEach((v, i) => flat.set(v, i * d));
  writeFileSync(join(work, 'x.f32'), flat);
  const flatInit = new Float32Array(k * d);
  init.forEach((v, i) => flatInit.set(v, i * d));
  writeFileSync(join(work, 'init.f32'), flatInit);
  writeFileSync(join(work, 'params.json'), JSON.stringify(params));
  console.log(`bench:sklearn  LFW ${n} faces x ${d}-d; DBSCAN eps ${params.eps} minSamples ${params.minSamples}; average linkage threshold ${params.threshold}; k-means k ${k} from the same ${k} centres, maxIter ${params.maxIter}, tol ${params.tol}; ${repeat} runs each; ours on ${threadCount()} threads; load ${load()}`);
  const ours: Record<string, { times: number[]; cpu: number[]; labels: Int32Array }> = {};
  const run: Record<string, () => Int32Array> = {
    dbscan: () => dbscan(x, { eps: params.eps, minSamples: params.minSamples }).labels,
    agglomerative: () => agglomerative(x, { linkage: 'average', distanceThreshold: params.threshold }).labels,
    kmeans: () => kmeans(x, { nClusters: k, init, maxIter: params.maxIter, tol: params.tol }).labels,
    single: () => agglomerative(x, { linkage: 'single', distanceThreshold: params.thresholds.single }).labels,
    complete: () => agglomerative(x, { linkage: 'complete', distanceThreshold: params.thresholds.complete }).labels,
    ward: () => agglomerative(x, { linkage: 'ward', distanceThreshold: params.thresholds.ward }).labels,
    affinity: () => affinityPropagation(x, { damping: params.damping, preference: params.preference, maxIter: params.apMaxIter, convergenceIter: params.convergenceIter }).labels,
  };
  run['affinity-exact'] = run.affinity;
  for (const m of methods) {
    const times: number[] = [];
    const cpu: number[] = [];
    let labels = new Int32Array(0);
    for (let r = 0; r < repeat; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      labels = run[m]();
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
    ours[m] = { times, cpu, labels };
  }
  console.log(`ours done, load ${load()}`);
  const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'sklearn-side.py'), work], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (py.status !== 0) throw new Error(`sklearn-side.py failed: ${py.stderr}`);
  const sk = JSON.parse(py.stdout.trim().split('\n').pop()!) as { sklearn: string; numpy: string; times: Record<string, number[]>; cpu: Record<string, number[]> };
  console.log(`scikit-learn ${sk.sklearn} (numpy ${sk.numpy}) done, load ${load()}\n`);
  const range = (t: number[]) => `${Math.min(...t).toFixed(2)}–${Math.max(...t).toFixed(2)}`;
  console.log('| method | ours (s) | scikit-learn (s) | ratio (best/best) | CPU s ours / sklearn (best) | clusters ours / sklearn | ARI | same partition |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of methods) {
    const skLabels = new Int32Array(readFileSync(join(work, `${m}.sklearn.i32`)).buffer.slice(0));
    const a = ours[m].labels;
    const count = (l: Int32Array) => new Set([...l].filter((v) => v >= 0)).size;
    const ratio = Math.min(...ours[m].times) / Math.min(...sk.times[m]);
    console.log(`| ${m} | ${range(ours[m].times)} | ${range(sk.times[m])} | ${ratio.toFixed(2)}x ${ratio > 1 ? 'slower' : 'faster'} | ${Math.min(...ours[m].cpu).toFixed(2)} / ${Math.min(...sk.cpu[m]).toFixed(2)} | ${count(a)} / ${count(skLabels)} | ${adjustedRandIndex(a, skLabels).toFixed(6)} | ${samePartition(a, skLabels) ? 'yes' : 'no'} |`);
  }
  console.log(`\nload ${load()}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
