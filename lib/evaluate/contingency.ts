/**
 * The contingency table of a predicted clustering against the true identities: every metric of lib/evaluate
 * is computed from it, so a clustering is compared once and every figure agrees.
 *
 * Noise: a label of -1 (DBSCAN's noise, "not clustered") counts as a cluster of its own for every point, in the
 * prediction and in the truth alike. Noise points are then never "merged" with anything (no false merges, but
 * every same-person pair they take part in is missed), and every metric stays well defined. This is what a
 * user sees: a noise face is a face left alone. (scikit-learn would instead treat -1 as one big cluster.)
 *
 * Only the non-zero cells are kept (at most n), so memory is O(n) however many clusters there are.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';

/** Cluster labels: integers (-1 is noise) or strings (identity names). */
export type Labels = ArrayLike<number | string>;

export interface Contingency {
  /** Number of points. */
  n: number;
  /** Size of every predicted cluster (noise points are clusters of size 1). */
  predSizes: Float64Array;
  /** Size of every true cluster (identity). */
  truthSizes: Float64Array;
  /** Non-zero cells: predicted cluster, true cluster, and count, sorted by (pred, truth). */
  cellPred: Int32Array;
  cellTruth: Int32Array;
  cellCount: Float64Array;
  /** Number of points labelled -1 in the prediction. */
  nPredNoise: number;
  /** Clusters in the prediction, noise excluded. */
  nPredClusters: number;
}

/**
 * Relabels to dense ids 0..k-1 (first appearance order); every -1 gets a fresh id of its own.
 * Returns the ids, the number of ids and the number of noise points.
 */
export function denseLabels(fn: string, param: string, labels: Labels): { ids: Int32Array; k: number; nNoise: number; nClusters: number } {
  const n = labels.length;
  const ids = new Int32Array(n);
  const seen = new Map<number | string, number>();
  let k = 0;
  let nNoise = 0;
  for (let i = 0; i < n; i++) {
    const v = labels[i];
    if (typeof v === 'number') {
      if (!Number.isInteger(v) || v < -1) throw invalidParameter(fn, `${param}[${i}]`, 'an integer >= -1 (-1 is noise) or a string', v);
      if (v === -1) { ids[i] = k++; nNoise++; continue; }
    } else if (typeof v !== 'string') {
      throw invalidParameter(fn, `${param}[${i}]`, 'an integer >= -1 (-1 is noise) or a string', v);
    }
    let id = seen.get(v);
    if (id === undefined) { id = k++; seen.set(v, id); }
    ids[i] = id;
  }
  return { ids, k, nNoise, nClusters: seen.size };
}

/**
 * Builds the contingency table of `pred` (predicted clusters) against `truth` (true identities).
 * O(n log n) time (one sort of n keys), O(n) memory.
 */
export function contingencyTable(pred: Labels, truth: Labels, fn = 'contingencyTable'): Contingency {
  if (pred === null || typeof pred !== 'object' || typeof pred.length !== 'number') throw invalidParameter(fn, 'pred', 'an array of labels', pred);
  if (truth === null || typeof truth !== 'object' || typeof truth.length !== 'number') throw invalidParameter(fn, 'truth', 'an array of labels', truth);
  if (pred.length !== truth.length) {
    throw new FaceclusterError(fn, `truth must have one label per predicted label (${pred.length}), got length ${truth.length}.`, 'truth');
  }
  const n = pred.length;
  const p = denseLabels(fn, 'pred', pred);
  const t = denseLabels(fn, 'truth', truth);
  const predSizes = new Float64Array(p.k);
  const truthSizes = new Float64Array(t.k);
  // One key per point, pred-major; p.k * t.k <= n² < 2^53 for any n that fits in memory.
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    predSizes[p.ids[i]]++;
    truthSizes[t.ids[i]]++;
    keys[i] = p.ids[i] * t.k + t.ids[i];
  }
  keys.sort();
  let cells = 0;
  for (let i = 0; i < n; i++) if (i === 0 || keys[i] !== keys[i - 1]) cells++;
  const cellPred = new Int32Array(cells);
  const cellTruth = new Int32Array(cells);
  const cellCount = new Float64Array(cells);
  let c = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || keys[i] !== keys[i - 1]) {
      c++;
      cellPred[c] = Math.floor(keys[i] / t.k);
      cellTruth[c] = keys[i] - cellPred[c] * t.k;
    }
    cellCount[c]++;
  }
  return { n, predSizes, truthSizes, cellPred, cellTruth, cellCount, nPredNoise: p.nNoise, nPredClusters: p.nClusters };
}

/** n choose 2. */
export function pairs(k: number): number {
  return (k * (k - 1)) / 2;
}

/** Shannon entropy (natural log) of a partition given its cluster sizes summing to n; 0 for one cluster. */
export function entropyOfSizes(sizes: Float64Array, n: number): number {
  if (n === 0) return 0;
  const logN = Math.log(n);
  let h = 0;
  for (const s of sizes) if (s > 0) h -= (s / n) * (Math.log(s) - logN);
  return h;
}

/** Mutual information (natural log) between prediction and truth. */
export function mutualInformation(c: Contingency): number {
  const { n } = c;
  if (n === 0 || c.predSizes.length === 1 || c.truthSizes.length === 1) return 0;
  const logN = Math.log(n);
  let mi = 0;
  for (let i = 0; i < c.cellCount.length; i++) {
    const nij = c.cellCount[i];
    const a = c.predSizes[c.cellPred[i]];
    const b = c.truthSizes[c.cellTruth[i]];
    mi += (nij / n) * (Math.log(nij) + logN - Math.log(a) - Math.log(b));
  }
  return Math.max(0, mi);
}
