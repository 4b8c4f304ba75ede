/**
 * Affinity Propagation: clustering by passing messages between points until a set of exemplars emerges.
 *
 * Frey & Dueck, "Clustering by Passing Messages Between Data Points", Science 315, 2007. The updates, the
 * convergence test (the exemplar set unchanged for `convergenceIter` iterations) and the final exemplar refinement
 * follow scikit-learn's `affinity_propagation` (without its tiny random noise on the similarities).
 * Similarity is the negative squared distance; the preference (self-similarity) sets how many exemplars appear.
 *
 * Complexity: O(n^2) memory (3 dense n x n float64 matrices: 3.7 GB for 12,424 points, hence the limit below)
 * and O(maxIter n^2) time.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { makeResult, median, toMatrix } from './_input.ts';
import { condensedDistances } from './_knn.ts';

export interface AffinityPropagationOptions {
  /**
   * Damping of the messages, in [0.5, 1).
   * @default 0.9 — face embeddings oscillate with scikit-learn's 0.5; 0.9 is Frey & Dueck's advice for
   * oscillating data at the price of more iterations.
   */
  damping: number;
  /**
   * Self-similarity of every point: `'median'` (of all similarities, Frey & Dueck's default: a moderate number
   * of clusters), `'min'` (fewer clusters) or a number (higher gives more clusters; similarities are -distance^2).
   * @default -0.3 — measured best BCubed F on the first 3,000 LFW faces (face-api, euclidean) among -0.6 .. -0.1:
   * BCubed F 0.786, 991 clusters; `'median'` (the paper's and scikit-learn's default) gives only 258 clusters and
   * BCubed F 0.58 there, as a photo collection has many people with one or two photos.
   */
  preference: 'median' | 'min' | number;
  /** Maximum iterations. @default 200 — scikit-learn's default. */
  maxIter: number;
  /** Stop when the exemplars are unchanged for this many iterations. @default 15 — scikit-learn's default. */
  convergenceIter: number;
  /** Distance. @default 'euclidean' — face-api descriptors are trained for it. */
  metric: Metric;
}

export const AFFINITY_PROPAGATION_DEFAULTS: Readonly<AffinityPropagationOptions> = Object.freeze({
  damping: 0.9,
  preference: -0.3,
  maxIter: 200,
  convergenceIter: 15,
  metric: 'euclidean',
});

/** Largest n accepted (three dense n x n float64 matrices). */
export const AFFINITY_PROPAGATION_MAX_POINTS = 15_000;

export interface AffinityPropagationResult extends ClusterResult {
  /** Index of each cluster's exemplar. */
  exemplars: Int32Array;
  nIter: number;
  converged: boolean;
}

/** Affinity propagation. Pure: the input is not modified; deterministic. */
export function affinityPropagation(x: Float32Array[], options?: Partial<AffinityPropagationOptions>): AffinityPropagationResult {
  const fn = 'affinityPropagation';
  const o = resolveOptions(fn, AFFINITY_PROPAGATION_DEFAULTS, options);
  checkNumber(fn, 'damping', o.damping, 0.5, 0.999999);
  if (o.preference !== 'median' && o.preference !== 'min') checkNumber(fn, 'preference', o.preference);
  checkInteger(fn, 'maxIter', o.maxIter, 1);
  checkInteger(fn, 'convergenceIter', o.convergenceIter, 1);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  const m = toMatrix(fn, x, o.metric);
  const n = m.n;
  if (n > AFFINITY_PROPAGATION_MAX_POINTS) {
    throw new FaceclusterError(fn, `x must have at most ${AFFINITY_PROPAGATION_MAX_POINTS} rows (dense n x n messages), got ${n}.`, 'x');
  }
  if (n === 0) return { ...makeResult(new Int32Array(0)), exemplars: new Int32Array(0), nIter: 0, converged: true };
  if (n === 1) return { ...makeResult(new Int32Array(1)), exemplars: Int32Array.of(0), nIter: 0, converged: true };
  const cd = condensedDistances(m, o.metric, true);
  const S = new Float64Array(n * n);
  let e = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) { S[i * n + j] = S[j * n + i] = -cd[e++]; }
  let pref: number;
  if (typeof o.preference === 'number') pref = o.preference;
  else if (o.preference === 'min') { pref = Infinity; for (let t = 0; t < n * n; t++) if (S[t] < pref) pref = S[t]; }
  else pref = median(S); // scikit-learn: median of the full matrix, zero diagonal included
  for (let i = 0; i < n; i++) S[i * n + i] = pref;
  // scikit-learn's degenerate case: all off-diagonal similarities equal (e.g. all points duplicates)
  let equal = true;
  for (let t = 0; t < cd.length && equal; t++) if (cd[t] !== cd[0]) equal = false;
  if (equal) {
    const warnings = ['all points have mutually equal similarities: the result is arbitrary.'];
    if (pref >= -cd[0]) return { labels: Int32Array.from({ length: n }, (_, i) => i), nClusters: n, warnings, exemplars: Int32Array.from({ length: n }, (_, i) => i), nIter: 0, converged: true };
    return { labels: new Int32Array(n), nClusters: 1, warnings, exemplars: Int32Array.of(0), nIter: 0, converged: true };
  }
  const R = new Float64Array(n * n);
  const A = new Float64Array(n * n);
  const colSum = new Float64Array(n);
  const history = new Uint8Array(n * o.convergenceIter);
  const lam = o.damping;
  let it = 0;
  let converged = false;
  const isEx = new Uint8Array(n);
  for (it = 0; it < o.maxIter; it++) {
    // responsibilities
    for (let i = 0; i < n; i++) {
      let best = -Infinity, second = -Infinity, bi = -1;
      const row = i * n;
      for (let k = 0; k < n; k++) {
        const v = A[row + k] + S[row + k];
        if (v > best) { second = best; best = v; bi = k; } else if (v > second) second = v;
      }
      for (let k = 0; k < n; k++) {
        const r = S[row + k] - (k === bi ? second : best);
        R[row + k] = lam * R[row + k] + (1 - lam) * r;
      }
    }
    // availabilities
    colSum.fill(0);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let k = 0; k < n; k++) colSum[k] += i === k ? R[row + k] : Math.max(0, R[row + k]);
    }
    for (let i = 0; i < n; i++) {
      const row = i * n;
      for (let k = 0; k < n; k++) {
        const rp = i === k ? R[row + k] : Math.max(0, R[row + k]);
        let a = colSum[k] - rp;
        if (i !== k) a = Math.min(0, a);
        A[row + k] = lam * A[row + k] + (1 - lam) * a;
      }
    }
    let K = 0;
    const slot = it % o.convergenceIter;
    for (let i = 0; i < n; i++) {
      isEx[i] = A[i * n + i] + R[i * n + i] > 0 ? 1 : 0;
      history[i * o.convergenceIter + slot] = isEx[i];
      K += isEx[i];
    }
    if (it >= o.convergenceIter) {
      let stable = true;
      for (let i = 0; i < n && stable; i++) {
        let s = 0;
        for (let c = 0; c < o.convergenceIter; c++) s += history[i * o.convergenceIter + c];
        if (s !== 0 && s !== o.convergenceIter) stable = false;
      }
      if (stable && K > 0) { converged = true; break; }
    }
  }
  const nIter = Math.min(it + 1, o.maxIter);
  const warnings: string[] = [];
  if (!converged) warnings.push(`did not converge in maxIter=${o.maxIter} iterations.`);
  let ex: number[] = [];
  for (let i = 0; i < n; i++) if (isEx[i]) ex.push(i);
  if (ex.length === 0) {
    warnings.push('no exemplar emerged: every point is labelled noise.');
    return { labels: new Int32Array(n).fill(-1), nClusters: 0, warnings, exemplars: new Int32Array(0), nIter, converged };
  }
  const assign = (exs: number[]): Int32Array => {
    const c = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = -Infinity, bk = 0;
      for (let k = 0; k < exs.length; k++) { const v = S[i * n + exs[k]]; if (v > best) { best = v; bk = k; } }
      c[i] = bk;
    }
    exs.forEach((p, k) => { c[p] = k; });
    return c;
  };
  // refine: each cluster's exemplar becomes the member with the largest summed similarity to its cluster
  let c = assign(ex);
  ex = ex.map((_, k) => {
    const members: number[] = [];
    for (let i = 0; i < n; i++) if (c[i] === k) members.push(i);
    let best = -Infinity, bj = members[0];
    for (const j of members) {
      let s = 0;
      for (const i of members) s += S[i * n + j];
      if (s > best) { best = s; bj = j; }
    }
    return bj;
  });
  c = assign(ex);
  const labelsEx = Array.from(c, (k) => ex[k]);
  const uniq = [...new Set(labelsEx)].sort((a, b) => a - b);
  const rankOf = new Map(uniq.map((p, r) => [p, r] as [number, number]));
  const labels = Int32Array.from(labelsEx, (p) => rankOf.get(p) as number);
  return { labels, nClusters: uniq.length, warnings, exemplars: Int32Array.from(uniq), nIter, converged };
}
