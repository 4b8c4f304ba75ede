/**
 * UMAP: a 2-D (or k-D) map from a fuzzy k-nearest-neighbour graph, by umap-js with a seeded random.
 *
 * Reference: L. McInnes, J. Healy, J. Melville, "UMAP: Uniform Manifold Approximation and Projection for
 * Dimension Reduction", arXiv:1802.03426, 2018 (Journal of Open Source Software 3(29), 2018).
 *
 * The neighbour graph is computed exactly here (the blocked SIMD brute force of lib/cluster, `_knn.ts`:
 * deterministic, a few seconds for all 12.4k LFW embeddings) and handed to umap-js with `setPrecomputedKNN`, so umap-js's randomised NN-descent is skipped;
 * every random draw of umap-js (initialisation, negative sampling) comes from mulberry32(`seed`), so the same
 * seed gives the same map. Timings (`npm run bench:reduce`, quiet machine): 2.1 s for 1,000 points, 9.4 s for
 * 5,000, 16.9 s for all 12,424 LFW embeddings (umap-js uses 200 epochs above 10,000 points).
 *
 * @example
 *   const xy = umap(embeddings, { nNeighbors: 15, minDist: 0.1, seed: 1 });  // number[][] of [x, y]
 */
import { UMAP } from 'umap-js';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { checkRows, toMatrix, type Rows } from './_input.ts';
import { exactKnn } from './_knn.ts';
import { mulberry32 } from './_random.ts';

export interface UmapOptions {
  /**
   * Neighbourhood size (the point itself included, as in umap-learn); clamped to n - 1 for tiny inputs.
   * @default 15 (umap-learn's default: balances local and global structure)
   */
  nNeighbors: number;
  /**
   * How tightly points may pack in the map (0 to `spread`).
   * @default 0.1 (umap-learn's default: tight clusters, good for seeing identities)
   */
  minDist: number;
  /** Scale of the embedded points. @default 1 (umap-learn) */
  spread: number;
  /** Output dimension. @default 2 (a map for a scatter plot) */
  nComponents: number;
  /**
   * Optimisation epochs; 0 means automatic (umap-js: 500 below 10,000 points, else 200).
   * @default 0 (automatic, as umap-learn)
   */
  nEpochs: number;
  /** Seed of every random draw. @default 42 */
  seed: number;
}

export const UMAP_DEFAULTS: Readonly<UmapOptions> = Object.freeze({
  nNeighbors: 15,
  minDist: 0.1,
  spread: 1,
  nComponents: 2,
  nEpochs: 0,
  seed: 42,
});

/** UMAP of the rows of `x`: one `number[]` of length `nComponents` per row. */
export function umap(x: Rows, options?: Partial<UmapOptions>): number[][] {
  const fn = 'umap';
  const o = resolveOptions(fn, UMAP_DEFAULTS, options);
  const d = checkRows(fn, x);
  checkInteger(fn, 'nNeighbors', o.nNeighbors, 2);
  checkNumber(fn, 'spread', o.spread, 0, Infinity, true);
  checkNumber(fn, 'minDist', o.minDist, 0, o.spread);
  checkInteger(fn, 'nComponents', o.nComponents, 1);
  checkInteger(fn, 'nEpochs', o.nEpochs, 0);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  const n = x.length;
  if (n === 0) return [];
  if (n <= o.nComponents + 1) {
    // Too few points for a graph layout: place them on a line, in input order.
    return Array.from({ length: n }, (_, i) => Array.from({ length: o.nComponents }, (_, c) => (c === 0 ? i : 0)));
  }
  const k = Math.min(o.nNeighbors, n - 1); // self included; umap-js needs n > nNeighbors
  const m = toMatrix(x, d);
  const knn = exactKnn(m, n, d, k - 1);
  const indices: number[][] = new Array(n);
  const distances: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const ri = [i];
    const rd = [0];
    for (let t = 0; t < k - 1; t++) {
      ri.push(knn.indices[i * (k - 1) + t]);
      rd.push(Math.sqrt(knn.distances[i * (k - 1) + t]));
    }
    indices[i] = ri;
    distances[i] = rd;
  }
  const u = new UMAP({
    nNeighbors: k,
    minDist: o.minDist,
    spread: o.spread,
    nComponents: o.nComponents,
    nEpochs: o.nEpochs > 0 ? o.nEpochs : undefined,
    random: mulberry32(o.seed),
  });
  u.setPrecomputedKNN(indices, distances);
  const rows: number[][] = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = Array.from(x[i]);
  return u.fit(rows);
}
