/**
 * Per-cluster majority purity: for every predicted cluster with at least two faces, the share of its faces that
 * belong to its most frequent person, averaged over those clusters (each cluster weighs the same, as a user
 * browsing "People" albums sees them). The other view of the seed projects.
 *
 * Clusters of one face (and noise, which is one face per cluster, see contingency.ts) are left out: they are
 * pure by construction and would hide merge errors. The face-weighted variant over all clusters is the classic
 * purity of Y. Zhao, G. Karypis, "Criterion Functions for Document Clustering: Experiments and Analysis",
 * University of Minnesota TR 01-40, 2001, close to BCubed precision.
 * NaN when no predicted cluster has two faces.
 */
import { contingencyTable, type Contingency, type Labels } from './contingency.ts';

/** Mean over predicted clusters of >= 2 faces of their majority person's share, in (0, 1] (NaN if none). */
export function majorityPurity(pred: Labels, truth: Labels): number {
  return majorityPurityFromContingency(contingencyTable(pred, truth, 'majorityPurity'));
}

export function majorityPurityFromContingency(c: Contingency): number {
  const majority = new Float64Array(c.predSizes.length);
  for (let i = 0; i < c.cellCount.length; i++) {
    const p = c.cellPred[i];
    if (c.cellCount[i] > majority[p]) majority[p] = c.cellCount[i];
  }
  let clusters = 0;
  let sum = 0;
  for (let p = 0; p < c.predSizes.length; p++) {
    if (c.predSizes[p] < 2) continue;
    clusters++;
    sum += majority[p] / c.predSizes[p];
  }
  return clusters === 0 ? NaN : sum / clusters;
}
