/**
 * Normalized mutual information: the mutual information of prediction and truth divided by the arithmetic
 * mean of their entropies (scikit-learn's default `average_method='arithmetic'`, which equals the V-measure).
 *
 * Reference: A. Strehl, J. Ghosh, "Cluster Ensembles — A Knowledge Reuse Framework for Combining Multiple
 * Partitions", JMLR 3, 2002; the normalisation variants in N. X. Vinh, J. Epps, J. Bailey, "Information
 * Theoretic Measures for Clusterings Comparison", JMLR 11, 2010.
 *
 * Matches `sklearn.metrics.normalized_mutual_info_score` (1.2) to 1e-9 once -1 is made one cluster per point,
 * including its limit cases: 1 when both sides are one cluster (or n = 0); 0 when the mutual information is 0.
 * Symmetric. Favours many small clusters less than purity does, but still rises with the number of clusters.
 */
import { contingencyTable, entropyOfSizes, mutualInformation, type Contingency, type Labels } from './contingency.ts';

/** NMI (arithmetic normalisation) of `pred` against `truth`, in [0, 1]. O(n log n). */
export function normalizedMutualInfo(pred: Labels, truth: Labels): number {
  return nmiFromContingency(contingencyTable(pred, truth, 'normalizedMutualInfo'));
}

export function nmiFromContingency(c: Contingency): number {
  const kp = c.predSizes.length;
  const kt = c.truthSizes.length;
  if ((kp === 1 && kt === 1) || (kp === 0 && kt === 0)) return 1;
  const mi = mutualInformation(c);
  if (mi === 0) return 0;
  const hp = entropyOfSizes(c.predSizes, c.n);
  const ht = entropyOfSizes(c.truthSizes, c.n);
  return mi / ((hp + ht) / 2);
}
