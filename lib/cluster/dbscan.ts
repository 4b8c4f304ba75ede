/**
 * DBSCAN: density-based clustering with noise.
 *
 * Ester, Kriegel, Sander, Xu, "A Density-Based Algorithm for Discovering Clusters in Large Spatial Databases
 * with Noise", KDD 1996. Semantics follow scikit-learn's `DBSCAN` exactly: the neighbourhood of a point is
 * every point at distance `<= eps` (inclusive) including the point itself; a point is a core point when its
 * neighbourhood holds at least `minSamples` points (itself counted); clusters are grown from core points in
 * index order, a border point joins the first cluster that reaches it, everything else is noise (-1).
 *
 * Complexity: O(n^2 d) time for the exact blocked neighbourhood search (on every core, see _threads.ts; 128-d and
 * more: mostly in a 32-d subspace, see _subspace.ts), O(n + number of neighbour pairs) memory.
 *
 * @example
 * ```ts
 * dbscan([a, b, c], { eps: 0.44, minSamples: 2 }) // { labels: Int32Array [0, 0, -1], nClusters: 1, warnings: [] }
 * ```
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { makeResult, toMatrix } from './_input.ts';
import { radiusNeighbors } from './_knn.ts';
import { threadWarning } from './_threads.ts';

export interface DbscanOptions {
  /**
   * Neighbourhood radius (inclusive, `<=`), in the metric's units.
   * @default 0.44 — measured best BCubed F on all of LFW with face-api 128-d descriptors (euclidean), among
   * 0.36 .. 0.46: BCubed F 0.903, pairwise F 0.679 (0.38 gives the best pairwise F, 0.903).
   */
  eps: number;
  /**
   * Points (the point itself included, as in scikit-learn) an eps-neighbourhood needs for a core point.
   * @default 2 — a face with one look-alike within eps starts a cluster; photo collections hold many people
   * seen only two or three times, which higher values would turn into noise.
   */
  minSamples: number;
  /** Distance: `euclidean` or `cosine` (1 - cos). @default 'euclidean' — face-api descriptors are trained for it. */
  metric: Metric;
}

export const DBSCAN_DEFAULTS: Readonly<DbscanOptions> = Object.freeze({
  eps: 0.44,
  minSamples: 2,
  metric: 'euclidean',
});

/** DBSCAN clustering; noise is -1. Pure: the input is not modified. */
export function dbscan(x: Float32Array[], options?: Partial<DbscanOptions>): ClusterResult {
  const fn = 'dbscan';
  const o = resolveOptions(fn, DBSCAN_DEFAULTS, options);
  checkNumber(fn, 'eps', o.eps, 0, Infinity, true);
  checkInteger(fn, 'minSamples', o.minSamples, 1);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  const m = toMatrix(fn, x, o.metric);
  const n = m.n;
  if (n === 0) return makeResult(new Int32Array(0));
  const nb = radiusNeighbors(m, o.eps, o.metric);
  const core = new Uint8Array(n);
  for (let i = 0; i < n; i++) core[i] = nb.offsets[i + 1] - nb.offsets[i] + 1 >= o.minSamples ? 1 : 0;
  const labels = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  let label = 0;
  // scikit-learn's dbscan_inner: depth-first growth from each unlabelled core point in index order
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1 || !core[start]) continue;
    let i = start;
    for (;;) {
      if (labels[i] === -1) {
        labels[i] = label;
        if (core[i]) {
          for (let e = nb.offsets[i]; e < nb.offsets[i + 1]; e++) {
            const v = nb.indices[e];
            if (labels[v] === -1) stack.push(v);
          }
        }
      }
      if (stack.length === 0) break;
      i = stack.pop() as number;
    }
    label++;
  }
  const pool = threadWarning();
  return makeResult(labels, pool ? [pool] : []);
}
