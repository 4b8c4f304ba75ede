/**
 * The one place that says what "the same person" means for people: the product's default clustering, the
 * distance under which two faces count as the same person, and how a new face joins a person under it.
 * Assignment (assign.ts) uses nothing else, so when the default clustering changes, people follow it with no new
 * threshold.
 *
 * Today: `auto` (lib/cluster/auto.ts, the default method): average linkage on squared distances, cut at the
 * threshold the collection chooses (`evidence.threshold`). A full clustering records that threshold; later runs
 * place new faces under it: a face joins the person whose root mean squared distance to it is below the
 * threshold (average linkage's own merge test of a face against a cluster), and the faces left over are
 * clustered by the same linkage cut at the same threshold, so a handful of new faces need no estimate of their
 * own.
 */
import { clusterAuto, AUTO_DEFAULTS, type AutoOptions } from '../cluster/auto.ts';
import { cutTree } from '../cluster/agglomerative.ts';
import { CHINESE_WHISPERS_DEFAULTS, chineseWhispers } from '../cluster/chinese-whispers.ts';
import { toMatrix } from '../cluster/_input.ts';
import { knn } from '../cluster/_knn.ts';
import { meanLinkageTree } from '../cluster/_mean-linkage.ts';
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
   * the threshold it used (chosen from the collection when the method chooses it). `steering`: which faces may
   * choose that threshold (the good ones; null: all), for methods that choose it.
   */
  clusterAll(x: Float32Array[], steering?: ArrayLike<boolean> | null): { labels: Int32Array; threshold: number; warnings?: string[] };
  /** Clusters some faces at a given threshold (the collection's, so that a few faces need no estimate of their own). */
  clusterAt(x: Float32Array[], threshold: number): Int32Array;
}

/** Average linkage (on squared distances, as `auto` builds it) cut at `threshold`. */
function averageLinkageAt(x: Float32Array[], threshold: number): Int32Array {
  const n = x.length;
  if (n < 2) return new Int32Array(n);
  const m = toMatrix('sameFaceRule', x);
  const tree = meanLinkageTree(m, knn(m, Math.min(AUTO_DEFAULTS.neighbors, n - 1), 'euclidean', AUTO_DEFAULTS.knn), threshold);
  return cutTree(tree, { distanceThreshold: threshold }).labels;
}

/**
 * The rule of the default clustering (`auto`), with `options` for it: pass the embedder's measured mixture
 * constants (`embedderMixtureOptions(store.embedder)`; `openPeople` and `updateStorePeople` do).
 */
export function sameFaceRule(options: Partial<AutoOptions> = {}): SameFaceRule {
  return {
    method: 'auto',
    metric: 'euclidean',
    join: 'average',
    clusterAll: (x, steering) => {
      const r = clusterAuto(x, options, steering ?? null);
      // what auto says of its own evidence (weak evidence, a conservative cut) reaches the people summary
      return { labels: r.labels, threshold: r.evidence.threshold, warnings: r.evidence.weakEvidence ? [r.evidence.weakEvidence] : [] };
    },
    clusterAt: averageLinkageAt,
  };
}

/**
 * The rule of Chinese Whispers with its measured defaults (threshold 0.45, euclidean): the default before `auto`,
 * kept for comparison (`updatePeople(..., { rule: chineseWhispersRule() })`, bench:people).
 */
export function chineseWhispersRule(): SameFaceRule {
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
