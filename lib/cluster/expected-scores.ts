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
import type { MergeTree } from './agglomerative.ts';
import { UnionFind } from './_graph.ts';
import { rowsWithinRadius, squaredNorms } from './_knn.ts';
import { sameProbabilityWith, type sameProbabilityConstants, type sameProbabilityFunction, type SameProbabilityConstants } from './distance-mixture.ts';
import { PROBABILITY_TABLE_SIZE, probabilityTables, SCORE_ROWS, type ScoredRows } from './_score-tasks.ts';
import { onShared, releaseShared, runTask, shared } from './_threads.ts';

/** The pair pass's chunks of points: about this many, of SCORE_CHUNK_MIN_ROWS to SCORE_CHUNK_MAX_ROWS points each. */
const SCORE_CHUNKS = 32;
const SCORE_CHUNK_MIN_ROWS = 256;
/** 32,768 points of 512-d: 64 MB of float32 rows in a thread's kernel. */
const SCORE_CHUNK_MAX_ROWS = 32_768;

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

/** The expected scores of a tree's cuts: see {@link expectedScoreCurves}. */
export interface ExpectedScoreCurves {
  /** Clusters of each cut (of all the tree's leaves). */
  nClusters: Int32Array;
  /** `scores[k][c]`: the expected scores of cut c under probability function k. */
  scores: ExpectedScores[][];
}

/**
 * The expected scores of the cuts of `tree` at `thresholds` (ascending; a cut joins the merges of height below its
 * threshold, as `cutTree`) under several pair probabilities at once: for each cut c and function k, the same
 * values as `expectedScores(labels, pairProbabilities(m, rows, maxDistance, probabilities[k]))` with `labels` the
 * cut's labels of the rows of `m` (up to float rounding: the same sums in another order), in one radius search and
 * one pass over its pairs instead of one pass per cut and function.
 *
 * `m` holds the faces scored (the rows `rows` are sampled among them); `leaves[i]` is the tree leaf of row i of `m`
 * (null: leaf i), so the tree may hold more faces than are scored: cluster sizes count the scored faces only.
 *
 * How: a pair is in one cluster from the first cut whose merges include the lowest common ancestor of its two
 * leaves. With the leaves in the tree's left-to-right order, that ancestor is the latest merge between the two
 * leaves' positions (an ancestor is merged after its descendants), read in O(1) from a sparse table of range
 * maxima (Bender & Farach-Colton, "The LCA problem revisited", LATIN 2000). Each pair's probability is added to its
 * face's sum at that cut; the cuts are then walked upwards with a union-find of the merges for the cluster sizes.
 *
 * `probabilities`: functions of the distance, or mixtures' constants ({@link sameProbabilityConstants}, the same
 * values as {@link sameProbabilityFunction}): with constants only, the pair pass runs on every thread (the task of
 * _score-tasks.ts), the probabilities read from tables where the distances are computed (within 1e-9 of the
 * functions: {@link probabilityTables}); the same sums in the same order either way, so the two differ by the
 * tables' rounding only.
 *
 * Complexity: O(|rows| n d) for the radius search, O(n log n) for the table, O(pairs * functions) for the pairs,
 * O(cuts * |rows| * functions * chunks + merges) for the curve; memory O(n log n + |rows| * cuts * functions * chunks)
 * (the chunks of points: at most 32 up to a million faces) and, on the threads, the sampled rows and one chunk of
 * points each, whatever the number of pairs within `maxDistance`.
 */
export function expectedScoreCurves(m: Matrix, rows: Int32Array, maxDistance: number, probabilities: readonly (SameProbabilityConstants | ((d: number) => number))[], tree: MergeTree, leaves: Int32Array | null, thresholds: ArrayLike<number>): ExpectedScoreCurves {
  const cuts = thresholds.length;
  const nLeaves = tree.nLeaves;
  const merges = tree.height.length;
  const nk = probabilities.length;
  const s = rows.length;
  const leafOf = (i: number) => (leaves === null ? i : leaves[i]);
  // merges each cut makes (the prefix of merges below its threshold, as cutTree) and the first cut of each merge
  const mergesAt = new Int32Array(cuts);
  const cutOfMerge = new Int32Array(merges).fill(cuts);
  for (let c = 0, t = 0; c < cuts; c++) {
    while (t < merges && tree.height[t] < thresholds[c]) cutOfMerge[t++] = c;
    mergesAt[c] = t;
  }
  // the leaves in the tree's left-to-right order: each node covers a run of positions; between adjacent positions,
  // the first cut that joins them (cuts: never, different roots)
  const nodes = nLeaves + merges;
  const start = new Int32Array(nodes);
  const hasParent = new Uint8Array(nodes);
  for (let t = 0; t < merges; t++) { hasParent[tree.left[t]] = 1; hasParent[tree.right[t]] = 1; }
  const sizeOf = (v: number) => (v < nLeaves ? 1 : tree.size[v - nLeaves]);
  for (let v = 0, at = 0; v < nodes; v++) if (!hasParent[v]) { start[v] = at; at += sizeOf(v); }
  const gaps = Math.max(1, nLeaves - 1);
  const levels = 32 - Math.clz32(gaps);
  const table = new Int32Array(levels * gaps).fill(cuts);
  for (let t = merges - 1; t >= 0; t--) {
    const a = tree.left[t], at = start[nLeaves + t];
    start[a] = at;
    start[tree.right[t]] = at + sizeOf(a);
    table[at + sizeOf(a) - 1] = cutOfMerge[t];
  }
  for (let l = 1; l < levels; l++) {
    const half = 1 << (l - 1), row = l * gaps, prev = (l - 1) * gaps;
    for (let p = 0; p + (1 << l) <= gaps; p++) table[row + p] = Math.max(table[prev + p], table[prev + p + half]);
  }
  // the first cut that joins two leaves (cuts: none)
  const joinCut = (u: number, v: number): number => {
    let a = start[u], b = start[v];
    if (a > b) { const x = a; a = b; b = x; }
    const l = 31 - Math.clz32(b - a);
    const x = table[l * gaps + a], y = table[l * gaps + b - (1 << l)];
    return x > y ? x : y;
  };
  // one radius search: each row's total and its sums at each cut (the pairs a cut joins first), chunk by chunk of the
  // points, the chunks' sums then added in chunk order and the cuts' sums cumulated, so no pair list is held: memory
  // O(n + |rows| cuts chunks), not O(pairs within reach) (1.5 billion at a million faces)
  // totals[k][r]: 1 + the probabilities of row r's pairs; atCut[k][r * cuts + c]: those in one cluster at cut c
  const totals = Array.from({ length: nk }, () => new Float64Array(s).fill(1));
  const atCut = Array.from({ length: nk }, () => new Float64Array(s * cuts).fill(1));
  const functions = probabilities.filter((f): f is SameProbabilityConstants => typeof f !== 'function');
  // the chunks of points: a function of n only (never of the threads)
  const chunkRows = Math.min(SCORE_CHUNK_MAX_ROWS, Math.max(SCORE_CHUNK_MIN_ROWS, 4 * Math.ceil(m.n / SCORE_CHUNKS / 4)));
  const bounds = Int32Array.from({ length: Math.ceil(m.n / chunkRows) + 1 }, (_, c) => Math.min(m.n, c * chunkRows));
  let chunks: ScoredRows[];
  if (functions.length === nk && s > 0 && m.n > 0) {
    // the mixtures' probabilities: on every thread, pair by pair where the distances are computed
    const { n, d } = m;
    const data = onShared(m.data.subarray(0, n * d));
    const norms = shared(Float64Array, n);
    norms.set(squaredNorms(m));
    const q = shared(Int32Array, s);
    q.set(rows);
    const sharedTable = shared(Int32Array, table.length);
    sharedTable.set(table);
    const leafStart = shared(Int32Array, nLeaves);
    leafStart.set(start.subarray(0, nLeaves));
    let sharedLeaves: Int32Array | null = null;
    if (leaves !== null) { sharedLeaves = shared(Int32Array, leaves.length); sharedLeaves.set(leaves); }
    // the probabilities tabulated over squared distances up to the radius (the farthest pair when it has none)
    let radius = maxDistance;
    if (!Number.isFinite(radius)) { let most = 0; for (let i = 0; i < n; i++) most = Math.max(most, norms[i]); radius = 2 * Math.sqrt(most); }
    const size = PROBABILITY_TABLE_SIZE;
    const tables = shared(Float64Array, nk * (size + 2));
    const { step } = probabilityTables(functions, radius, size, tables);
    chunks = runTask(SCORE_ROWS, { data, n, d, norms, rows: q, bounds, chunkRows, radius, tables, nk, size, step, leaves: sharedLeaves, leafStart, table: sharedTable, gaps, cuts }, bounds.length - 1).chunks;
    releaseShared(norms, sharedTable, leafStart, tables, ...(sharedLeaves ? [sharedLeaves] : []));
  } else {
    // functions of the distance, here: the same sums as the threads' chunk by chunk
    const fns = probabilities.map((f) => (typeof f === 'function' ? f : (x: number) => sameProbabilityWith(f, x)));
    chunks = Array.from({ length: bounds.length - 1 }, () => ({ totals: new Float64Array(s * nk), atCut: new Float64Array(s * nk * cuts) }));
    let chunk = 0;
    const p = new Float64Array(nk);
    rowsWithinRadius(m, rows, maxDistance, (r, j, dist) => {
      // j ascends within a row: find its chunk from the row's start
      if (j < bounds[chunk]) chunk = 0;
      while (j >= bounds[chunk + 1]) chunk++;
      const out = chunks[chunk];
      let any = false;
      for (let k = 0; k < nk; k++) {
        const v = fns[k](dist);
        // pairs under 1e-6 are left out, as withProbabilities
        if (v < 1e-6) { p[k] = 0; continue; }
        p[k] = v; out.totals[r * nk + k] += v; any = true;
      }
      if (!any) return;
      const c = joinCut(leafOf(rows[r]), leafOf(j));
      if (c >= cuts) return;
      // in float32, as pairProbabilities stores them
      for (let k = 0; k < nk; k++) out.atCut[(r * nk + k) * cuts + c] += Math.fround(p[k]);
    });
  }
  const cutSum = new Float64Array(cuts);
  for (let r = 0; r < s; r++) {
    for (let k = 0; k < nk; k++) {
      const at = r * nk + k;
      let t = 0;
      cutSum.fill(0);
      for (const ch of chunks) {
        t += ch.totals[at];
        for (let c = 0; c < cuts; c++) cutSum[c] += ch.atCut[at * cuts + c];
      }
      totals[k][r] = 1 + t;
      let v = 1;
      for (let c = 0; c < cuts; c++) { v += cutSum[c]; atCut[k][r * cuts + c] = v; }
    }
  }
  // walk the cuts upwards: the merges of each cut join scored-face counts, its pairs add to their rows' sums
  // scored faces in each cluster, kept at its union-find root
  const weight = new Float64Array(nLeaves);
  for (let i = 0; i < m.n; i++) weight[leafOf(i)] = 1;
  const uf = new UnionFind(nLeaves);
  // a leaf of each node, to find its cluster by
  const leafIn = new Int32Array(nodes);
  for (let v = 0; v < nLeaves; v++) leafIn[v] = v;
  for (let t = 0; t < merges; t++) leafIn[nLeaves + t] = leafIn[tree.left[t]];
  const rowLeaf = Int32Array.from(rows, (i) => leafOf(i));
  const all = totals.map((tot) => { let a = 0; for (let r = 0; r < s; r++) a += tot[r] - 1; return a; });
  const scale = m.n / Math.max(1, s) / 2;
  const nClusters = new Int32Array(cuts);
  const scores = probabilities.map(() => new Array<ExpectedScores>(cuts));
  let inPairs = 0;
  for (let c = 0, t = 0; c < cuts; c++) {
    for (; t < mergesAt[c]; t++) {
      const a = uf.find(leafIn[tree.left[t]]), b = uf.find(leafIn[tree.right[t]]);
      inPairs += weight[a] * weight[b];
      const root = uf.union(a, b);
      weight[root] = weight[a] + weight[b];
    }
    nClusters[c] = nLeaves - mergesAt[c];
    for (let k = 0; k < nk; k++) {
      const inC = atCut[k], tot = totals[k];
      let tp = 0, bp = 0, br = 0;
      for (let r = 0; r < s; r++) {
        const v = inC[r * cuts + c];
        tp += v - 1;
        bp += v / weight[uf.find(rowLeaf[r])];
        br += v / tot[r];
      }
      tp *= scale;
      const allPairs = all[k] * scale;
      const pairwisePrecision = inPairs > 0 ? Math.min(1, tp / inPairs) : 1;
      const pairwiseRecall = allPairs > 0 ? Math.min(1, tp / allPairs) : 1;
      const bcubedPrecision = bp / Math.max(1, s);
      const bcubedRecall = br / Math.max(1, s);
      scores[k][c] = {
        pairwisePrecision, pairwiseRecall, pairwiseF1: f1(pairwisePrecision, pairwiseRecall),
        bcubedPrecision, bcubedRecall, bcubedF1: f1(bcubedPrecision, bcubedRecall),
      };
    }
  }
  return { nClusters, scores };
}
