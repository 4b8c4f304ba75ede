/**
 * Chinese Whispers: graph clustering by randomised label propagation.
 *
 * Biemann, "Chinese Whispers - an Efficient Graph Clustering Algorithm and its Application to Natural Language
 * Processing Problems", TextGraphs workshop at HLT-NAACL 2006. Semantics of dlib's
 * `chinese_whispers_clustering(descriptors, threshold)` (King, "Dlib-ml: A Machine Learning Toolkit", JMLR 2009),
 * the face-clustering recipe of dlib and face_recognition:
 * - an edge joins every pair at distance `< threshold` (strict), plus a self-loop on every point;
 * - every point starts with its own label (its index);
 * - `iterations * n` times: pick a point uniformly at random (seeded), sum the edge weights of each label among
 *   its neighbours (the self-loop included) and take the label with the largest sum (ties: the smallest label);
 * - labels are renumbered 0..k-1 in order of first appearance. There is no noise: a point with no neighbour is
 *   a cluster of one.
 *
 * Complexity: O(n^2 d) for the exact edge search, then O(iterations * (n + edges)).
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, Metric } from '../types.ts';
import { makeResult, Random, toMatrix } from './_input.ts';
import { radiusNeighbors } from './_knn.ts';

/**
 * Edge weights: `unit` (dlib's default) or `similarity` = 2 - distance / threshold, in (1, 2]: closer pairs count
 * more, and one neighbour still outweighs the self-loop (weight 1) as in `unit` mode.
 */
export type ChineseWhispersWeighting = 'unit' | 'similarity';

export interface ChineseWhispersOptions {
  /**
   * Pairs closer than this (strictly) are joined by an edge.
   * @default 0.45 — measured on all of LFW with face-api descriptors (euclidean): 0.40 gives the best pairwise F
   * (0.95), 0.45 the best BCubed F; dlib's 0.6 is for its own 128-d model and merges people here.
   */
  threshold: number;
  /** Passes; each pass makes n random single-node updates. @default 100 — dlib's default; converges far earlier. */
  iterations: number;
  /** Edge weighting. @default 'unit' — dlib's behaviour. */
  weighting: ChineseWhispersWeighting;
  /** Distance. @default 'euclidean' — face-api descriptors are trained for it. */
  metric: Metric;
  /** Seed of the random visiting order. @default 0 — reproducible by default. */
  seed: number;
}

export const CHINESE_WHISPERS_DEFAULTS: Readonly<ChineseWhispersOptions> = Object.freeze({
  threshold: 0.45,
  iterations: 100,
  weighting: 'unit',
  metric: 'euclidean',
  seed: 0,
});

/** Chinese Whispers clustering (no noise). Pure: the input is not modified; same seed, same output. */
export function chineseWhispers(x: Float32Array[], options?: Partial<ChineseWhispersOptions>): ClusterResult {
  const fn = 'chineseWhispers';
  const o = resolveOptions(fn, CHINESE_WHISPERS_DEFAULTS, options);
  checkNumber(fn, 'threshold', o.threshold, 0, Infinity, true);
  checkInteger(fn, 'iterations', o.iterations, 1);
  checkOneOf(fn, 'weighting', o.weighting, ['unit', 'similarity'] as const);
  checkOneOf(fn, 'metric', o.metric, ['euclidean', 'cosine'] as const);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  const m = toMatrix(fn, x, o.metric);
  const n = m.n;
  if (n === 0) return makeResult(new Int32Array(0));
  const nb = radiusNeighbors(m, o.threshold, o.metric, true);
  const weights = new Float64Array(nb.indices.length);
  for (let e = 0; e < weights.length; e++) weights[e] = o.weighting === 'unit' ? 1 : 2 - nb.distances[e] / o.threshold;
  return makeResult(whispers(n, nb.offsets, nb.indices, weights, o.iterations, new Random(o.seed)));
}

/**
 * The label propagation itself on a CSR graph without self-loops (a self-loop of weight 1 is added here).
 * Exported for the tests and for callers that have their own graph.
 */
export function whispers(n: number, offsets: Int32Array, indices: Int32Array, weights: Float64Array, iterations: number, rng: Random): Int32Array {
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = i;
  const score = new Float64Array(n);
  const touched: number[] = [];
  const total = n * iterations;
  for (let it = 0; it < total; it++) {
    const idx = rng.nextInt(n);
    touched.length = 0;
    score[labels[idx]] += 1;
    touched.push(labels[idx]);
    for (let e = offsets[idx]; e < offsets[idx + 1]; e++) {
      const l = labels[indices[e]];
      if (score[l] === 0) touched.push(l);
      score[l] += weights[e];
    }
    let best = labels[idx];
    let bestScore = -Infinity;
    for (const l of touched) {
      const s = score[l];
      if (s > bestScore || (s === bestScore && l < best)) { bestScore = s; best = l; }
      score[l] = 0;
    }
    labels[idx] = best;
  }
  return labels;
}
