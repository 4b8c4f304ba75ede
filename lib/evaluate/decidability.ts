/**
 * Decidability d': how far apart an embedder puts one person's faces and different people's faces,
 * `d' = |mean_diff - mean_same| / sqrt((var_same + var_diff) / 2)` over the distances of every same-person and
 * every different-person pair. Larger is better; it does not depend on a threshold, so it compares embedders
 * (and predicts how well one threshold transfers between collections) better than a best-threshold accuracy.
 *
 * Daugman, "The importance of being random: statistical principles of iris recognition", Pattern Recognition
 * 36(2), 2003 (the decidability index d').
 *
 * Cost: O(n² d) time for n faces of dimension d, O(1) extra memory.
 */
import { FaceclusterError } from '../errors.ts';
import { checkOneOf, resolveOptions } from '../options.ts';
import type { Embedding, Metric } from '../types.ts';

export interface DecidabilityOptions {
  /** Distance between embeddings. @default 'euclidean' */
  metric: Metric;
}

export const DECIDABILITY_DEFAULTS: Readonly<DecidabilityOptions> = Object.freeze({ metric: 'euclidean' });

export interface DecidabilityResult {
  /** d' (NaN without both kinds of pair). */
  dPrime: number;
  sameMean: number;
  sameStd: number;
  differentMean: number;
  differentStd: number;
  nSamePairs: number;
  nDifferentPairs: number;
}

/** d' of `embeddings` labelled by `labels` (same label = same person); see the module comment. */
export function decidability(embeddings: readonly Embedding[], labels: ArrayLike<number | string>, options?: Partial<DecidabilityOptions>): DecidabilityResult {
  const fn = 'decidability';
  const o = resolveOptions(fn, DECIDABILITY_DEFAULTS, options);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  const n = embeddings.length;
  if (labels.length !== n) throw new FaceclusterError(fn, `labels must have one entry per embedding (${n}), got ${labels.length}.`, 'labels');
  const d = n > 0 ? embeddings[0].length : 0;
  for (const [i, e] of embeddings.entries()) {
    if (e.length !== d) throw new FaceclusterError(fn, `embeddings[${i}] must have length ${d}, got ${e.length}.`, 'embeddings');
  }
  const norms = embeddings.map((e) => Math.sqrt(e.reduce((s, v) => s + v * v, 0)));
  // Welford-free two-pass is unnecessary: sums of x and x² in float64 are exact enough for distances in [0, 2+].
  let ns = 0, ss = 0, ss2 = 0, nd = 0, sd = 0, sd2 = 0;
  for (let i = 0; i < n; i++) {
    const a = embeddings[i];
    for (let j = i + 1; j < n; j++) {
      const b = embeddings[j];
      let dist: number;
      if (o.metric === 'euclidean') {
        let s = 0;
        for (let k = 0; k < d; k++) {
          const t = a[k] - b[k];
          s += t * t;
        }
        dist = Math.sqrt(s);
      } else {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += a[k] * b[k];
        dist = 1 - dot / (norms[i] * norms[j] || 1);
      }
      if (labels[i] === labels[j]) {
        ns++; ss += dist; ss2 += dist * dist;
      } else {
        nd++; sd += dist; sd2 += dist * dist;
      }
    }
  }
  const sameMean = ns > 0 ? ss / ns : NaN;
  const differentMean = nd > 0 ? sd / nd : NaN;
  const sameVar = ns > 0 ? Math.max(0, ss2 / ns - sameMean * sameMean) : NaN;
  const diffVar = nd > 0 ? Math.max(0, sd2 / nd - differentMean * differentMean) : NaN;
  const pooled = Math.sqrt((sameVar + diffVar) / 2);
  return {
    dPrime: Math.abs(differentMean - sameMean) / pooled,
    sameMean,
    sameStd: Math.sqrt(sameVar),
    differentMean,
    differentStd: Math.sqrt(diffVar),
    nSamePairs: ns,
    nDifferentPairs: nd,
  };
}
