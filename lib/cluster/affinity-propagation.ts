/**
 * Affinity Propagation: clustering by passing messages between points until a set of exemplars emerges.
 *
 * Frey & Dueck, "Clustering by Passing Messages Between Data Points", Science 315, 2007. The updates, the
 * convergence test (the exemplar set unchanged for `convergenceIter` iterations) and the final exemplar refinement
 * follow scikit-learn's `affinity_propagation` (without its tiny random noise on the similarities).
 * Similarity is the negative squared distance; the preference (self-similarity) sets how many exemplars appear.
 *
 * An iteration is two passes over the rows, each on every core (_threads.ts): the responsibilities of a row with its
 * share of the column sums, then the availabilities; the rows are split into fixed chunks whose column sums are added
 * in chunk order, so the result is the same on any number of threads (all of LFW: bench:sklearn).
 *
 * Complexity: O(n^2) memory (3 dense n x n float64 matrices on SharedArrayBuffers: 3.7 GB for 12,424 points, hence
 * the limit below) and O(maxIter n^2) time.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { makeResult, median, toMatrix } from './_input.ts';
import { condensedDistances } from './_knn.ts';
import { releaseShared, runTask, shared, splitRows, threadWarning, type ThreadTask } from './_threads.ts';

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

/** Chunks of rows of an iteration (fixed: the result never depends on the threads). */
const AP_CHUNKS = 32;

/** What an iteration shares with the threads (n x n float64 on SharedArrayBuffers). */
interface ApArgs {
  n: number;
  S: Float64Array;
  A: Float64Array;
  R: Float64Array;
  /** The damping. */
  lam: number;
  /** Chunk c is the rows `rows[c] .. rows[c+1]`. */
  rows: Int32Array;
  /** Chunk c's column sums of max(0, R) (R itself on the diagonal) over its rows, at `c n`. */
  colParts: Float64Array;
  /** Their sum, in chunk order. */
  colSum: Float64Array;
}

/**
 * Responsibilities of the rows of chunk c (scikit-learn's update: r(i, k) = s(i, k) - max over k' != k of a(i, k') +
 * s(i, k'), damped), and the chunk's column sums of max(0, r) (r on the diagonal) for the availabilities.
 */
function apResponsibilities(a: ApArgs, _s: object, c: number): number {
  const { n, S, A, R, lam, colParts } = a;
  const part = c * n;
  colParts.fill(0, part, part + n);
  const keep = 1 - lam;
  for (let i = a.rows[c]; i < a.rows[c + 1]; i++) {
    const row = i * n;
    let best = -Infinity, second = -Infinity, bi = -1;
    for (let k = 0; k < n; k++) {
      const v = A[row + k] + S[row + k];
      if (v > best) { second = best; best = v; bi = k; } else if (v > second) second = v;
    }
    for (let k = 0; k < n; k++) {
      const r = lam * R[row + k] + keep * (S[row + k] - (k === bi ? second : best));
      R[row + k] = r;
      colParts[part + k] += k === i || r > 0 ? r : 0;
    }
  }
  return 0;
}

/** Availabilities of the rows of chunk c: a(i, k) = min(0, colSum(k) - max(0, r(i, k))), a(k, k) = colSum(k) - r(k, k), damped. */
function apAvailabilities(a: ApArgs, _s: object, c: number): number {
  const { n, A, R, lam, colSum } = a;
  const keep = 1 - lam;
  for (let i = a.rows[c]; i < a.rows[c + 1]; i++) {
    const row = i * n;
    for (let k = 0; k < n; k++) {
      const r = R[row + k];
      let av: number;
      if (k === i) av = colSum[k] - r;
      else {
        av = colSum[k] - (r > 0 ? r : 0);
        if (av > 0) av = 0;
      }
      A[row + k] = lam * A[row + k] + keep * av;
    }
  }
  return 0;
}

const AP_RESPONSIBILITIES: ThreadTask<ApArgs, object, number> = { name: 'apResponsibilities', setup: () => ({}), chunk: apResponsibilities };
const AP_AVAILABILITIES: ThreadTask<ApArgs, object, number> = { name: 'apAvailabilities', setup: () => ({}), chunk: apAvailabilities };

/** Affinity propagation. Pure: the input is not modified; deterministic (the same on any number of threads). */
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
  const S = shared(Float64Array, n * n);
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
  const R = shared(Float64Array, n * n);
  const A = shared(Float64Array, n * n);
  const colParts = shared(Float64Array, AP_CHUNKS * n);
  const colSum = shared(Float64Array, n);
  const args: ApArgs = { n, S, A, R, lam: o.damping, rows: splitRows(n, AP_CHUNKS), colParts, colSum };
  const nChunks = args.rows.length - 1;
  const history = new Uint8Array(n * o.convergenceIter);
  let it = 0;
  let converged = false;
  const isEx = new Uint8Array(n);
  try {
    for (it = 0; it < o.maxIter; it++) {
      // responsibilities, and each chunk of rows' column sums of max(0, R) (R on the diagonal)
      runTask(AP_RESPONSIBILITIES, args, nChunks);
      // the column sums: the chunks' added in chunk order (the same numbers on any number of threads)
      colSum.fill(0);
      for (let c = 0; c < nChunks; c++) for (let k = 0, p = c * n; k < n; k++) colSum[k] += colParts[p + k];
      runTask(AP_AVAILABILITIES, args, nChunks);
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
  } finally {
    releaseShared(R, A, colParts, colSum);
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
  releaseShared(S);
  const pool = threadWarning();
  if (pool) warnings.push(pool);
  return { labels, nClusters: uniq.length, warnings, exemplars: Int32Array.from(uniq), nIter, converged };
}
