/**
 * Approximate Rank-Order clustering: scales rank-order clustering to millions of faces.
 *
 * Otto, Wang, Jain, "Clustering Millions of Faces by Identity", IEEE TPAMI 40(2), 2018 (arXiv:1604.00989).
 * 1. Top-k neighbour lists from a nearest-neighbour index (exact below 50,000 points, an inverted file above, or HNSW; Otto et al.
 *    use a randomized k-d forest). A point's list is itself at rank 0 followed by its k nearest neighbours.
 * 2. For each point a and each b in a's list (rank `O_a(b)`), the approximate rank-order distance counts only
 *    presence in the lists:
 *    `d_m(a, b) = sum_{i = 0..O_a(b)} [f_a(i) not in b's list]`,
 *    `D_m(a, b) = (d_m(a, b) + d_m(b, a)) / min(O_a(b), O_b(a))`, where `O_b(a)` is k + 1 when a is not in b's list
 *    (d_m(b, a) then sums over all of b's list).
 * 3. Every pair with `D_m < threshold` (and, optionally, embedding distance `<= maxDistance`) is merged
 *    transitively (connected components). There is no noise: unmerged points are clusters of one.
 *
 * Complexity: the neighbour search (O(n^2 d) exact, about O(n log n) with HNSW), then O(n k^2) for the distances.
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { UnionFind } from './_graph.ts';
import { makeResult, toMatrix } from './_input.ts';
import { KNN_METHODS, knn, type KnnGraph, type KnnMethod } from './_knn.ts';

export interface ApproximateRankOrderOptions {
  /**
   * Neighbours per list (k).
   * @default 10 — measured best on all of LFW among 10, 20, 50 (most people there have one or two photos; long
   * lists of unrelated faces add noise); Otto et al. use 200 for collections with many photos per person.
   * The cost grows as n k^2.
   */
  k: number;
  /**
   * Pairs with approximate rank-order distance below this are merged.
   * @default 2 — measured best BCubed F on all of LFW with k = 10 and maxDistance 0.45 (euclidean face-api
   * descriptors): BCubed F 0.914, pairwise F 0.733.
   */
  threshold: number;
  /**
   * Only pairs at most this far apart in the embedding may merge (a guard against merging look-alike lists of
   * far-away outliers). `Infinity` disables it.
   * @default 0.45 — measured on all of LFW: without it (Infinity) the rank-order distance alone chains most
   * of LFW's one-photo people together (BCubed F 0.86 at best); face-api pairs above 0.45 are mostly different
   * people.
   */
  maxDistance: number;
  /** Distance. @default 'euclidean' — face-api descriptors are trained for it. */
  metric: Metric;
  /** Neighbour search. @default 'auto' — exact up to 50,000 points, an inverted file (`ivf`) above. */
  knnMethod: KnnMethod;
  /** Seed of the HNSW index (exact search needs none). @default 0 — reproducible by default. */
  seed: number;
}

export const APPROXIMATE_RANK_ORDER_DEFAULTS: Readonly<ApproximateRankOrderOptions> = Object.freeze({
  k: 10,
  threshold: 2,
  maxDistance: 0.45,
  metric: 'euclidean',
  knnMethod: 'auto',
  seed: 0,
});

/** Approximate rank-order distance of every listed pair, as the clustering computes it (for tests, notebooks). */
export interface RankOrderPairs {
  /** Pair endpoints a < b (each unordered pair once) and their distances D_m. */
  a: Int32Array;
  b: Int32Array;
  distance: Float64Array;
}

/**
 * D_m for every pair (a, b) where b is in a's list or a in b's (each unordered pair once), from a kNN graph
 * whose rows hold each point's k neighbours (itself excluded; -1 pads).
 */
export function approximateRankOrderDistances(g: KnnGraph): RankOrderPairs {
  const outA: number[] = [];
  const outB: number[] = [];
  const outD: number[] = [];
  forEachRankOrderPair(g, (a, b, D) => { outA.push(a); outB.push(b); outD.push(D); });
  return { a: Int32Array.from(outA), b: Int32Array.from(outB), distance: Float64Array.from(outD) };
}

/** Calls `visit(a, b, D_m, embeddingDistance)` once per listed unordered pair, a < b. */
function forEachRankOrderPair(g: KnnGraph, visit: (a: number, b: number, D: number, dist: number) => void): void {
  const { n, k, indices, distances } = g;
  const K = k + 1; // list length: self + k neighbours
  const list = (a: number, i: number): number => (i === 0 ? a : indices[a * k + i - 1]);
  const posA = new Int32Array(n).fill(-1); // rank of a point in the current a's list, -1 if absent
  const rankIn = (b: number, x: number): number => {
    if (x === b) return 0;
    for (let i = 1; i < K; i++) if (indices[b * k + i - 1] === x) return i;
    return K; // absent
  };
  for (let a = 0; a < n; a++) {
    for (let i = 0; i < K; i++) { const f = list(a, i); if (f >= 0) posA[f] = i; }
    for (let p = 1; p < K; p++) {
      const b = list(a, p);
      if (b < 0) break;
      const q = rankIn(b, a); // O_b(a), K when absent
      // skip the pair when it will be (or was) computed from the other side: once per unordered pair
      if (q < K && b < a) continue;
      // d(a,b) = (p + 1) - #{c in L_b : pos_a(c) <= p};  d(b,a) = #{i <= q : f_b(i) not in L_a}
      let shared = 0;
      let dba = 0;
      for (let i = 0; i < K; i++) {
        const c = list(b, i);
        if (c < 0) { if (i <= q) dba++; continue; }
        const pc = posA[c];
        if (pc >= 0 && pc <= p) shared++;
        if (i <= q && pc < 0) dba++;
      }
      const dab = p + 1 - shared;
      const D = (dab + dba) / Math.min(p, q);
      visit(Math.min(a, b), Math.max(a, b), D, distances[a * k + p - 1]);
    }
    for (let i = 0; i < K; i++) { const f = list(a, i); if (f >= 0) posA[f] = -1; }
  }
}

/** Approximate rank-order clustering (no noise). Pure: the input is not modified; same seed, same output. */
export function approximateRankOrder(x: Float32Array[], options?: Partial<ApproximateRankOrderOptions>): ClusterResult {
  const fn = 'approximateRankOrder';
  const o = resolveOptions(fn, APPROXIMATE_RANK_ORDER_DEFAULTS, options);
  checkInteger(fn, 'k', o.k, 1);
  checkNumber(fn, 'threshold', o.threshold, 0, Infinity, true);
  checkNumber(fn, 'maxDistance', o.maxDistance === Infinity ? Number.MAX_VALUE : o.maxDistance, 0, Infinity, true);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  checkOneOf(fn, 'knnMethod', o.knnMethod, KNN_METHODS);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  const m = toMatrix(fn, x, o.metric);
  const n = m.n;
  if (n === 0) return makeResult(new Int32Array(0));
  const g = knn(m, Math.min(o.k, Math.max(n - 1, 0)), o.metric, o.knnMethod, { seed: o.seed });
  return makeResult(aroMerge(g, o.threshold, o.maxDistance), g.warning ? [`approximateRankOrder: ${g.warning}`] : []);
}

/** Step 3: transitive merge of the pairs under the thresholds; returns component ids. */
export function aroMerge(g: KnnGraph, threshold: number, maxDistance: number): Int32Array {
  const uf = new UnionFind(g.n);
  forEachRankOrderPair(g, (a, b, D, dist) => {
    if (D < threshold && dist <= maxDistance) uf.union(a, b);
  });
  return uf.components().labels;
}
