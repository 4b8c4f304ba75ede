/**
 * Every clustering metric of lib/evaluate at once, from one contingency table (O(n log n) time, O(n) memory:
 * a few milliseconds for LFW's 12k faces, about 0.3 s for a million on this project's 2-core machine).
 *
 * Noise (-1) counts as a cluster of its own per point (see contingency.ts); `nClusters` excludes noise and
 * `nNoise` counts it.
 */
import { ariFromContingency } from './ari.ts';
import { bcubedFromContingency } from './bcubed.ts';
import { contingencyTable, type Labels } from './contingency.ts';
import { nmiFromContingency } from './nmi.ts';
import { pairwiseFromContingency } from './pairwise.ts';
import { majorityPurityFromContingency } from './purity.ts';
import { singletonShareFromContingency } from './singletons.ts';
import { vMeasureFromContingency } from './v-measure.ts';

/** All metrics of a predicted clustering against the truth; higher is better for all scores. */
export interface ClusteringMetrics {
  /** Number of faces. */
  n: number;
  /** Predicted clusters, noise excluded. */
  nClusters: number;
  /** Faces labelled -1 (noise) in the prediction. */
  nNoise: number;
  /** People (true clusters). */
  nIdentities: number;
  pairwisePrecision: number;
  pairwiseRecall: number;
  pairwiseF1: number;
  bcubedPrecision: number;
  bcubedRecall: number;
  bcubedF1: number;
  /** Normalized mutual information, arithmetic normalisation. */
  nmi: number;
  /** Adjusted Rand index. */
  ari: number;
  homogeneity: number;
  completeness: number;
  vMeasure: number;
  /** Share of one-face people left alone (NaN when there are none). */
  singletonShare: number;
  /** Mean majority share of predicted clusters with >= 2 faces (NaN when there are none). */
  majorityPurity: number;
}

/** The names of the scores in {@link ClusteringMetrics} (the counts excluded), in table order. */
export const SCORE_NAMES = [
  'pairwisePrecision', 'pairwiseRecall', 'pairwiseF1',
  'bcubedPrecision', 'bcubedRecall', 'bcubedF1',
  'nmi', 'ari', 'homogeneity', 'completeness', 'vMeasure',
  'singletonShare', 'majorityPurity',
] as const;
export type ScoreName = (typeof SCORE_NAMES)[number];

/**
 * Evaluates `pred` (cluster labels, -1 = noise) against `truth` (identity labels, numbers or strings).
 *
 * @example
 * evaluateClustering([0, 0, 1, -1], ['a', 'a', 'b', 'b'])
 * // { n: 4, nClusters: 2, nNoise: 1, nIdentities: 2, pairwisePrecision: 1, pairwiseRecall: 0.5, ... }
 */
export function evaluateClustering(pred: Labels, truth: Labels): ClusteringMetrics {
  const c = contingencyTable(pred, truth, 'evaluateClustering');
  const pw = pairwiseFromContingency(c);
  const b3 = bcubedFromContingency(c);
  const v = vMeasureFromContingency(c);
  return {
    n: c.n,
    nClusters: c.nPredClusters,
    nNoise: c.nPredNoise,
    nIdentities: c.truthSizes.length,
    pairwisePrecision: pw.precision,
    pairwiseRecall: pw.recall,
    pairwiseF1: pw.f1,
    bcubedPrecision: b3.precision,
    bcubedRecall: b3.recall,
    bcubedF1: b3.f1,
    nmi: nmiFromContingency(c),
    ari: ariFromContingency(c),
    homogeneity: v.homogeneity,
    completeness: v.completeness,
    vMeasure: v.vMeasure,
    singletonShare: singletonShareFromContingency(c),
    majorityPurity: majorityPurityFromContingency(c),
  };
}

/** Number of clusters (noise excluded) and number of noise points of a labelling; no truth needed. */
export function countClusters(labels: ArrayLike<number>): { nClusters: number; nNoise: number } {
  const seen = new Set<number>();
  let nNoise = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === -1) nNoise++;
    else seen.add(labels[i]);
  }
  return { nClusters: seen.size, nNoise };
}
