/**
 * Rank-Order clustering (cluster-level, iterative), the face-tagging algorithm of
 * Zhu, Wen, Sun, Tang, "A Rank-Order Distance based Clustering Algorithm for Face Tagging", CVPR 2011.
 *
 * - Every item (first a face, later a cluster) has an order list: itself at rank 0, then its `k` nearest items.
 *   `O_a(b)` is b's rank in a's list, `k + 1` when absent (the lists are truncated at top-k, as in the paper).
 * - Asymmetric rank-order distance `d(a, b) = sum_{i = 0..O_a(b)} O_b(f_a(i))`, where `f_a(i)` is the i-th item of
 *   a's list; symmetric `D^R(a, b) = (d(a, b) + d(b, a)) / min(O_a(b), O_b(a))`.
 * - Cluster-level distance `d(Ci, Cj)` is the closest pair of faces; the normalised distance
 *   `D^N(Ci, Cj) = d(Ci, Cj) / phi(Ci, Cj)`, `phi` = the mean, over the faces of both clusters, of each face's mean
 *   distance to its k nearest neighbours (the local density).
 * - Start from one cluster per face; each round, every pair of clusters in each other's order lists with
 *   `D^R < rankThreshold` and `D^N < normalizedThreshold` is merged (transitively); lists are rebuilt; stop
 *   when a round merges nothing.
 *
 * Cluster neighbours are found through the faces' k-nearest-neighbour graph (closest pairs between clusters that
 * no face-level kNN edge joins are treated as infinitely far: such clusters cannot be in each other's top-k).
 * There is no noise: unmerged faces are clusters of one (see pruneSmallClusters).
 *
 * Complexity: the neighbour search (O(n^2 d) exact), then O(n k log(n k) + n k^3) per round, usually < 10 rounds.
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { UnionFind } from './_graph.ts';
import { makeResult, toMatrix } from './_input.ts';
import { KNN_METHODS, knn, type KnnGraph, type KnnMethod } from './_knn.ts';

export interface RankOrderOptions {
  /** Length of the order lists (top-k). @default 10 — measured best on all of LFW among 10 and 20; cost grows as k^3. */
  k: number;
  /**
   * Clusters merge when their rank-order distance is below this (t in the paper).
   * @default 6 — measured best BCubed F on all of LFW with k = 10 over 2, 4, ..., 40 (BCubed F 0.871,
   * pairwise F 0.706; 10 gives the best pairwise F, 0.756).
   */
  rankThreshold: number;
  /**
   * ... and their normalised distance is below this (1 in the paper).
   * @default 1 — the paper's value: closer than the local neighbourhood scale.
   */
  normalizedThreshold: number;
  /** Distance. @default 'euclidean' — face-api descriptors are trained for it. */
  metric: Metric;
  /** Neighbour search. @default 'auto' — exact up to 50,000 points, an inverted file (`ivf`) above. */
  knnMethod: KnnMethod;
  /** Seed of the HNSW index (exact search needs none). @default 0 — reproducible by default. */
  seed: number;
}

export const RANK_ORDER_DEFAULTS: Readonly<RankOrderOptions> = Object.freeze({
  k: 10,
  rankThreshold: 6,
  normalizedThreshold: 1,
  metric: 'euclidean',
  knnMethod: 'auto',
  seed: 0,
});

/**
 * The rank-order distance D^R between items a and b given their order lists (item ids, self first, truncated);
 * exported for the hand-worked tests.
 */
export function rankOrderDistance(listA: ArrayLike<number>, listB: ArrayLike<number>): number {
  const K = Math.max(listA.length, listB.length);
  const rank = (list: ArrayLike<number>, x: number): number => {
    for (let i = 0; i < list.length; i++) if (list[i] === x) return i;
    return K;
  };
  const a = listA[0], b = listB[0];
  const p = rank(listA, b);
  const q = rank(listB, a);
  const asym = (la: ArrayLike<number>, lb: ArrayLike<number>, upto: number): number => {
    let s = 0;
    for (let i = 0; i <= upto && i < la.length; i++) s += rank(lb, la[i]);
    return s;
  };
  return (asym(listA, listB, p) + asym(listB, listA, q)) / Math.min(p, q);
}

/** Rank-order clustering (no noise). Pure: the input is not modified; same seed, same output. */
export function rankOrder(x: Float32Array[], options?: Partial<RankOrderOptions>): ClusterResult {
  const fn = 'rankOrder';
  const o = resolveOptions(fn, RANK_ORDER_DEFAULTS, options);
  checkInteger(fn, 'k', o.k, 1);
  checkNumber(fn, 'rankThreshold', o.rankThreshold, 0, Infinity, true);
  checkNumber(fn, 'normalizedThreshold', o.normalizedThreshold, 0, Infinity, true);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  checkOneOf(fn, 'knnMethod', o.knnMethod, KNN_METHODS);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  const m = toMatrix(fn, x, o.metric);
  const n = m.n;
  if (n <= 1) return makeResult(new Int32Array(n));
  const g = knn(m, Math.min(o.k, n - 1), o.metric, o.knnMethod, { seed: o.seed });
  return makeResult(rankOrderMerge(g, o.k, o.rankThreshold, o.normalizedThreshold), g.warning ? [`rankOrder: ${g.warning}`] : []);
}

/** The iterative cluster-level merging on a face kNN graph; returns cluster ids per face. */
export function rankOrderMerge(g: KnnGraph, k: number, rankThreshold: number, normalizedThreshold: number): Int32Array {
  const { n } = g;
  const gk = g.k;
  // symmetric face adjacency (kNN edges both ways) in CSR
  const deg = new Int32Array(n + 1);
  for (let a = 0; a < n; a++) for (let t = 0; t < gk; t++) {
    const b = g.indices[a * gk + t];
    if (b >= 0) { deg[a + 1]++; deg[b + 1]++; }
  }
  for (let i = 0; i < n; i++) deg[i + 1] += deg[i];
  const adj = new Int32Array(deg[n]);
  const adjD = new Float64Array(deg[n]);
  const fill = Int32Array.from(deg.subarray(0, n));
  // face density: mean distance to its k nearest neighbours
  const density = new Float64Array(n);
  for (let a = 0; a < n; a++) {
    let s = 0, c = 0;
    for (let t = 0; t < gk; t++) {
      const b = g.indices[a * gk + t];
      if (b < 0) continue;
      const d = g.distances[a * gk + t];
      s += d; c++;
      adj[fill[a]] = b; adjD[fill[a]++] = d;
      adj[fill[b]] = a; adjD[fill[b]++] = d;
    }
    density[a] = c ? s / c : 0;
  }
  let cid = new Int32Array(n);
  for (let i = 0; i < n; i++) cid[i] = i;
  let nC = n;
  for (let round = 0; round < n; round++) {
    // members of each cluster
    const start = new Int32Array(nC + 1);
    for (let i = 0; i < n; i++) start[cid[i] + 1]++;
    for (let c = 0; c < nC; c++) start[c + 1] += start[c];
    const members = new Int32Array(n);
    const pos = Int32Array.from(start.subarray(0, nC));
    for (let i = 0; i < n; i++) members[pos[cid[i]]++] = i;
    const densSum = new Float64Array(nC);
    for (let i = 0; i < n; i++) densSum[cid[i]] += density[i];
    // cluster order lists: self, then the k closest clusters (closest face pair) reached through kNN edges
    const K = k + 1;
    const lists = new Int32Array(nC * K).fill(-1);
    const listD = new Float64Array(nC * K).fill(Infinity);
    const best = new Float64Array(nC).fill(Infinity);
    const touched: number[] = [];
    for (let c = 0; c < nC; c++) {
      touched.length = 0;
      for (let e = start[c]; e < start[c + 1]; e++) {
        const a = members[e];
        for (let t = deg[a]; t < deg[a + 1]; t++) {
          const oc = cid[adj[t]];
          if (oc === c) continue;
          if (best[oc] === Infinity) touched.push(oc);
          if (adjD[t] < best[oc]) best[oc] = adjD[t];
        }
      }
      touched.sort((u, v) => best[u] - best[v] || u - v);
      lists[c * K] = c;
      listD[c * K] = 0;
      for (let t = 0; t < touched.length; t++) {
        if (t < k) { lists[c * K + 1 + t] = touched[t]; listD[c * K + 1 + t] = best[touched[t]]; }
        best[touched[t]] = Infinity;
      }
    }
    const rank = (c: number, x: number): number => {
      for (let i = 0; i < K; i++) { const v = lists[c * K + i]; if (v === x) return i; if (v < 0) break; }
      return K;
    };
    const asym = (c: number, o: number, upto: number): number => {
      let s = 0;
      for (let i = 0; i <= upto && i < K; i++) {
        const f = lists[c * K + i];
        if (f < 0) break; // a list shorter than k (few clusters): nothing more to count
        s += rank(o, f);
      }
      return s;
    };
    const uf = new UnionFind(nC);
    let merged = 0;
    for (let c = 0; c < nC; c++) {
      for (let p = 1; p < K; p++) {
        const o = lists[c * K + p];
        if (o < 0) break;
        const q = rank(o, c);
        if (q < K && o < c) continue; // evaluated from the other side
        const dR = (asym(c, o, p) + asym(o, c, q)) / Math.min(p, q);
        if (!(dR < rankThreshold)) continue;
        const phi = (densSum[c] + densSum[o]) / (start[c + 1] - start[c] + start[o + 1] - start[o]);
        const dN = phi > 0 ? listD[c * K + p] / phi : (listD[c * K + p] === 0 ? 0 : Infinity);
        if (dN < normalizedThreshold && uf.union(c, o) >= 0) merged++;
      }
    }
    if (merged === 0) break;
    const comp = uf.components();
    const next = new Int32Array(n);
    for (let i = 0; i < n; i++) next[i] = comp.labels[cid[i]];
    cid = next;
    nC = comp.count;
  }
  return cid;
}
