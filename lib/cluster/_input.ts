/**
 * Private helpers shared by the clustering functions: input checking (once, at the public entry), a flat
 * row-major copy of the embeddings (the input is never modified), seeded randomness, label relabelling.
 * Kernels past the entry assume valid input.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import type { ClusterResult, Metric } from '../types.ts';

/** The embeddings as one row-major Float32Array (a copy: callers may modify it freely). */
export interface Matrix {
  data: Float32Array;
  /** Rows (points). */
  n: number;
  /** Columns (dimensions); 0 when n = 0. */
  d: number;
}

/**
 * Checks `x` (an array of equally long Float32Array rows of finite numbers) and copies it into one flat
 * matrix. With `metric: 'cosine'` the copy's rows are scaled to unit length (a zero row is rejected). `alloc` makes
 * the flat array (zeros): a fresh Float32Array by default; k-means and clusterAuto take one on a SharedArrayBuffer
 * (`_threads.ts`'s `shared`), which the thread pool's tasks then read as it is instead of copying it again (2 GB less
 * at a million 512-d faces); native engines get plain copies of it.
 */
export function toMatrix(fn: string, x: unknown, metric: Metric = 'euclidean', alloc: (length: number) => Float32Array = (length) => new Float32Array(length)): Matrix {
  if (!Array.isArray(x)) throw invalidParameter(fn, 'x', 'an array of Float32Array rows', x);
  const n = x.length;
  if (n === 0) return { data: new Float32Array(0), n: 0, d: 0 };
  const first = x[0];
  if (!(first instanceof Float32Array)) throw invalidParameter(fn, 'x[0]', 'a Float32Array', first);
  const d = first.length;
  if (d === 0) throw invalidParameter(fn, 'x[0].length', '>= 1', 0);
  const data = alloc(n * d);
  for (let i = 0; i < n; i++) {
    const row = x[i];
    if (!(row instanceof Float32Array)) throw invalidParameter(fn, `x[${i}]`, 'a Float32Array', row);
    if (row.length !== d) throw invalidParameter(fn, `x[${i}].length`, `${d} (the length of x[0])`, row.length);
    for (let t = 0; t < d; t++) {
      const v = row[t];
      if (!Number.isFinite(v)) throw invalidParameter(fn, `x[${i}][${t}]`, 'a finite number', v);
    }
    data.set(row, i * d);
  }
  if (metric === 'cosine') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      const o = i * d;
      for (let t = 0; t < d; t++) s += data[o + t] * data[o + t];
      if (s === 0) throw new FaceclusterError(fn, `x[${i}] must be a non-zero vector for metric "cosine", got all zeros.`, 'x');
      const inv = 1 / Math.sqrt(s);
      for (let t = 0; t < d; t++) data[o + t] *= inv;
    }
  }
  return { data, n, d };
}

/** Distance between two vectors, computed directly in float64 (as {@link rowDistance}, for rows held apart). */
export function vectorDistance(a: Float32Array, b: Float32Array, metric: Metric): number {
  const d = a.length;
  let s = 0;
  if (metric === 'cosine') {
    for (let t = 0; t < d; t++) s += a[t] * b[t];
    return Math.max(0, 1 - s);
  }
  for (let t = 0; t < d; t++) { const v = a[t] - b[t]; s += v * v; }
  return Math.sqrt(s);
}

/** Distance between rows i and j of a matrix, computed directly in float64 (exact reference for boundaries). */
export function rowDistance(m: Matrix, i: number, j: number, metric: Metric): number {
  const { data, d } = m;
  const oi = i * d;
  const oj = j * d;
  if (metric === 'cosine') {
    let s = 0;
    for (let t = 0; t < d; t++) s += data[oi + t] * data[oj + t];
    return Math.max(0, 1 - s);
  }
  let s = 0;
  for (let t = 0; t < d; t++) {
    const v = data[oi + t] - data[oj + t];
    s += v * v;
  }
  return Math.sqrt(s);
}

/** Seeded 32-bit PRNG (mulberry32): same seed, same sequence. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = (seed >>> 0) ^ 0x9e3779b9;
  }
  /** Uniform integer in [0, 2^32). */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }
  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Standard normal (Box-Muller). */
  normal(): number {
    let u = 0;
    while (u === 0) u = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }
  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

/**
 * Renumbers arbitrary non-negative group ids to 0..k-1 in order of first appearance; negative ids stay -1.
 * Returns the new labels and k.
 */
export function relabel(groups: ArrayLike<number>): { labels: Int32Array; nClusters: number } {
  const n = groups.length;
  const labels = new Int32Array(n);
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (g < 0) { labels[i] = -1; continue; }
    let id = map.get(g);
    if (id === undefined) { id = map.size; map.set(g, id); }
    labels[i] = id;
  }
  return { labels, nClusters: map.size };
}

/** Builds a ClusterResult from group ids, adding the usual warnings for odd-but-legal outcomes. */
export function makeResult(groups: ArrayLike<number>, warnings: string[] = []): ClusterResult {
  const { labels, nClusters } = relabel(groups);
  const n = labels.length;
  if (n > 0) {
    let noise = 0;
    for (let i = 0; i < n; i++) if (labels[i] < 0) noise++;
    if (noise === n) warnings.push(`every point is noise (${n} points).`);
    else if (nClusters === 1 && n > 1) warnings.push(`all ${n - noise} clustered points are in one cluster.`);
    else if (nClusters === n && n > 1) warnings.push(`every point is its own cluster (${n} clusters).`);
  }
  return { labels, nClusters, warnings };
}

/** Median of a numeric array (copies; NaN-free input). */
export function median(values: ArrayLike<number>): number {
  const a = Float64Array.from(values as ArrayLike<number>).sort();
  const m = a.length >> 1;
  return a.length % 2 ? a[m] : (a[m - 1] + a[m]) / 2;
}
