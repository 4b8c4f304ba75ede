/**
 * The default clustering: average linkage whose cut the collection chooses, with no labels and no threshold to
 * tune.
 *
 * 1. Fit the two-mode mixture of pair distances ({@link fitDistanceMixture}): how likely a pair at distance d is
 *    one person, in this collection (a crowd of look-alikes makes a pair at 0.5 doubtful; fifteen people with a
 *    hundred photos each make it near certain).
 * 2. Build the average-linkage tree (mean squared distance between members, over the k-nearest-neighbour graph:
 *    {@link meanLinkageTree}; the same partitions as exact average linkage on the dev collections).
 * 3. Cut it where the expected BCubed F1 under the mixture is highest ({@link expectedScores}): each cut is scored
 *    as if every pair's "same person" were its probability, so the curve and its maximum need no labels.
 *
 * Sokal & Michener, "A statistical method for evaluating systematic relationships", Univ. Kansas Sci. Bull. 1958
 * (average linkage); Dempster, Laird, Rubin, JRSS B 1977 (EM); Amigó et al., Information Retrieval 2009 (BCubed).
 * The cut criterion is this project's: a partition's expected score under a label-free mixture model of pair
 * distances.
 *
 * What it returns besides the labels is the evidence a person can check: the mixture (both modes, the prior, the
 * crossing), the curve of expected scores over cuts and the chosen cut.
 *
 * Complexity: O(n k d) after the kNN graph (exact O(n^2 d) up to 50,000 faces, HNSW above), O(s n d) for the pair
 * probabilities of s sampled faces, O(cuts * s * neighbours) for the curve. Measured: all of LFW (12,424 faces)
 * in about 5 s; 100,000 synthetic faces in about a minute (`npm run bench:cluster`).
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult } from '../types.ts';
import { cutTree, type MergeTree } from './agglomerative.ts';
import { makeResult, Random, toMatrix } from './_input.ts';
import { knn, KNN_METHODS, squaredNorms, type KnnMethod } from './_knn.ts';
import { meanLinkageTree } from './_mean-linkage.ts';
import { FIT_DISTANCE_MIXTURE_DEFAULTS, fitDistanceMixture, MIXTURE_SPACES, modeDistance, sameProbability, type DistanceMixture, type MixtureComponent, type MixtureSpace } from './distance-mixture.ts';
import { expectedScores, pairProbabilities, type ExpectedScores } from './expected-scores.ts';

/** Which expected score chooses the cut. */
export type AutoCriterion = 'bcubed' | 'pairwise';

export interface AutoOptions {
  /**
   * Which expected F1 is maximised. @default 'bcubed' — it weighs every face equally, so a person with many
   * photos does not outweigh everyone else (pairwise F1 grows with the square of cluster sizes).
   */
  criterion: AutoCriterion;
  /**
   * Neighbours of each face in the candidate graph of the linkage tree. @default 16 — 8, 16 and 32 give the same
   * best partitions as exact average linkage on 120faces and yale; 16 leaves a margin for larger people.
   */
  neighbors: number;
  /** Cuts tried between the two modes of the mixture. @default 120 */
  cuts: number;
  /** Pairs measured at most to fit the mixture (a seeded sample above). @default 500,000 */
  maxPairs: number;
  /** Faces the expected scores average over at most (a seeded sample above). @default 3,000 */
  sampleFaces: number;
  /** Neighbour search: `exact`, `hnsw` or `auto` (HNSW above 50,000 faces). @default 'auto' */
  knn: KnnMethod;
  /** Seed of the samples. @default 0 — reproducible by default. */
  seed: number;
  /**
   * The same-person mode of the mixture is at most this times as wide as the different-person mode (see
   * `FitDistanceMixtureOptions.sameSpreadCap`). @default 2 — the default embedder's, measured with bench:transfer
   * (leave one collection out); a ratio of two spreads, so scale-free. Per embedder: `EMBEDDER_SPECS[e].mixture`.
   */
  sameSpreadCap: number;
  /**
   * Whether the mixture's modes are normal in the distance or its square (see `FitDistanceMixtureOptions.space`).
   * @default 'squared' — the default embedder's, measured like `sameSpreadCap`.
   */
  space: MixtureSpace;
}

export const AUTO_DEFAULTS: Readonly<AutoOptions> = Object.freeze({
  criterion: 'bcubed',
  neighbors: 16,
  cuts: 120,
  maxPairs: 500_000,
  sampleFaces: 3_000,
  knn: 'auto',
  seed: 0,
  sameSpreadCap: FIT_DISTANCE_MIXTURE_DEFAULTS.sameSpreadCap,
  space: FIT_DISTANCE_MIXTURE_DEFAULTS.space,
});

/** What {@link clusterAuto} chose and why. */
export interface AutoEvidence {
  /** The chosen cut: faces whose clusters' linkage is below this distance are one person. */
  threshold: number;
  criterion: AutoCriterion;
  /** The expected scores at the chosen cut. */
  expected: ExpectedScores;
  mixture: DistanceMixture;
  /** The curve over cuts: threshold, clusters, expected BCubed and pairwise F1. */
  curve: { threshold: number[]; nClusters: number[]; bcubedF1: number[]; pairwiseF1: number[] };
  /** Index of the chosen cut in `curve`. */
  chosen: number;
  /** Faces the expected scores averaged over (all, or a sample). */
  facesScored: number;
}

export interface AutoClusterResult extends ClusterResult {
  evidence: AutoEvidence;
  /** The linkage tree (merges up to the different-person mode), to cut again elsewhere with `cutTree`. */
  tree: MergeTree;
}

/** The adaptive default clustering (no noise). Pure: the input is not modified; same seed, same output. */
export function clusterAuto(x: Float32Array[], options?: Partial<AutoOptions>): AutoClusterResult {
  const fn = 'clusterAuto';
  const o = resolveOptions(fn, AUTO_DEFAULTS, options);
  checkOneOf(fn, 'criterion', o.criterion, ['bcubed', 'pairwise'] as const);
  checkInteger(fn, 'neighbors', o.neighbors, 1);
  checkInteger(fn, 'cuts', o.cuts, 2, 100_000);
  checkInteger(fn, 'maxPairs', o.maxPairs, 100);
  checkInteger(fn, 'sampleFaces', o.sampleFaces, 10);
  checkOneOf(fn, 'knn', o.knn, KNN_METHODS);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  checkNumber(fn, 'sameSpreadCap', o.sameSpreadCap, 0, Infinity, true);
  checkOneOf(fn, 'space', o.space, MIXTURE_SPACES);
  const m = toMatrix(fn, x);
  const n = m.n;
  if (n < 3) {
    // too few pairs to learn anything from: every face its own person
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = i;
    const r = makeResult(labels, n > 0 ? [`clusterAuto: ${n} face(s) are too few to estimate a threshold; each is its own cluster.`] : []);
    const empty: MergeTree = { nLeaves: n, left: new Int32Array(0), right: new Int32Array(0), height: new Float64Array(0), size: new Int32Array(0) };
    const none = { pairwisePrecision: 1, pairwiseRecall: 1, pairwiseF1: 1, bcubedPrecision: 1, bcubedRecall: 1, bcubedF1: 1 };
    return { ...r, tree: empty, evidence: { threshold: 0, criterion: o.criterion, expected: none, mixture: emptyMixture(), curve: { threshold: [], nClusters: [], bcubedF1: [], pairwiseF1: [] }, chosen: -1, facesScored: n } };
  }
  const mixture = fitDistanceMixture(m, { maxPairs: o.maxPairs, seed: o.seed, sameSpreadCap: o.sameSpreadCap, space: o.space });
  // cuts from the same-person mode to 1.75x its distance to the crossing (at most the different-person mode):
  // beyond, the expected scores only fall (every further merge joins pairs the mixture finds unlikely one person),
  // and the tree need not be built there (on 100,000 faces that top of the tree is most of its cost)
  const lo = modeDistance(mixture, mixture.same);
  const far = modeDistance(mixture, mixture.different);
  const hi = Math.max(lo + 1e-6, Math.min(far, mixture.crossing + 0.75 * (mixture.crossing - lo)));
  const tree = meanLinkageTree(m, knn(m, Math.min(o.neighbors, n - 1), 'euclidean', o.knn), hi);
  // faces the scores average over
  let rows: Int32Array;
  if (n <= o.sampleFaces) rows = Int32Array.from({ length: n }, (_, i) => i);
  else {
    const rng = new Random(o.seed + 1);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < o.sampleFaces; i++) { const j = i + rng.nextInt(n - i); const t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    rows = perm.slice(0, o.sampleFaces).sort();
  }
  // beyond this distance the same-person probability is negligible
  let reach = mixture.crossing;
  const step = (far - lo) / 400;
  while (reach < far && sameProbability(mixture, reach) >= 1e-6) reach += step;
  const probability = (d: number) => sameProbability(mixture, d);
  const pp = pairProbabilities(m, rows, reach, probability);
  const curve = { threshold: [] as number[], nClusters: [] as number[], bcubedF1: [] as number[], pairwiseF1: [] as number[] };
  let chosen = 0;
  let bestScore = -1;
  let bestLabels: Int32Array | null = null;
  let bestExpected: ExpectedScores | null = null;
  for (let c = 0; c < o.cuts; c++) {
    const t = lo + ((hi - lo) * c) / (o.cuts - 1);
    const cut = cutTree(tree, { distanceThreshold: t });
    const e = expectedScores(cut.labels, pp);
    curve.threshold.push(t); curve.nClusters.push(cut.nClusters); curve.bcubedF1.push(e.bcubedF1); curve.pairwiseF1.push(e.pairwiseF1);
    const score = o.criterion === 'bcubed' ? e.bcubedF1 : e.pairwiseF1;
    if (score > bestScore) { bestScore = score; chosen = c; bestLabels = cut.labels; bestExpected = e; }
  }
  const warnings: string[] = [];
  // 'squared' rests on unit vectors (d^2 = 2 - 2 cos); the default came by default, not by choice: say so
  if (options?.space === undefined && o.space === 'squared' && squaredNorms(m).some((q) => Math.abs(Math.sqrt(q) - 1) > 1e-3)) {
    warnings.push("clusterAuto: the rows are not unit vectors, and space 'squared' (the default embedder's) assumes they are; pass the embedder's constants (embedderMixtureOptions(embedder), e.g. { space: 'distance', sameSpreadCap: 1 } for resnet128).");
  }
  if (mixture.samePrior < 1e-4) warnings.push(`clusterAuto: almost no pair looks like one person (prior ${mixture.samePrior.toExponential(1)}); nearly every face is its own cluster.`);
  const result = makeResult(bestLabels!, warnings);
  return {
    ...result,
    tree,
    evidence: { threshold: curve.threshold[chosen], criterion: o.criterion, expected: bestExpected!, mixture, curve, chosen, facesScored: rows.length },
  };
}

function emptyMixture(): DistanceMixture {
  return { space: FIT_DISTANCE_MIXTURE_DEFAULTS.space, samePrior: 0, same: { mean: 0, sd: 0 }, different: { mean: 0, sd: 0 }, pairs: 0, exhaustive: true, crossing: 0, histogram: { edges: [], counts: [] }, iterations: 0 };
}

/**
 * The evidence in words, one line each, for the CLI and notebooks: the chosen cut, the two modes of the pair
 * distances and the prior, and the expected scores at the cut.
 */
export function explainAuto(evidence: AutoEvidence): string[] {
  const mx = evidence.mixture;
  const f = (v: number) => v.toFixed(3);
  if (evidence.chosen < 0) return ['too few faces to estimate a threshold: each face is its own person'];
  const pct = (v: number) => (v >= 0.01 ? `${(100 * v).toFixed(1)}%` : `${(100 * v).toFixed(2)}%`);
  const mode = (c: MixtureComponent) => (mx.space === 'squared' ? `at ${f(modeDistance(mx, c))} (squared ${f(c.mean)} ± ${f(c.sd)})` : `${f(c.mean)} ± ${f(c.sd)}`);
  return [
    `chose threshold ${f(evidence.threshold)} (average linkage cut, ${evidence.curve.nClusters[evidence.chosen]} clusters) where the expected ${evidence.criterion === 'bcubed' ? 'BCubed' : 'pairwise'} F1 is highest: ${f(evidence.criterion === 'bcubed' ? evidence.expected.bcubedF1 : evidence.expected.pairwiseF1)}`,
    `pair distances (${mx.exhaustive ? 'all' : 'a sample of'} ${mx.pairs.toLocaleString('en-US')} pairs${mx.space === 'squared' ? ', modes fitted to squared distances' : ''}): same-person mode ${mode(mx.same)} (${pct(mx.samePrior)} of pairs), different-person mode ${mode(mx.different)}; a pair is more likely one person than two below ${f(mx.crossing)}`,
    `expected at the cut, without labels: pairwise P/R/F1 ${f(evidence.expected.pairwisePrecision)} / ${f(evidence.expected.pairwiseRecall)} / ${f(evidence.expected.pairwiseF1)}, BCubed P/R/F1 ${f(evidence.expected.bcubedPrecision)} / ${f(evidence.expected.bcubedRecall)} / ${f(evidence.expected.bcubedF1)} (over ${evidence.facesScored.toLocaleString('en-US')} faces)`,
  ];
}
