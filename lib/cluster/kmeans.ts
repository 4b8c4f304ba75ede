/**
 * k-means (Lloyd's algorithm) with k-means++ seeding and several restarts.
 *
 * Lloyd, "Least squares quantization in PCM", IEEE Trans. Information Theory 1982;
 * Arthur & Vassilvitskii, "k-means++: The Advantages of Careful Seeding", SODA 2007 (greedy variant with
 * 2 + ln k local trials, as scikit-learn).
 *
 * The iteration follows scikit-learn's `KMeans(algorithm="lloyd")`: assign every point to its nearest centre,
 * move each centre to its points' mean (an empty cluster takes the point farthest from its centre), stop when
 * the labels no longer change or the total squared centre shift is `<= tol * mean feature variance`; the labels
 * are then recomputed from the final centres. With an explicit `init` and one run it gives scikit-learn's
 * partition. The restart with the lowest inertia (sum of squared distances to the centres) wins.
 *
 * The assignment step is exact either way: the first of a run (and the second, and any after a step where the bounds
 * ruled out too little) compares every point with every centre (dot products and the nearest centre in WebAssembly
 * SIMD), the others use Elkan's bounds (C. Elkan, "Using the Triangle Inequality to Accelerate
 * k-Means", ICML 2003) and compute only the distances the bounds cannot rule out (see _kmeans-assign.ts), on every
 * core (_threads.ts: the same labels for any number of threads). A centre is recomputed only when its cluster gained
 * or lost points (the others' sums would be the same numbers).
 *
 * Complexity: O(nInit * maxIter * n * k * d) time at worst, far less once the centres settle; O((n + k) d + n k)
 * memory (the bounds, up to 2^26 of them; past that every step compares every pair).
 * Every point gets a cluster (k-means has no noise).
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import type { ClusterResult } from '../types.ts';
import { makeResult, Random, toMatrix, type Matrix } from './_input.ts';
import { ElkanAssigner, FullAssigner } from './_kmeans-assign.ts';
import { shared, threadWarning } from './_threads.ts';

export interface KMeansOptions {
  /**
   * Number of clusters k.
   * @default 8 — scikit-learn's default; for faces k is the number of people, which is rarely known: sweep it
   * (see CLUSTER_METHODS) or prefer a method that finds k itself.
   */
  nClusters: number;
  /**
   * `'k-means++'`, `'random'` (k distinct points), or the k initial centres (Float32Array rows, copied).
   * @default 'k-means++' — spreads the initial centres, provably O(log k)-competitive (Arthur & Vassilvitskii).
   */
  init: 'k-means++' | 'random' | Float32Array[];
  /**
   * Independent runs from different seeds; the lowest inertia wins. Forced to 1 for an explicit `init`.
   * @default 3 — a few restarts remove most bad local optima of k-means++ at 3x the cost.
   */
  nInit: number;
  /** Maximum Lloyd iterations per run. @default 300 — scikit-learn's default; runs converge far earlier. */
  maxIter: number;
  /**
   * Convergence tolerance, relative to the data's mean per-feature variance (scikit-learn's definition).
   * @default 1e-4 — scikit-learn's default.
   */
  tol: number;
  /** Seed of the k-means++ / random initialisation. @default 0 — reproducible by default. */
  seed: number;
}

export const KMEANS_DEFAULTS: Readonly<KMeansOptions> = Object.freeze({
  nClusters: 8,
  init: 'k-means++',
  nInit: 3,
  maxIter: 300,
  tol: 1e-4,
  seed: 0,
});

/** What {@link kmeans} returns: the partition plus the centres. */
export interface KMeansResult extends ClusterResult {
  /** Final centres (k rows). */
  centers: Float32Array[];
  /** Sum of squared euclidean distances of the points to their centres. */
  inertia: number;
  /** Lloyd iterations of the winning run. */
  nIter: number;
}

/** One Lloyd iteration, as {@link kmeansSteps} yields it. */
export interface KMeansStep {
  /** 1-based iteration number. */
  iteration: number;
  /** Labels computed from the centres this iteration started with. */
  labels: Int32Array;
  /** Centres after the update of this iteration (copies). */
  centers: Float32Array[];
  /** Inertia of `labels` with respect to the centres this iteration started with. */
  inertia: number;
  /** Total squared shift of the centres in this iteration. */
  centerShift: number;
  converged: boolean;
}

interface Checked {
  m: Matrix;
  o: KMeansOptions;
  explicit: Float64Array | null;
}

function check(fn: string, x: Float32Array[], options: Partial<KMeansOptions> | undefined): Checked {
  const o = resolveOptions(fn, KMEANS_DEFAULTS, options);
  checkInteger(fn, 'nClusters', o.nClusters, 1);
  checkInteger(fn, 'nInit', o.nInit, 1);
  checkInteger(fn, 'maxIter', o.maxIter, 1);
  checkNumber(fn, 'tol', o.tol, 0);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  // on a SharedArrayBuffer (reused from an earlier call when one was given back), for the assignment's threads
  const m = toMatrix(fn, x, 'euclidean', (length) => shared(Float32Array, length));
  if (m.n > 0 && o.nClusters > m.n) throw new FaceclusterError(fn, `nClusters must be <= the number of points (${m.n}), got ${o.nClusters}.`, 'nClusters');
  let explicit: Float64Array | null = null;
  if (Array.isArray(o.init)) {
    if (o.init.length !== o.nClusters) throw invalidParameter(fn, 'init', `${o.nClusters} rows (nClusters)`, o.init);
    explicit = new Float64Array(o.nClusters * m.d);
    o.init.forEach((row, c) => {
      if (!(row instanceof Float32Array) || row.length !== m.d || !row.every(Number.isFinite)) {
        throw invalidParameter(fn, `init[${c}]`, `a Float32Array of ${m.d} finite numbers`, row);
      }
      for (let t = 0; t < m.d; t++) explicit![c * m.d + t] = row[t];
    });
  } else if (o.init !== 'k-means++' && o.init !== 'random') {
    throw invalidParameter(fn, 'init', '"k-means++", "random" or an array of nClusters Float32Array rows', o.init);
  }
  return { m, o, explicit };
}

function kmeansPlusPlus(m: Matrix, k: number, rng: Random): Float64Array {
  const { n, d, data } = m;
  const centers = new Float64Array(k * d);
  const nTrials = 2 + Math.floor(Math.log(k));
  const closest = new Float64Array(n);
  const setCenter = (c: number, i: number) => { for (let t = 0; t < d; t++) centers[c * d + t] = data[i * d + t]; };
  const d2 = (i: number, j: number) => {
    let s = 0;
    for (let t = 0; t < d; t++) { const v = data[i * d + t] - data[j * d + t]; s += v * v; }
    return s;
  };
  const first = rng.nextInt(n);
  setCenter(0, first);
  let pot = 0;
  for (let i = 0; i < n; i++) { closest[i] = d2(i, first); pot += closest[i]; }
  const cand = new Float64Array(n);
  const bestCand = new Float64Array(n);
  for (let c = 1; c < k; c++) {
    let bestPot = Infinity, bestIdx = 0;
    for (let trial = 0; trial < nTrials; trial++) {
      // sample proportionally to the squared distance to the nearest chosen centre
      let r = rng.next() * pot, idx = 0;
      if (pot > 0) {
        for (idx = 0; idx < n - 1; idx++) { r -= closest[idx]; if (r < 0) break; }
      } else idx = rng.nextInt(n);
      let p = 0;
      for (let i = 0; i < n; i++) { cand[i] = Math.min(closest[i], d2(i, idx)); p += cand[i]; }
      if (p < bestPot) { bestPot = p; bestIdx = idx; bestCand.set(cand); }
    }
    setCenter(c, bestIdx);
    closest.set(bestCand);
    pot = bestPot;
  }
  return centers;
}

function randomInit(m: Matrix, k: number, rng: Random): Float64Array {
  const order = rng.shuffle(Int32Array.from({ length: m.n }, (_, i) => i));
  const centers = new Float64Array(k * m.d);
  for (let c = 0; c < k; c++) for (let t = 0; t < m.d; t++) centers[c * m.d + t] = m.data[order[c] * m.d + t];
  return centers;
}

function toRows(centers: Float64Array, k: number, d: number): Float32Array[] {
  return Array.from({ length: k }, (_, c) => Float32Array.from(centers.subarray(c * d, c * d + d)));
}

/**
 * Elkan's bounds are used while they take at most this many float32 (n x k, k rounded up to a multiple of 16): 2^26 is
 * 256 MB (LFW's 12,424 faces x 500 centres take 25 MB), and their WebAssembly memory with the group bounds, the points
 * and the sums stays under 1 GB; past it every step is the full assignment.
 */
const ELKAN_MAX_BOUNDS = 2 ** 26;

/** The assignment steps of a run: Elkan's bounds when they fit, else the full step every time. */
class Assignment {
  private full: FullAssigner;
  private elkan: ElkanAssigner | null;
  constructor(m: Matrix, k: number) {
    this.full = new FullAssigner(m, k);
    this.elkan = m.n * Math.ceil(k / 16) * 16 <= ELKAN_MAX_BOUNDS ? new ElkanAssigner(m, k, this.full) : null;
  }
  start(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    if (this.elkan) this.elkan.start(centers, labels, dist2);
    else this.full.assign(centers, labels, dist2);
  }
  next(centers: Float64Array, labels: Int32Array, dist2: Float64Array): void {
    if (this.elkan) this.elkan.assign(centers, labels, dist2);
    else this.full.assign(centers, labels, dist2);
  }
  centersMoved(shift2: Float64Array, labels: Int32Array): void {
    this.elkan?.centersMoved(shift2, labels);
  }
  relocated(i: number, from: number): void {
    this.elkan?.relocated(i, from);
  }
  /** The array of the centre sums (k x d) that {@link sumChanged} fills. */
  sumsArray(k: number, d: number): Float64Array {
    return this.elkan?.sums ?? new Float64Array(k * d);
  }
  /**
   * Zeroes the sums of the clusters with `changed[c]` and adds their points, in the order of the points (the numbers
   * of a sum from scratch): by the SIMD kernel where Elkan's assigner holds the points, else here.
   */
  sumChanged(m: Matrix, labels: Int32Array, changed: Uint8Array, sums: Float64Array): void {
    if (this.elkan?.sums === sums) {
      this.elkan.sumChanged(labels, changed);
      return;
    }
    const { n, d, data } = m;
    for (let c = 0; c < changed.length; c++) if (changed[c]) sums.fill(0, c * d, c * d + d);
    for (let i = 0; i < n; i++) {
      const c = labels[i];
      if (!changed[c]) continue;
      for (let t = 0; t < d; t++) sums[c * d + t] += data[i * d + t];
    }
  }
  /** After the last run: the shared arrays go back for later calls (their first touch costs page faults). */
  release(): void {
    this.elkan?.release();
    this.full.release();
  }
}

/**
 * One Lloyd run from `centers` (modified in place); yields every iteration, with copies of the labels and centres when
 * `copies` (kmeansSteps; kmeans only drives the run: its steps share the run's labels and have no centres).
 */
function* lloyd(m: Matrix, k: number, centers: Float64Array, o: KMeansOptions, assigner: Assignment, copies = true): Generator<KMeansStep, { labels: Int32Array; inertia: number; nIter: number }> {
  const { n, d, data } = m;
  // tolerance relative to the mean per-feature variance (scikit-learn's _tolerance)
  let meanVar = 0;
  for (let t = 0; t < d; t++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = data[i * d + t]; s += v; s2 += v * v; }
    const mu = s / n;
    meanVar += s2 / n - mu * mu;
  }
  const tol = (meanVar / d) * o.tol;
  const labels = new Int32Array(n);
  const prev = new Int32Array(n).fill(-1);
  const dist2 = new Float64Array(n);
  const sums = assigner.sumsArray(k, d);
  const counts = new Int32Array(k);
  const shift2 = new Float64Array(k);
  const changed = new Uint8Array(k);
  let strict = false;
  let iter = 0;
  for (iter = 1; iter <= o.maxIter; iter++) {
    if (iter === 1) assigner.start(centers, labels, dist2);
    else assigner.next(centers, labels, dist2);
    let inertia = 0;
    for (let i = 0; i < n; i++) inertia += dist2[i];
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[labels[i]]++;
    // only the clusters whose points changed get new sums and centres: the others' would be the same numbers
    if (iter === 1) changed.fill(1);
    else {
      changed.fill(0);
      for (let i = 0; i < n; i++) if (labels[i] !== prev[i]) { changed[labels[i]] = 1; changed[prev[i]] = 1; }
    }
    // empty clusters take the points farthest from their centres (scikit-learn's relocation)
    const empty: number[] = [];
    for (let c = 0; c < k; c++) if (counts[c] === 0) empty.push(c);
    const far = empty.length ? Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => dist2[b] - dist2[a] || a - b) : null;
    empty.forEach((c, e) => { changed[c] = 1; changed[labels[far![e]]] = 1; });
    assigner.sumChanged(m, labels, changed, sums);
    empty.forEach((c, e) => {
      const i = far![e];
      const old = labels[i];
      counts[old]--;
      for (let t = 0; t < d; t++) { sums[old * d + t] -= data[i * d + t]; sums[c * d + t] = data[i * d + t]; }
      counts[c] = 1;
      labels[i] = c;
      assigner.relocated(i, old);
    });
    let shift = 0;
    for (let c = 0; c < k; c++) {
      let s2 = 0;
      if (changed[c]) {
        for (let t = 0; t < d; t++) {
          const v = sums[c * d + t] / counts[c];
          const delta = v - centers[c * d + t];
          s2 += delta * delta;
          centers[c * d + t] = v;
        }
      }
      shift2[c] = s2;
      shift += s2;
    }
    assigner.centersMoved(shift2, labels);
    let same = true;
    for (let i = 0; i < n && same; i++) if (labels[i] !== prev[i]) same = false;
    strict = same;
    const converged = strict || shift <= tol;
    yield { iteration: iter, labels: copies ? Int32Array.from(labels) : labels, centers: copies ? toRows(centers, k, d) : [], inertia, centerShift: shift, converged };
    if (converged) break;
    prev.set(labels);
  }
  const nIter = Math.min(iter, o.maxIter);
  if (!strict) assigner.next(centers, labels, dist2);
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist2[i];
  return { labels, inertia, nIter };
}

function initialCenters(c: Checked, run: number): Float64Array {
  if (c.explicit) return Float64Array.from(c.explicit);
  const rng = new Random((c.o.seed + run * 0x9e3779b1) >>> 0);
  return c.o.init === 'random' ? randomInit(c.m, c.o.nClusters, rng) : kmeansPlusPlus(c.m, c.o.nClusters, rng);
}

/**
 * k-means clustering. Pure: the input is not modified; same seed, same output.
 * @example
 * ```ts
 * kmeans(embeddings, { nClusters: 40, seed: 1 }).labels
 * ```
 */
export function kmeans(x: Float32Array[], options?: Partial<KMeansOptions>): KMeansResult {
  const fn = 'kmeans';
  const c = check(fn, x, options);
  const { m, o } = c;
  if (m.n === 0) return { ...makeResult(new Int32Array(0)), centers: [], inertia: 0, nIter: 0 };
  const k = o.nClusters;
  const runs = c.explicit ? 1 : o.nInit;
  const assigner = new Assignment(m, k);
  let best: { labels: Int32Array; inertia: number; nIter: number; centers: Float64Array } | null = null;
  for (let run = 0; run < runs; run++) {
    const centers = initialCenters(c, run);
    const gen = lloyd(m, k, centers, o, assigner, false);
    let r = gen.next();
    while (!r.done) r = gen.next();
    if (!best || r.value.inertia < best.inertia) best = { ...r.value, centers };
  }
  assigner.release();
  const b = best!;
  const warnings: string[] = [];
  if (b.nIter >= o.maxIter) warnings.push(`did not converge in maxIter=${o.maxIter} iterations.`);
  const pool = threadWarning();
  if (pool) warnings.push(pool);
  // keep k-means' own cluster numbering (it indexes `centers`)
  const counts = new Int32Array(k);
  for (let i = 0; i < m.n; i++) counts[b.labels[i]]++;
  const res = makeResult(b.labels, warnings);
  return { labels: b.labels, nClusters: counts.filter((v) => v > 0).length, warnings: res.warnings, centers: toRows(b.centers, k, m.d), inertia: b.inertia, nIter: b.nIter };
}

/**
 * k-means as a generator that yields every Lloyd iteration of one run (the first initialisation of `seed`,
 * or the explicit `init`): for notebooks that animate the convergence. Same options as {@link kmeans}.
 */
export function* kmeansSteps(x: Float32Array[], options?: Partial<KMeansOptions>): Generator<KMeansStep, void> {
  const c = check('kmeansSteps', x, options);
  if (c.m.n === 0) return;
  const assigner = new Assignment(c.m, c.o.nClusters);
  yield* lloyd(c.m, c.o.nClusters, initialCenters(c, 0), c.o, assigner);
  assigner.release();
}
