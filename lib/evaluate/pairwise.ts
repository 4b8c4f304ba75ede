/**
 * Pairwise precision, recall and F1: every pair of faces is a decision ("same person" when the two are in one
 * predicted cluster). Precision is the share of predicted same-cluster pairs that are the same person, recall
 * the share of same-person pairs that share a predicted cluster.
 *
 * Reference: C. Otto, D. Wang, A. K. Jain, "Clustering Millions of Faces by Identity", IEEE TPAMI 40(2), 2018
 * (the face-clustering use, on LFW); the pair-counting view is that of W. M. Rand, "Objective Criteria for the
 * Evaluation of Clustering Methods", JASA 66(336), 1971.
 *
 * Large clusters weigh quadratically: one wrong merge of two big clusters costs many pairs.
 * Noise (-1) is a cluster of its own per point (see contingency.ts). Conventions for empty denominators: no
 * predicted pairs gives precision 1 (no wrong merge was made), no true pairs gives recall 1, and n = 0 gives 1
 * for all three (nothing to get wrong).
 */
import { contingencyTable, pairs, type Contingency, type Labels } from './contingency.ts';

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall (0 when both are 0). */
  f1: number;
}

/** Pairwise precision, recall and F1 of `pred` against `truth`. O(n log n). */
export function pairwiseScores(pred: Labels, truth: Labels): PrecisionRecallF1 {
  return pairwiseFromContingency(contingencyTable(pred, truth, 'pairwiseScores'));
}

export function pairwiseFromContingency(c: Contingency): PrecisionRecallF1 {
  let tp = 0;
  for (const nij of c.cellCount) tp += pairs(nij);
  let predPairs = 0;
  for (const a of c.predSizes) predPairs += pairs(a);
  let truePairs = 0;
  for (const b of c.truthSizes) truePairs += pairs(b);
  const precision = predPairs === 0 ? 1 : tp / predPairs;
  const recall = truePairs === 0 ? 1 : tp / truePairs;
  return { precision, recall, f1: harmonicMean(precision, recall) };
}

/** 2pr / (p + r), 0 when both are 0. */
export function harmonicMean(p: number, r: number): number {
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}
