/**
 * The one place that says what "the same person" means for people: the product's default clustering and the
 * distance under which two faces count as the same person. Assignment (assign.ts) uses nothing else, so when
 * the default clustering changes, people follow it with no new threshold.
 *
 * Today: Chinese Whispers with its measured defaults (threshold 0.45, euclidean; see
 * lib/cluster/chinese-whispers.ts for where it was measured).
 */
import { CHINESE_WHISPERS_DEFAULTS, chineseWhispers } from '../cluster/chinese-whispers.ts';
import type { Metric } from '../types.ts';

export interface SameFaceRule {
  /** CLI name of the clustering method, for the record. */
  method: string;
  /** Two faces closer than this (strictly) count as the same person. */
  threshold: number;
  metric: Metric;
  /** Clusters faces into people by the default method (labels 0..k-1; -1 noise when the method has it). */
  cluster(x: Float32Array[]): Int32Array;
}

/**
 * The rule for these faces. `known` is the threshold recorded by an earlier full clustering of the same store
 * (so incremental runs need not re-estimate it); methods with a fixed threshold ignore it.
 */
export function sameFaceRule(_x: readonly Float32Array[], _known?: number): SameFaceRule {
  const threshold = CHINESE_WHISPERS_DEFAULTS.threshold;
  const metric = CHINESE_WHISPERS_DEFAULTS.metric;
  return {
    method: 'chinese-whispers',
    threshold,
    metric,
    cluster: (x) => chineseWhispers(x, { threshold, metric }).labels,
  };
}
