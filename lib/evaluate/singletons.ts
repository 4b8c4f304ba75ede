/**
 * Share of one-photo people left alone: of the people with exactly one face in the set, the share whose face
 * is in a predicted cluster of size 1 (or is noise). One of the two views the seed projects reported on the
 * LFW 120-face subset (80 of its 120 people have one photo): a good clustering must not attach a stranger's
 * single face to someone else.
 *
 * This is a recall of "singleton-ness" restricted to true singletons; it is 1 for the trivial all-singletons
 * prediction, so read it beside a precision-like metric (BCubed F, majority purity).
 * NaN when nobody in the truth has exactly one face.
 */
import { contingencyTable, type Contingency, type Labels } from './contingency.ts';

/** Share of true one-face people whose face is alone in its predicted cluster, in [0, 1] (NaN if none). */
export function singletonShare(pred: Labels, truth: Labels): number {
  return singletonShareFromContingency(contingencyTable(pred, truth, 'singletonShare'));
}

export function singletonShareFromContingency(c: Contingency): number {
  let people = 0;
  let alone = 0;
  for (let i = 0; i < c.cellCount.length; i++) {
    if (c.truthSizes[c.cellTruth[i]] !== 1) continue;
    people++;
    if (c.predSizes[c.cellPred[i]] === 1) alone++;
  }
  return people === 0 ? NaN : alone / people;
}
