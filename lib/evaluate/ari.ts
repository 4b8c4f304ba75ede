/**
 * Adjusted Rand index: the Rand index (share of pairs on which prediction and truth agree) corrected for the
 * agreement expected by chance under fixed cluster sizes; 1 is perfect, 0 is chance, negative is worse.
 *
 * Reference: L. Hubert, P. Arabie, "Comparing Partitions", Journal of Classification 2(1), 1985.
 *
 * Matches `sklearn.metrics.adjusted_rand_score` (1.2) to 1e-9 once -1 is made one cluster per point, including
 * its limit case: 1 when prediction and truth agree on every pair (n = 0 and n = 1 included). Symmetric.
 */
import { contingencyTable, pairs, type Contingency, type Labels } from './contingency.ts';

/** ARI of `pred` against `truth`, in [-1, 1]. O(n log n). */
export function adjustedRandIndex(pred: Labels, truth: Labels): number {
  return ariFromContingency(contingencyTable(pred, truth, 'adjustedRandIndex'));
}

export function ariFromContingency(c: Contingency): number {
  let tp = 0;
  for (const nij of c.cellCount) tp += pairs(nij);
  let a = 0;
  for (const s of c.predSizes) a += pairs(s);
  let b = 0;
  for (const s of c.truthSizes) b += pairs(s);
  // Pair confusion counts, as scikit-learn forms them: fp = predicted together but different people, etc.
  const fp = a - tp;
  const fn = b - tp;
  if (fp === 0 && fn === 0) return 1;
  const tn = pairs(c.n) - tp - fp - fn;
  return (2 * (tp * tn - fn * fp)) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn));
}
