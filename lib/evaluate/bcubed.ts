/**
 * BCubed precision, recall and F1: per face, precision is the share of its predicted cluster that is the same
 * person, recall the share of its person that is in its predicted cluster; both are averaged over faces and F1
 * is their harmonic mean.
 *
 * References: A. Bagga, B. Baldwin, "Entity-Based Cross-Document Coreferencing Using the Vector Space Model",
 * COLING-ACL 1998; E. Amigó, J. Gonzalo, J. Artiles, F. Verdejo, "A comparison of extrinsic clustering
 * evaluation metrics based on formal constraints", Information Retrieval 12(4), 2009 (which shows BCubed is
 * the only one of the common metrics meeting all four of their constraints). Otto et al. (TPAMI 2018) report it
 * for face clustering.
 *
 * Unlike pairwise scores, every face weighs the same, so one big cluster does not dominate.
 * Noise (-1) is a cluster of its own per point (see contingency.ts): precision 1 and recall 1/|person| for it.
 * n = 0 gives 1 for all three.
 */
import { contingencyTable, type Contingency, type Labels } from './contingency.ts';
import { harmonicMean, type PrecisionRecallF1 } from './pairwise.ts';

/** BCubed precision, recall and F1 of `pred` against `truth`. O(n log n). */
export function bcubedScores(pred: Labels, truth: Labels): PrecisionRecallF1 {
  return bcubedFromContingency(contingencyTable(pred, truth, 'bcubedScores'));
}

export function bcubedFromContingency(c: Contingency): PrecisionRecallF1 {
  if (c.n === 0) return { precision: 1, recall: 1, f1: 1 };
  // Sum over faces of |C(i) ∩ L(i)| / |C(i)| = sum over cells of n_ij² / a_i (n_ij faces each see n_ij).
  let p = 0;
  let r = 0;
  for (let i = 0; i < c.cellCount.length; i++) {
    const nij = c.cellCount[i];
    p += (nij * nij) / c.predSizes[c.cellPred[i]];
    r += (nij * nij) / c.truthSizes[c.cellTruth[i]];
  }
  const precision = p / c.n;
  const recall = r / c.n;
  return { precision, recall, f1: harmonicMean(precision, recall) };
}
