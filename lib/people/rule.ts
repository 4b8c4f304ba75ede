/**
 * The one place that says what "the same person" means for people: the product's default clustering, the
 * distance under which two faces count as the same person, and how a new face joins a person under it.
 * Assignment (assign.ts) uses nothing else, so when the default clustering changes, people follow it with no new
 * threshold.
 *
 * Today: Chinese Whispers with its measured defaults (threshold 0.45, euclidean; see
 * lib/cluster/chinese-whispers.ts for where it was measured): a face joins the person it has the most neighbours
 * in (one step of Chinese Whispers' label propagation with the people's labels fixed).
 */
import { CHINESE_WHISPERS_DEFAULTS, chineseWhispers } from '../cluster/chinese-whispers.ts';
import type { Metric } from '../types.ts';

/**
 * How a new face joins an existing person under a rule:
 * - `neighbours`: it has faces of the person closer than the threshold; the person with the most wins (ties: the
 *   nearest). Chinese Whispers' propagation step.
 * - `average`: the root mean squared distance to the person's faces (average linkage on squared distances) is
 *   below the threshold; the smallest wins. Average linkage's merge test of a face against a cluster.
 */
export type JoinCriterion = 'neighbours' | 'average';

export interface SameFaceRule {
  /** CLI name of the clustering method, for the record. */
  method: string;
  metric: Metric;
  join: JoinCriterion;
  /**
   * Clusters a whole collection the default way; returns the labels (0..k-1, -1 noise when the method has it) and
   * the threshold it used (chosen from the collection when the method chooses it).
   */
  clusterAll(x: Float32Array[]): { labels: Int32Array; threshold: number };
  /** Clusters some faces at a given threshold (the collection's, so that a few faces need no estimate of their own). */
  clusterAt(x: Float32Array[], threshold: number): Int32Array;
}

/** The rule of the default clustering. */
export function sameFaceRule(): SameFaceRule {
  const metric = CHINESE_WHISPERS_DEFAULTS.metric;
  const threshold = CHINESE_WHISPERS_DEFAULTS.threshold;
  return {
    method: 'chinese-whispers',
    metric,
    join: 'neighbours',
    clusterAll: (x) => ({ labels: chineseWhispers(x, { threshold, metric }).labels, threshold }),
    clusterAt: (x, t) => chineseWhispers(x, { threshold: t, metric }).labels,
  };
}
