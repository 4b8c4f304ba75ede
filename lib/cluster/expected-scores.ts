/**
 * How good a partition is expected to be, without labels: pairwise and BCubed precision, recall and F1 with each
 * pair's "same person" indicator replaced by its probability under a fitted {@link DistanceMixture}. Maximising
 * the expected F1 over candidate partitions is how {@link clusterAuto} chooses its cut: a partition that splits
 * pairs the mixture finds likely one person loses expected recall, one that joins unlikely pairs loses expected
 * precision, and the balance moves with the collection (the mixture's prior), not with a constant.
 *
 * Expected counts (p_ij = P(same | d_ij), C(i) the cluster of i, p_ii = 1):
 * - pairwise: TP = sum_{i<j, C(i)=C(j)} p_ij, FP = pairs in clusters - TP, FN = sum_{i<j} p_ij - TP
 *   (Menestrina, Whang, Garcia-Molina, "Evaluating entity resolution results", VLDB 2010, for the pair counts);
 * - BCubed (Bagga & Baldwin, "Entity-based cross-document coreferencing using the vector space model",
 *   COLING-ACL 1998; Amigó, Gonzalo, Artiles, Verdejo, "A comparison of extrinsic clustering evaluation metrics
 *   based on formal constraints", Information Retrieval 2009): precision_i = sum_{j in C(i)} p_ij / |C(i)|,
 *   recall_i = sum_{j in C(i)} p_ij / sum_j p_ij, averaged over faces.
 * Sums run over the faces in `rows` (all, or a seeded sample for large collections: both scores are means over
 * faces, so a sample estimates them without bias) against every face within `maxDistance` (beyond it p_ij < 1e-6).
 */
import type { Matrix } from './_input.ts';
import type { ClusteringMetrics } from '../evaluate/evaluate.ts';
import { rowsWithinRadius } from './_knn.ts';

/** The pair probabilities of some rows against all points, in CSR form. */
export interface PairProbabilities {
  n: number;
  /** The rows (faces) the sums run over. */
  rows: Int32Array;
  offsets: Int32Array;
  /** Column (other face) of each entry. */
  cols: Int32Array;
  probs: Float32Array;
  /** 1 + sum_j p_ij of each row: its expected number of faces of the same person, itself included. */
  rowTotals: Float64Array;
}

/** Expected scores of one partition: the pairwise and BCubed fields of {@link ClusteringMetrics}. */
export type ExpectedScores = Pick<ClusteringMetrics, 'pairwisePrecision' | 'pairwiseRecall' | 'pairwiseF1' | 'bcubedPrecision' | 'bcubedRecall' | 'bcubedF1'>;

/** The pairs (rows[r], j) within some distance, in CSR form, with their distances. */
export interface NearPairs {
  n: number;
  rows: Int32Array;
  offsets: Int32Array;
  cols: Int32Array;
  distances: Float64Array;
}

/** Every pair (rows[r], j) within `maxDistance`, with its distance. */
export function pairsWithin(m: Matrix, rows: Int32Array, maxDistance: number): NearPairs {
  const counts = new Int32Array(rows.length + 1);
  const cols: number[] = [];
  const distances: number[] = [];
  rowsWithinRadius(m, rows, maxDistance, (r, j, dist) => {
    cols.push(j); distances.push(dist);
    counts[r + 1]++;
  });
  // rowsWithinRadius visits rows in order, so entries are already grouped by row
  for (let r = 0; r < rows.length; r++) counts[r + 1] += counts[r];
  return { n: m.n, rows, offsets: counts, cols: Int32Array.from(cols), distances: Float64Array.from(distances) };
}

/** P(same) of every near pair by `probability(distance)`; pairs under 1e-6 are left out. */
export function withProbabilities(near: NearPairs, probability: (d: number) => number): PairProbabilities {
  const offsets = new Int32Array(near.rows.length + 1);
  const cols: number[] = [];
  const probs: number[] = [];
  const rowTotals = new Float64Array(near.rows.length).fill(1);
  for (let r = 0; r < near.rows.length; r++) {
    for (let e = near.offsets[r]; e < near.offsets[r + 1]; e++) {
      const p = probability(near.distances[e]);
      if (p < 1e-6) continue;
      cols.push(near.cols[e]); probs.push(p);
      rowTotals[r] += p;
    }
    offsets[r + 1] = cols.length;
  }
  return { n: near.n, rows: near.rows, offsets, cols: Int32Array.from(cols), probs: Float32Array.from(probs), rowTotals };
}

/** P(same) of every pair (rows[r], j) within `maxDistance`, by `probability(distance)`. */
export function pairProbabilities(m: Matrix, rows: Int32Array, maxDistance: number, probability: (d: number) => number): PairProbabilities {
  return withProbabilities(pairsWithin(m, rows, maxDistance), probability);
}

const f1 = (p: number, r: number) => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

/** Expected pairwise and BCubed scores of the partition `labels` (noise, -1, counts as singletons). */
export function expectedScores(labels: Int32Array, pp: PairProbabilities): ExpectedScores {
  const n = pp.n;
  // cluster sizes; noise points are their own clusters
  let maxLabel = -1;
  for (let i = 0; i < n; i++) if (labels[i] > maxLabel) maxLabel = labels[i];
  const size = new Float64Array(maxLabel + 1);
  for (let i = 0; i < n; i++) if (labels[i] >= 0) size[labels[i]]++;
  let inPairs = 0;
  for (const s of size) inPairs += (s * (s - 1)) / 2;
  const s = pp.rows.length;
  let tp = 0, all = 0, bp = 0, br = 0;
  for (let r = 0; r < s; r++) {
    const i = pp.rows[r];
    const li = labels[i];
    let inCluster = 1;
    if (li >= 0) for (let e = pp.offsets[r]; e < pp.offsets[r + 1]; e++) if (labels[pp.cols[e]] === li) inCluster += pp.probs[e];
    tp += inCluster - 1;
    all += pp.rowTotals[r] - 1;
    bp += inCluster / (li >= 0 ? size[li] : 1);
    br += inCluster / pp.rowTotals[r];
  }
  // sums over sampled rows count each pair from one end: scale to all rows, halve for unordered pairs
  const scale = n / Math.max(1, s) / 2;
  tp *= scale; all *= scale;
  const pairwisePrecision = inPairs > 0 ? Math.min(1, tp / inPairs) : 1;
  const pairwiseRecall = all > 0 ? Math.min(1, tp / all) : 1;
  const bcubedPrecision = bp / Math.max(1, s);
  const bcubedRecall = br / Math.max(1, s);
  return {
    pairwisePrecision, pairwiseRecall, pairwiseF1: f1(pairwisePrecision, pairwiseRecall),
    bcubedPrecision, bcubedRecall, bcubedF1: f1(bcubedPrecision, bcubedRecall),
  };
}
