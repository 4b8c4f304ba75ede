/**
 * Homogeneity (each predicted cluster holds one person), completeness (each person is in one predicted cluster)
 * and their harmonic mean, the V-measure, all from conditional entropies.
 *
 * Reference: A. Rosenberg, J. Hirschberg, "V-Measure: A Conditional Entropy-Based External Cluster Evaluation
 * Measure", EMNLP-CoNLL 2007.
 *
 * Matches `sklearn.metrics.homogeneity_completeness_v_measure` (1.2, beta = 1) to 1e-9 once -1 is made one
 * cluster per point, including its limit cases: a side with zero entropy scores 1; n = 0 gives 1, 1, 1.
 * Homogeneity and completeness swap when prediction and truth swap; the V-measure is symmetric.
 */
import { contingencyTable, entropyOfSizes, mutualInformation, type Contingency, type Labels } from './contingency.ts';

export interface VMeasureScores {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** Homogeneity, completeness and V-measure of `pred` against `truth`, each in [0, 1]. O(n log n). */
export function vMeasureScores(pred: Labels, truth: Labels): VMeasureScores {
  return vMeasureFromContingency(contingencyTable(pred, truth, 'vMeasureScores'));
}

export function vMeasureFromContingency(c: Contingency): VMeasureScores {
  if (c.n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const ht = entropyOfSizes(c.truthSizes, c.n);
  const hp = entropyOfSizes(c.predSizes, c.n);
  const mi = mutualInformation(c);
  const homogeneity = ht ? mi / ht : 1;
  const completeness = hp ? mi / hp : 1;
  const vMeasure = homogeneity + completeness === 0 ? 0 : (2 * homogeneity * completeness) / (homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}
