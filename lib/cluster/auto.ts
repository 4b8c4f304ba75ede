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
 * Complexity: O(n k d) after the kNN graph (exact O(n^2 d) up to 50,000 faces, an inverted file above), O(s n d) for the pair
 * probabilities of s sampled faces, O(pairs + cuts * s) for the curve (every cut at once, {@link expectedScoreCurves}).
 * Measured: all of LFW (12,424 faces) in about 5 s; 100,000 synthetic 512-d faces in 137 s at load 1.5-3.5, peak RSS
 * 1.1 GB (`npm run bench:cluster -- --n 100000 --dim 512 --only auto`; README "Where `auto` spends its time at scale").
 */
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult } from '../types.ts';
import { cutTree, type MergeTree } from './agglomerative.ts';
import { makeResult, Random, toMatrix, type Matrix } from './_input.ts';
import { FaceclusterError } from '../errors.ts';
import { knn, KNN_METHODS, unitRows as hasUnitRows, type KnnMethod } from './_knn.ts';
import { meanLinkageTree } from './_mean-linkage.ts';
import { shared, threadWarning } from './_threads.ts';
import { checkComponent, checkDegrees, DEFAULT_DIFFERENT_DF, DEFAULT_SAME_REFERENCE, FIT_DISTANCE_MIXTURE_DEFAULTS, fitMixtureToDistances, MIXTURE_SPACES, modeDistance, sameProbabilityConstants, sameProbabilityFunction, samplePairDistances, type DistanceMixture, type MixtureComponent, type MixtureSpace } from './distance-mixture.ts';
import { expectedScoreCurves, type ExpectedScores } from './expected-scores.ts';

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
  /** Neighbour search: `exact`, `hnsw`, `ivf` or `auto` (an inverted file above 50,000 faces). @default 'auto' */
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
  /**
   * The embedder's same-person pair distances, measured on labelled collections (a normal in `space`'s units), or
   * null. With it, `auto` fits a second mixture whose same-person mode is this one (only its share and the
   * different-person mode fitted) and cuts at the LOWER of the two mixtures' cuts: where same-person pairs are
   * rare (relatives, people seen once) or look-alike strangers, poor faces and relatives form a near mode of
   * their own, the collection's own "same-person" mode is the near tail of strangers, and only the measured one
   * says what one person's photos look like. @default {@link DEFAULT_SAME_REFERENCE} — the default embedder's
   * (mobilefacenet512); per embedder: `EMBEDDER_SPECS[e].mixture.sameReference` (`embedderMixtureOptions(e)`).
   */
  sameReference: MixtureComponent | null;
  /**
   * The cut maximises the expected F-beta: beta < 1 weighs precision (strangers kept apart) above recall (one
   * person's photos together). @default 1
   */
  beta: number;
  /**
   * The beta of the expected F-beta when the collection's own same-person mode is not plausible (farther than
   * {@link PLAUSIBLE_SAME_SDS} sds above the measured one: relatives, people seen once, look-alike crowds): the
   * measured mode's mixture alone then chooses the cut, weighing precision twice as much as recall (beta 0.5, the
   * conventional precision-weighted F), because the collection gave no evidence of where its people are.
   * @default 0.5 — looked at on families and LFW's one-photo people (their cut moves from 1.15 / 1.06 at beta 1 to
   * 1.07 / 1.03; see README "Every face"); collections with a plausible own mode never use it. Between
   * {@link SURE_SAME_SDS} and {@link PLAUSIBLE_SAME_SDS} the measured mode's beta goes linearly from `beta` to it.
   */
  weakBeta: number;
  /**
   * Degrees of freedom of both mixtures' different-person mode, a Student t (Infinity: a normal): look-alike
   * strangers make its near tail heavier than a normal's, and a normal there calls them one person and lifts the
   * cut. @default {@link DEFAULT_DIFFERENT_DF} (22) — the default embedder's, measured on labelled strangers (see
   * the constant); per embedder: `EMBEDDER_SPECS[e].mixture.differentDf` (Infinity where not measured).
   */
  differentDf: number;
}

/**
 * The collection's own same-person mode is plausible when its mean (in the mixture's space) is at most this many
 * sds above the embedder's measured same-person mean: the measured collections' own modes lie within 1 sd (pins
 * 0.46, celeba 0.99); where same-person pairs are rare the own mode is the strangers' near tail, 2.3-2.5 sds above
 * (families, LFW's one-photo people). 2: the conventional two-sd bound, between the two groups.
 */
export const PLAUSIBLE_SAME_SDS = 2;

/**
 * The collection's own same-person mode is fully plausible at most this many sds above the measured mean: where
 * every measured collection's own mode lies (pins 0.46, celeba 0.99 with a normal stranger mode; with the Student t
 * one, 0.0-0.4). Between it and {@link PLAUSIBLE_SAME_SDS} the measured mode's mixture weighs precision more the
 * farther the own mode is (its beta goes linearly from `beta` to `weakBeta`), so a mode just under the bound does not
 * choose as if it were one person's photos: without the ramp, `families` (its own mode 1.995 sds above) cut at
 * 1.101 with every face and at 1.013 with one face per photo (2.02 sds).
 */
export const SURE_SAME_SDS = 1;

/**
 * The linkage tree and the cuts tried stop where the same-person probability of a pair falls below this under every
 * mixture that may choose (the measured mode's alone when the collection's own mode is implausible): above, every
 * further merge joins pairs at least 1,000 to 1 two people. @default 1e-3 — on the 16 collections of bench:transfer
 * (every face and the labelled ones) the choosing mixture's probability at the chosen cut is 0.12-1.0 and the
 * distance where it falls below 1e-3 is 0.06-0.49 above the cut, so no cut moves (the same labels on all 16, checked
 * with and without it); on 100,000 synthetic 512-d faces the tree stops at 1.30 instead of the strangers' mode 1.41
 * (README "Where `auto` spends its time at scale").
 */
export const TOP_PROBABILITY = 1e-3;

/**
 * Walking up from `from` in steps of 1/400 of the way from `lo` to `far`: the first distance where the mixture's
 * same-person probability is below `p`, or the first at or past `far`.
 */
function probabilityFallsBelow(mixture: DistanceMixture, from: number, lo: number, far: number, p: number): number {
  const same = sameProbabilityFunction(mixture);
  const step = (far - lo) / 400;
  let d = from;
  while (d < far && same(d) >= p) d += step;
  return d;
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
  sameReference: DEFAULT_SAME_REFERENCE,
  beta: 1,
  weakBeta: 0.5,
  differentDf: DEFAULT_DIFFERENT_DF,
});

/** Scores of two cuts closer than this are a tie (the lower cut wins): above the rounding of the pair pass. */
const SCORE_TIE = 1e-8;

/** F-beta of a precision and a recall (van Rijsbergen, Information Retrieval, 1979). */
function fBeta(p: number, r: number, beta: number): number {
  const b2 = beta * beta;
  return p + r > 0 ? ((1 + b2) * p * r) / (b2 * p + r) : 0;
}

/** One mixture's choice of cut: the mixture, the cut where its expected score is highest and that score. */
export interface AutoCut {
  threshold: number;
  expected: ExpectedScores;
  mixture: DistanceMixture;
}

/** What {@link clusterAuto} chose and why. */
export interface AutoEvidence {
  /** The chosen cut: faces whose clusters' linkage is below this distance are one person. */
  threshold: number;
  criterion: AutoCriterion;
  /** The expected scores at the chosen cut. */
  expected: ExpectedScores;
  mixture: DistanceMixture;
  /**
   * The curve over cuts: threshold, clusters, expected BCubed and pairwise F1; `cuts` thresholds from the lower
   * same-person mode, up to where every mixture that may choose finds pairs {@link TOP_PROBABILITY} likely one person.
   */
  curve: { threshold: number[]; nClusters: number[]; bcubedF1: number[]; pairwiseF1: number[] };
  /** Index of the chosen cut in `curve`. */
  chosen: number;
  /** Faces the expected scores averaged over (all, or a sample). */
  facesScored: number;
  /**
   * Which mixture chose the cut: the collection's own (`'collection'`) or the one with the embedder's measured
   * same-person mode (`'reference'`): the lower cut of the two.
   */
  basis: 'collection' | 'reference';
  /**
   * The cut of the collection's own mixture (among the cuts tried: when its mode is implausible, those up to where
   * the measured mode's mixture finds pairs {@link TOP_PROBABILITY} likely one person).
   */
  collectionCut: AutoCut;
  /** The cut of the mixture with the measured same-person mode; null without `sameReference`. */
  referenceCut: AutoCut | null;
  /** The largest cluster: its faces and their share of all faces. */
  largest: { faces: number; share: number };
  /**
   * One plain sentence when the evidence is weak (the collection's own same-person mode is not one person's
   * photos by the embedder's measurements, or the expected F1 at the cut is low), else null. `warnings` has it too.
   */
  weakEvidence: string | null;
  /**
   * Seconds of each step (wall clock): the mixtures (sampled pairs and fits), the neighbour graph, the linkage tree,
   * the expected scores of every cut (the pair pass).
   */
  seconds: { mixtures: number; knn: number; tree: number; scores: number };
}

export interface AutoClusterResult extends ClusterResult {
  evidence: AutoEvidence;
  /**
   * The linkage tree (merges up to the last cut tried, where every choosing mixture finds pairs
   * {@link TOP_PROBABILITY} likely one person), to cut again elsewhere with `cutTree`.
   */
  tree: MergeTree;
}

/**
 * The adaptive default clustering (no noise). Pure: the input is not modified; same seed, same output.
 *
 * `steering`: which faces may steer the cut (one flag per row; default all), a per-face input like a sample
 * weight, not an option. Faces too poor to recognise (small, blurred, turned away: `faceQuality` below its bar)
 * sit near each other whoever they are, and would widen the same-person mode and lift the cut for everyone; left
 * out of the steering, they are still clustered (cut where the others chose), but the mixtures and the expected
 * scores are the steering faces' alone. Fewer than 3 flagged: every face steers.
 */
export function clusterAuto(x: Float32Array[], options?: Partial<AutoOptions>, steering: ArrayLike<boolean> | null = null): AutoClusterResult {
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
  checkNumber(fn, 'beta', o.beta, 0, Infinity, true);
  checkNumber(fn, 'weakBeta', o.weakBeta, 0, Infinity, true);
  checkDegrees(fn, 'differentDf', o.differentDf);
  // on shared memory: the threads of the pair passes read it as it is
  const m = toMatrix(fn, x, 'euclidean', (length) => shared(Float32Array, length));
  const n = m.n;
  if (n < 3) {
    // too few pairs to learn anything from: every face its own person
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) labels[i] = i;
    const r = makeResult(labels, n > 0 ? [`clusterAuto: ${n} face(s) are too few to estimate a threshold; each is its own cluster.`] : []);
    const empty: MergeTree = { nLeaves: n, left: new Int32Array(0), right: new Int32Array(0), height: new Float64Array(0), size: new Int32Array(0) };
    const none = { pairwisePrecision: 1, pairwiseRecall: 1, pairwiseF1: 1, bcubedPrecision: 1, bcubedRecall: 1, bcubedF1: 1 };
    const noCut: AutoCut = { threshold: 0, expected: none, mixture: emptyMixture() };
    return { ...r, tree: empty, evidence: { threshold: 0, criterion: o.criterion, expected: none, mixture: noCut.mixture, curve: { threshold: [], nClusters: [], bcubedF1: [], pairwiseF1: [] }, chosen: -1, facesScored: n, basis: 'collection', collectionCut: noCut, referenceCut: null, largest: { faces: n > 0 ? 1 : 0, share: n > 0 ? 1 / n : 0 }, weakEvidence: null, seconds: { mixtures: 0, knn: 0, tree: 0, scores: 0 } } };
  }
  if (o.sameReference !== null) checkComponent(fn, 'sameReference', o.sameReference);
  const unitRows = hasUnitRows(m);
  // the default reference is in unit-vector distances: it applies to unit rows, or when given on purpose
  const reference = unitRows || options?.sameReference !== undefined ? o.sameReference : null;
  // so is the default stranger tail (measured on unit vectors' squared distances)
  const differentDf = unitRows || options?.differentDf !== undefined ? o.differentDf : Infinity;
  // the faces that steer the cut (all, or those given), as their own matrix: both mixtures are fitted to the same
  // pair distances among them, and the expected scores are theirs
  const steer = steeringRows(fn, steering, n);
  const ms = steer ? subMatrix(m, steer) : m;
  const clock = [performance.now()];
  const { distances, exhaustive } = samplePairDistances(ms, o.maxPairs, o.seed);
  const own = fitMixtureToDistances(distances, exhaustive, FIT_DISTANCE_MIXTURE_DEFAULTS.bins, o.sameSpreadCap, o.space, null, differentDf);
  const ref = reference ? fitMixtureToDistances(distances, exhaustive, FIT_DISTANCE_MIXTURE_DEFAULTS.bins, o.sameSpreadCap, o.space, reference, differentDf) : null;
  const mixtures = ref ? [own, ref] : [own];
  // cuts from the same-person mode to 1.75x its distance to the crossing (at most the different-person mode):
  // beyond, the expected scores only fall (every further merge joins pairs the mixture finds unlikely one person),
  // and the tree need not be built there (on 100,000 faces that top of the tree is most of its cost)
  const range = mixtures.map((mx) => {
    const lo = modeDistance(mx, mx.same);
    const far = modeDistance(mx, mx.different);
    return { lo, far, hi: Math.max(lo + 1e-6, Math.min(far, mx.crossing + 0.75 * (mx.crossing - lo))) };
  });
  const lo = Math.min(...range.map((r) => r.lo));
  const hi = Math.max(...range.map((r) => r.hi));
  // the collection's own same-person mode is not one person's photos: only the measured mode's mixture chooses, and
  // it weighs precision more (the collection gave no evidence of where its people are)
  const sds = ref !== null ? (own.same.mean - ref.same.mean) / ref.same.sd : -Infinity;
  const implausible = sds > PLAUSIBLE_SAME_SDS;
  // the tree and the cuts stop where every mixture that may choose finds a pair less than TOP_PROBABILITY likely one
  // person (no collection's cut comes near: see the constant); the top of the tree, where clusters of strangers
  // absorb one another, is most of its cost at scale
  const choosing = implausible ? [1] : mixtures.map((_, k) => k);
  const top = Math.min(hi, Math.max(...choosing.map((k) => {
    const d = probabilityFallsBelow(mixtures[k], Math.max(range[k].lo, mixtures[k].crossing), range[k].lo, range[k].far, TOP_PROBABILITY);
    return d < range[k].far ? d : Infinity;
  })));
  clock.push(performance.now());
  const graph = knn(m, Math.min(o.neighbors, n - 1), 'euclidean', o.knn);
  clock.push(performance.now());
  const tree = meanLinkageTree(m, graph, top);
  clock.push(performance.now());
  // faces the scores average over (of the steering faces)
  const ns = ms.n;
  let rows: Int32Array;
  if (ns <= o.sampleFaces) rows = Int32Array.from({ length: ns }, (_, i) => i);
  else {
    const rng = new Random(o.seed + 1);
    const perm = Int32Array.from({ length: ns }, (_, i) => i);
    for (let i = 0; i < o.sampleFaces; i++) { const j = i + rng.nextInt(ns - i); const t = perm[i]; perm[i] = perm[j]; perm[j] = t; }
    rows = perm.slice(0, o.sampleFaces).sort();
  }
  // beyond this distance the same-person probability is negligible (under either mixture), and no further than the
  // highest cut tried (the measured mode is broad: p >= 1e-6 reaches nearly every pair, twice the time on all of LFW
  // for the same cuts: 23.7 s -> 11.7 s at load 1, the chosen cut and partition unchanged on six collections)
  const reach = Math.min(Math.max(...mixtures.map((mx, k) => probabilityFallsBelow(mx, mx.crossing, range[k].lo, range[k].far, 1e-6))), hi);
  // every cut's expected scores under both mixtures, in one pass over the pairs within reach: the cuts of the grid
  // from lo to hi up to the top of the tree
  const thresholds = Array.from({ length: o.cuts }, (_, c) => lo + ((hi - lo) * c) / (o.cuts - 1)).filter((t, c) => c === 0 || t <= top);
  const scoredCuts = expectedScoreCurves(ms, rows, reach, mixtures.map(sameProbabilityConstants), tree, steer, thresholds);
  clock.push(performance.now());
  const step = (i: number) => (clock[i + 1] - clock[i]) / 1000;
  const curves = mixtures.map(() => ({ threshold: [] as number[], nClusters: [] as number[], bcubedF1: [] as number[], pairwiseF1: [] as number[] }));
  const best = mixtures.map(() => ({ c: 0, score: -1, expected: null as ExpectedScores | null }));
  // between sure and implausible, the measured mode's mixture weighs precision more the farther the own mode is
  const doubt = Math.min(1, Math.max(0, (sds - SURE_SAME_SDS) / (PLAUSIBLE_SAME_SDS - SURE_SAME_SDS)));
  const betaOf = (k: number) => (k === 1 ? o.beta + doubt * (o.weakBeta - o.beta) : o.beta);
  for (let c = 0; c < thresholds.length; c++) {
    const t = thresholds[c];
    mixtures.forEach((_, k) => {
      const e = scoredCuts.scores[k][c];
      const curve = curves[k];
      curve.threshold.push(t); curve.nClusters.push(scoredCuts.nClusters[c]); curve.bcubedF1.push(e.bcubedF1); curve.pairwiseF1.push(e.pairwiseF1);
      const score = o.criterion === 'bcubed' ? fBeta(e.bcubedPrecision, e.bcubedRecall, betaOf(k)) : fBeta(e.pairwisePrecision, e.pairwiseRecall, betaOf(k));
      // only cuts inside this mixture's own range compete (the other mixture's range widened the grid); a higher cut
      // must beat the lower ones by more than the pair pass's rounding (its probability tables: 1e-9), so that equal
      // scores go to the lower cut whatever the rounding
      if (t <= range[k].hi + 1e-9 && score > best[k].score + SCORE_TIE) best[k] = { c, score, expected: e };
    });
  }
  const cuts: AutoCut[] = mixtures.map((mx, k) => ({ threshold: curves[k].threshold[best[k].c], expected: best[k].expected!, mixture: mx }));
  // the lower cut of the two: strangers merged are worse than a person split
  const k = cuts.length > 1 && (implausible || cuts[1].threshold < cuts[0].threshold) ? 1 : 0;
  const labels = cutTree(tree, { distanceThreshold: cuts[k].threshold }).labels;
  const warnings: string[] = graph.warning ? [`clusterAuto: ${graph.warning}`] : [];
  // 'squared' rests on unit vectors (d^2 = 2 - 2 cos); the default came by default, not by choice: say so
  if (options?.space === undefined && o.space === 'squared' && !unitRows) {
    warnings.push("clusterAuto: the rows are not unit vectors, and space 'squared' (the default embedder's) assumes they are; pass the embedder's constants (embedderMixtureOptions(embedder), e.g. { space: 'distance', sameSpreadCap: 1 } for resnet128).");
  }
  const mixture = cuts[k].mixture;
  if (mixture.samePrior < 1e-4) warnings.push(`clusterAuto: almost no pair looks like one person (prior ${mixture.samePrior.toExponential(1)}); nearly every face is its own cluster.`);
  // the collection's own cut at the top of the cuts tried, below its own range's end: its curve was not followed higher
  const ownAtTop = best[0].c === thresholds.length - 1 && thresholds[thresholds.length - 1] < range[0].hi - 1e-9;
  const weakEvidence = weakEvidenceSentence(cuts, k, o.criterion, implausible, ownAtTop);
  if (weakEvidence) warnings.push(`clusterAuto: ${weakEvidence}`);
  const pool = threadWarning();
  if (pool) warnings.push(`clusterAuto: ${pool}`);
  const result = makeResult(labels, warnings);
  const sizes = new Int32Array(result.nClusters);
  for (const l of result.labels) sizes[l]++;
  const largestFaces = sizes.reduce((a, b) => Math.max(a, b), 0);
  return {
    ...result,
    tree,
    evidence: {
      threshold: cuts[k].threshold, criterion: o.criterion, expected: cuts[k].expected, mixture, curve: curves[k], chosen: best[k].c, facesScored: rows.length,
      basis: k === 1 ? 'reference' : 'collection', collectionCut: cuts[0], referenceCut: cuts[1] ?? null,
      largest: { faces: largestFaces, share: largestFaces / n }, weakEvidence,
      seconds: { mixtures: step(0), knn: step(1), tree: step(2), scores: step(3) },
    },
  };
}

/** The rows whose flag is set, or null for all; checked against the number of rows. */
function steeringRows(fn: string, steering: ArrayLike<boolean> | null, n: number): Int32Array | null {
  if (steering === null) return null;
  if (typeof steering !== 'object' || typeof steering.length !== 'number' || steering.length !== n) {
    throw new FaceclusterError(fn, `steering must be null or one flag per row (${n}), got ${steering && typeof steering === 'object' ? `${steering.length} flags` : JSON.stringify(steering)}.`, 'steering');
  }
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (steering[i]) rows.push(i);
  // all flagged, or too few to fit anything on: every face steers
  if (rows.length === n || rows.length < 3) return null;
  return Int32Array.from(rows);
}

/** The rows `rows` of `m` as a matrix of their own. */
function subMatrix(m: Matrix, rows: Int32Array): Matrix {
  const data = new Float32Array(rows.length * m.d);
  rows.forEach((r, k) => data.set(m.data.subarray(r * m.d, (r + 1) * m.d), k * m.d));
  return { data, n: rows.length, d: m.d };
}

/** Expected F1 below this at the chosen cut: the mixture does not know where people are (said, not hidden). */
export const WEAK_EXPECTED_F1 = 0.5;

/** The sentence of {@link AutoEvidence.weakEvidence}, or null. */
function weakEvidenceSentence(cuts: AutoCut[], k: number, criterion: AutoCriterion, implausible: boolean, ownAtTop: boolean): string | null {
  const f = (v: number) => v.toFixed(3);
  const score = (c: AutoCut) => (criterion === 'bcubed' ? c.expected.bcubedF1 : c.expected.pairwiseF1);
  const own = cuts[0];
  const parts: string[] = [];
  if (k === 1 && (implausible || own.threshold - cuts[1].threshold > 0.01)) {
    const mx = own.mixture;
    parts.push(`this collection's own same-person mode (at ${f(modeDistance(mx, mx.same))}, ${(100 * mx.samePrior).toFixed(1)}% of pairs) is farther than one person's photos are by the embedder's measured distances (relatives, look-alikes or poor faces, not one person), so auto took the conservative cut ${f(cuts[1].threshold)} instead of ${f(own.threshold)}${ownAtTop ? ' or higher' : ''}: some people may be split, strangers are not merged`);
  }
  if (score(cuts[k]) < WEAK_EXPECTED_F1) parts.push(`the expected ${criterion === 'bcubed' ? 'BCubed' : 'pairwise'} F1 at the cut is only ${f(score(cuts[k]))}: the pair distances do not show where people are`);
  return parts.length ? `weak evidence: ${parts.join('; ')}.` : null;
}

function emptyMixture(): DistanceMixture {
  return { space: FIT_DISTANCE_MIXTURE_DEFAULTS.space, samePrior: 0, same: { mean: 0, sd: 0 }, different: { mean: 0, sd: 0 }, pairs: 0, exhaustive: true, crossing: 0, histogram: { edges: [], counts: [] }, iterations: 0, differentDf: FIT_DISTANCE_MIXTURE_DEFAULTS.differentDf };
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
  const lines = [
    `chose threshold ${f(evidence.threshold)} (average linkage cut, ${evidence.curve.nClusters[evidence.chosen]} clusters) where the expected ${evidence.criterion === 'bcubed' ? 'BCubed' : 'pairwise'} F1 is highest: ${f(evidence.criterion === 'bcubed' ? evidence.expected.bcubedF1 : evidence.expected.pairwiseF1)}`,
    `pair distances (${mx.exhaustive ? 'all' : 'a sample of'} ${mx.pairs.toLocaleString('en-US')} pairs${mx.space === 'squared' ? ', modes fitted to squared distances' : ''}): same-person mode ${mode(mx.same)} (${pct(mx.samePrior)} of pairs), different-person mode ${mode(mx.different)}${Number.isFinite(mx.differentDf) ? ` (a Student t, ${mx.differentDf} df: heavy near tail)` : ''}; a pair is more likely one person than two below ${f(mx.crossing)}`,
    `expected at the cut, without labels: pairwise P/R/F1 ${f(evidence.expected.pairwisePrecision)} / ${f(evidence.expected.pairwiseRecall)} / ${f(evidence.expected.pairwiseF1)}, BCubed P/R/F1 ${f(evidence.expected.bcubedPrecision)} / ${f(evidence.expected.bcubedRecall)} / ${f(evidence.expected.bcubedF1)} (over ${evidence.facesScored.toLocaleString('en-US')} faces)`,
  ];
  const r = evidence.referenceCut;
  if (r) {
    const c = evidence.collectionCut;
    lines.push(`with ${mx === r.mixture ? 'this' : 'the'} embedder's measured same-person distances as the same-person mode (${mode(r.mixture.same)}): ${pct(r.mixture.samePrior)} of pairs, cut ${f(r.threshold)}; with the collection's own mode: cut ${f(c.threshold)}; auto takes the lower (${evidence.basis === 'reference' ? 'the measured mode' : "the collection's own mode"})`);
  }
  lines.push(`largest cluster: ${evidence.largest.faces.toLocaleString('en-US')} faces (${pct(evidence.largest.share)} of all)`);
  if (evidence.weakEvidence) lines.push(evidence.weakEvidence);
  return lines;
}
