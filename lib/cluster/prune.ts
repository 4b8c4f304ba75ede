/**
 * Post-processing: clusters smaller than a minimum size become noise (-1); the rest are renumbered 0..k-1 in
 * order of first appearance. Face-clustering evaluations often treat singletons this way (e.g. Otto, Wang,
 * Jain, "Clustering Millions of Faces by Identity", TPAMI 2018, report clusters of at least 2 faces).
 */
import { invalidParameter } from '../errors.ts';
import { checkInteger } from '../options.ts';
import type { ClusterResult } from '../types.ts';
import { makeResult } from './_input.ts';

/** Returns a new result in which clusters with fewer than `minSize` points are noise. Pure. */
export function pruneSmallClusters(result: ClusterResult, minSize: number): ClusterResult {
  const fn = 'pruneSmallClusters';
  if (!result || !(result.labels instanceof Int32Array)) throw invalidParameter(fn, 'result', 'a ClusterResult with Int32Array labels', result);
  checkInteger(fn, 'minSize', minSize, 1);
  const { labels } = result;
  const counts = new Map<number, number>();
  for (const l of labels) if (l >= 0) counts.set(l, (counts.get(l) ?? 0) + 1);
  const groups = Int32Array.from(labels, (l) => (l >= 0 && (counts.get(l) as number) >= minSize ? l : -1));
  return makeResult(groups, [...result.warnings]);
}
