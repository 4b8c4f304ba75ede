/**
 * The decisions of a clustering a person should check first, so that 20 looks replace tuning a threshold:
 * - every cluster's cohesion (root mean squared distance between its members) and, given the distance mixture of
 *   {@link clusterAuto}, its confidence: the probability that a pair at that distance is one person;
 * - the pairs of clusters closest to being merged (smallest root-mean-squared distance between their members,
 *   the linkage {@link clusterAuto} cuts at): a person split in two shows up here;
 * - the faces closest to leaving their cluster (smallest margin between the distance to their own cluster and to
 *   the nearest other one): a stranger inside a cluster shows up here.
 *
 * Every distance is the root mean squared euclidean distance between members, computed exactly from each
 * cluster's sum of vectors and sum of squared norms: sum_{b in B} |a - b|^2 = |B| |a|^2 - 2 a . S_B + Q_B.
 * Candidate pairs of clusters come from the k-nearest-neighbour graph of the faces.
 *
 * Complexity: O(n^2 d) for the exact kNN graph (an inverted file above 50,000 faces), then O((n k + clusters) d).
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import { toMatrix } from './_input.ts';
import { knn } from './_knn.ts';
import { sameProbabilityFunction, type DistanceMixture } from './distance-mixture.ts';

export interface ClusterConfidence {
  cluster: number;
  size: number;
  /** Root mean squared distance between the members (0 for one face). */
  cohesion: number;
  /** P(same person) at that distance under the mixture; 1 for one face; NaN without a mixture. */
  confidence: number;
}

export interface MergeCandidate {
  /** The two clusters, a < b. */
  a: number;
  b: number;
  /** Root mean squared distance between the members of a and those of b. */
  distance: number;
  /** P(same person) at that distance under the mixture; NaN without one. */
  sameProbability: number;
}

export interface LeaveCandidate {
  face: number;
  cluster: number;
  /** Root mean squared distance to the other members of its cluster. */
  ownDistance: number;
  /** The nearest other cluster (by the same measure) and the distance to it. */
  nearestCluster: number;
  nearestDistance: number;
  /** nearestDistance - ownDistance: the smaller, the closer the face is to belonging elsewhere. */
  margin: number;
}

export interface LeastCertain {
  /** Every cluster, least confident (then least cohesive) first. */
  clusters: ClusterConfidence[];
  /** Closest pairs of clusters first. */
  merges: MergeCandidate[];
  /** Faces with the smallest margin first. */
  leavers: LeaveCandidate[];
}

export interface LeastCertainOptions {
  /** Pairs of clusters to return. @default 20 */
  maxMerges: number;
  /** Faces to return. @default 20 */
  maxFaces: number;
  /** Neighbours per face for the candidate pairs. @default 16 — as clusterAuto's tree */
  neighbors: number;
  /** The mixture that turns distances into probabilities (clusterAuto's `evidence.mixture`). @default null */
  mixture: DistanceMixture | null;
}

export const LEAST_CERTAIN_DEFAULTS: Readonly<LeastCertainOptions> = Object.freeze({
  maxMerges: 20,
  maxFaces: 20,
  neighbors: 16,
  mixture: null,
});

/** The least certain decisions of the partition `labels` of `x` (noise, -1, is left out). */
export function leastCertain(x: Float32Array[], labels: ArrayLike<number>, options?: Partial<LeastCertainOptions>): LeastCertain {
  const fn = 'leastCertain';
  const o = resolveOptions(fn, LEAST_CERTAIN_DEFAULTS, options);
  checkInteger(fn, 'maxMerges', o.maxMerges, 0);
  checkInteger(fn, 'maxFaces', o.maxFaces, 0);
  checkInteger(fn, 'neighbors', o.neighbors, 1);
  const m = toMatrix(fn, x);
  const { n, d, data } = m;
  if (!labels || labels.length !== n) throw new FaceclusterError(fn, `labels must have one label per row of x (${n}), got ${labels?.length}.`, 'labels');
  const p = o.mixture ? sameProbabilityFunction(o.mixture) : () => NaN;
  let k = 0;
  for (let i = 0; i < n; i++) if (labels[i] + 1 > k) k = labels[i] + 1;
  const size = new Float64Array(k);
  const sumSq = new Float64Array(k);
  const sums = new Float64Array(k * d);
  const norm2 = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let t = 0; t < d; t++) q += data[i * d + t] ** 2;
    norm2[i] = q;
    const c = labels[i];
    if (c < 0) continue;
    size[c]++; sumSq[c] += q;
    for (let t = 0; t < d; t++) sums[c * d + t] += data[i * d + t];
  }
  const dotSum = (i: number, c: number) => { let s = 0; for (let t = 0; t < d; t++) s += data[i * d + t] * sums[c * d + t]; return s; };
  const sumDot = (a: number, b: number) => { let s = 0; for (let t = 0; t < d; t++) s += sums[a * d + t] * sums[b * d + t]; return s; };
  const root = (v: number) => Math.sqrt(Math.max(0, v));

  const clusters: ClusterConfidence[] = [];
  for (let c = 0; c < k; c++) {
    if (size[c] === 0) continue;
    const s = size[c];
    const cohesion = s < 2 ? 0 : root((2 * s * sumSq[c] - 2 * sumDot(c, c)) / (s * (s - 1)));
    clusters.push({ cluster: c, size: s, cohesion, confidence: s < 2 ? 1 : p(cohesion) });
  }
  clusters.sort((a, b) => (Number.isNaN(a.confidence) ? 0 : a.confidence) - (Number.isNaN(b.confidence) ? 0 : b.confidence) || b.cohesion - a.cohesion || a.cluster - b.cluster);

  const graph = knn(m, Math.max(1, Math.min(o.neighbors, n - 1)), 'euclidean');
  const seen = new Set<number>();
  const merges: MergeCandidate[] = [];
  const leavers: LeaveCandidate[] = [];
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    let nearest = -1, nearestDistance = Infinity;
    for (let t = 0; t < graph.k; t++) {
      const j = graph.indices[i * graph.k + t];
      if (j < 0) continue;
      const cj = labels[j];
      if (cj < 0 || cj === c) continue;
      const a = Math.min(c, cj), b = Math.max(c, cj);
      const key = a * k + b;
      if (!seen.has(key)) {
        seen.add(key);
        const dist = root(sumSq[a] / size[a] + sumSq[b] / size[b] - (2 * sumDot(a, b)) / (size[a] * size[b]));
        merges.push({ a, b, distance: dist, sameProbability: p(dist) });
      }
      const toOther = root((size[cj] * norm2[i] - 2 * dotSum(i, cj) + sumSq[cj]) / size[cj]);
      if (toOther < nearestDistance) { nearestDistance = toOther; nearest = cj; }
    }
    if (size[c] >= 2 && nearest >= 0) {
      const own = root((size[c] * norm2[i] - 2 * dotSum(i, c) + sumSq[c]) / (size[c] - 1));
      leavers.push({ face: i, cluster: c, ownDistance: own, nearestCluster: nearest, nearestDistance, margin: nearestDistance - own });
    }
  }
  merges.sort((u, v) => u.distance - v.distance || u.a - v.a || u.b - v.b);
  leavers.sort((u, v) => u.margin - v.margin || u.face - v.face);
  return { clusters, merges: merges.slice(0, o.maxMerges), leavers: leavers.slice(0, o.maxFaces) };
}
