/**
 * 1:1 face verification accuracy of a set of labelled embeddings: every pair of faces is a trial, "same person"
 * is predicted when the pair's distance is at most a threshold, and the single threshold that maximises the
 * accuracy over all pairs is found exactly.
 *
 * This is the protocol of LFW's verification benchmark (Huang, Ramesh, Berg, Learned-Miller, "Labeled Faces in
 * the Wild: A Database for Studying Face Recognition in Unconstrained Environments", UMass Amherst TR 07-49,
 * 2007), applied to all pairs of the given set instead of the 6,000 fixed pairs, with the threshold chosen on
 * the same pairs (an optimistic, but embedder-comparable, figure).
 *
 * Note: over all pairs, different-person pairs vastly outnumber same-person pairs (on LFW about 300 to 1), so
 * `accuracy` is dominated by them; `balancedAccuracy` (mean of the true-accept and true-reject rates, at its own
 * best threshold) weighs both kinds equally and is the better figure for comparing embedders.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkOneOf, resolveOptions } from '../options.ts';
import type { Embedding, Metric } from '../types.ts';

export interface VerificationOptions {
  /**
   * Distance between embeddings: `euclidean`, or `cosine` (1 - cosine similarity).
   * @default 'euclidean' — face-api's ResNet descriptors are compared with the euclidean distance (its
   * recommended match threshold, 0.6, is a euclidean one).
   */
  metric: Metric;
}

export const VERIFICATION_DEFAULTS: Readonly<VerificationOptions> = Object.freeze({ metric: 'euclidean' });

export interface VerificationResult {
  /** Share of all pairs classified right at `threshold`, in [0, 1]. */
  accuracy: number;
  /**
   * The best threshold: a pair is "same person" when its distance is <= threshold. It lies midway between the
   * largest accepted and the smallest rejected distance; `-Infinity` when rejecting every pair is best (e.g. no
   * same-person pairs), the largest distance when accepting every pair is best.
   */
  threshold: number;
  /** (true-accept rate + true-reject rate) / 2 at `balancedThreshold`, in [0, 1]; NaN without both kinds of pair. */
  balancedAccuracy: number;
  /** The threshold that maximises `balancedAccuracy` (same convention as `threshold`). */
  balancedThreshold: number;
  nSamePairs: number;
  nDifferentPairs: number;
}

const METRICS: readonly Metric[] = ['euclidean', 'cosine'];

/**
 * Verification accuracy over all n(n-1)/2 pairs at the best single threshold.
 *
 * @param embeddings n embeddings of the same length.
 * @param labels n identity labels (numbers or strings); equal labels are the same person.
 * @returns accuracy, threshold, balanced accuracy and pair counts; see {@link VerificationResult}.
 *
 * Complexity: O(n² d) time for the distances, O(n² log n) for one sort of each kind of pair, and O(n²) memory
 * (4 bytes a pair): all of LFW, 12,424 faces and 77 million pairs, took 41 s and 440 MB of memory on the
 * project's 2-core machine under a load average of 6.
 *
 * @example
 * verificationAccuracy([a0, a1, b0], ['a', 'a', 'b']) // pairs: (a0,a1) same, (a0,b0), (a1,b0) different
 */
export function verificationAccuracy(
  embeddings: readonly Embedding[],
  labels: ArrayLike<number | string>,
  options?: Partial<VerificationOptions>,
): VerificationResult {
  const fn = 'verificationAccuracy';
  const o = resolveOptions(fn, VERIFICATION_DEFAULTS, options);
  checkOneOf(fn, 'metric', o.metric, METRICS);
  if (!Array.isArray(embeddings)) throw invalidParameter(fn, 'embeddings', 'an array of Float32Array', embeddings);
  const n = embeddings.length;
  if (labels.length !== n) {
    throw new FaceclusterError(fn, `labels must have one entry per embedding (${n}), got length ${labels.length}.`, 'labels');
  }
  const d = n > 0 ? embeddings[0].length : 0;
  for (let i = 0; i < n; i++) {
    if (embeddings[i].length !== d) {
      throw new FaceclusterError(fn, `embeddings must all have the same length (${d}), got length ${embeddings[i].length} at index ${i}.`, 'embeddings');
    }
  }
  // Integer identity per point, so the inner loop compares numbers.
  const ids = new Int32Array(n);
  const seen = new Map<number | string, number>();
  for (let i = 0; i < n; i++) {
    let id = seen.get(labels[i]);
    if (id === undefined) { id = seen.size; seen.set(labels[i], id); }
    ids[i] = id;
  }
  const sizes = new Float64Array(seen.size);
  for (let i = 0; i < n; i++) sizes[ids[i]]++;
  let nSame = 0;
  for (const s of sizes) nSame += (s * (s - 1)) / 2;
  const nPairs = (n * (n - 1)) / 2;
  const nDiff = nPairs - nSame;

  const rows = prepare(embeddings, o.metric);
  const same = new Float32Array(nSame);
  const diff = new Float32Array(nDiff);
  let si = 0;
  let di = 0;
  for (let i = 0; i < n; i++) {
    const a = rows[i];
    for (let j = i + 1; j < n; j++) {
      const b = rows[j];
      let dist: number;
      if (o.metric === 'cosine') {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += a[k] * b[k];
        dist = 1 - dot;
      } else {
        let s = 0;
        for (let k = 0; k < d; k++) { const t = a[k] - b[k]; s += t * t; }
        dist = Math.sqrt(s);
      }
      if (ids[i] === ids[j]) same[si++] = dist; else diff[di++] = dist;
    }
  }
  same.sort();
  diff.sort();
  const best = bestThresholds(same, diff);
  return { ...best, nSamePairs: nSame, nDifferentPairs: nDiff };
}

/** Euclidean: the rows as they are; cosine: unit-length copies (a zero vector stays zero: distance 1 to all). */
function prepare(embeddings: readonly Embedding[], metric: Metric): Float32Array[] | readonly Embedding[] {
  if (metric === 'euclidean') return embeddings;
  return embeddings.map((e) => {
    let s = 0;
    for (let k = 0; k < e.length; k++) s += e[k] * e[k];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    const out = new Float32Array(e.length);
    for (let k = 0; k < e.length; k++) out[k] = e[k] * inv;
    return out;
  });
}

/**
 * Walks the merged sorted distances once, group of equal distances by group, and keeps the cut (accept every
 * distance <= t) with the highest accuracy and the highest balanced accuracy. Ties keep the smallest threshold.
 * Exported for tests.
 */
export function bestThresholds(same: Float32Array, diff: Float32Array): Omit<VerificationResult, 'nSamePairs' | 'nDifferentPairs'> {
  const nS = same.length;
  const nD = diff.length;
  const total = nS + nD;
  if (total === 0) return { accuracy: NaN, threshold: NaN, balancedAccuracy: NaN, balancedThreshold: NaN };
  // Cut before every distance: reject all.
  let acceptedSame = 0;
  let acceptedDiff = 0;
  let bestAcc = nD / total;
  let bestAccValue = -Infinity;
  const balanced = (aS: number, aD: number) => (nS > 0 && nD > 0 ? (aS / nS + (nD - aD) / nD) / 2 : NaN);
  let bestBal = balanced(0, 0);
  let bestBalValue = -Infinity;
  let bestAccNext = Math.min(nS ? same[0] : Infinity, nD ? diff[0] : Infinity);
  let bestBalNext = bestAccNext;
  let i = 0;
  let j = 0;
  while (i < nS || j < nD) {
    const v = Math.min(i < nS ? same[i] : Infinity, j < nD ? diff[j] : Infinity);
    while (i < nS && same[i] === v) { i++; acceptedSame++; }
    while (j < nD && diff[j] === v) { j++; acceptedDiff++; }
    const next = Math.min(i < nS ? same[i] : Infinity, j < nD ? diff[j] : Infinity);
    const acc = (acceptedSame + (nD - acceptedDiff)) / total;
    if (acc > bestAcc) { bestAcc = acc; bestAccValue = v; bestAccNext = next; }
    const bal = balanced(acceptedSame, acceptedDiff);
    if (bal > bestBal) { bestBal = bal; bestBalValue = v; bestBalNext = next; }
  }
  return {
    accuracy: bestAcc,
    threshold: midpoint(bestAccValue, bestAccNext),
    balancedAccuracy: bestBal,
    balancedThreshold: nS > 0 && nD > 0 ? midpoint(bestBalValue, bestBalNext) : NaN,
  };
}

/** Midway between the last accepted and first rejected distance; -Infinity when nothing is accepted. */
function midpoint(lastAccepted: number, firstRejected: number): number {
  if (lastAccepted === -Infinity) return -Infinity;
  if (firstRejected === Infinity) return lastAccepted;
  // Float32 distances: the midpoint in float64 is strictly between them, so `d <= t` reproduces the cut.
  return (lastAccepted + firstRejected) / 2;
}
