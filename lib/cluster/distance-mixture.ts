/**
 * The distances between the faces of a collection as a two-mode mixture: pairs of the same person (near) and
 * pairs of different people (far). Fitted without labels, it says how likely a pair at distance d is one person:
 * the evidence {@link clusterAuto} chooses its cut by.
 *
 * Model: p(x) = pi N(x; muSame, sdSame) + (1 - pi) N(x; muDifferent, sdDifferent), where x is the pair distance
 * d or its square d^2 (`space`), fitted by expectation-maximisation (Dempster, Laird, Rubin, "Maximum Likelihood
 * from Incomplete Data via the EM Algorithm", JRSS B 1977) on a histogram of pair distances: every pair when there
 * are at most `maxPairs`, else a seeded uniform sample of pairs. The same-person mode's spread is bounded by a
 * multiple of the different-person one's (`sameSpreadCap`: the constrained maximum likelihood of Hathaway, "A
 * constrained formulation of maximum-likelihood estimation for normal mixture distributions", Annals of
 * Statistics 1985, which keeps one component from widening to swallow the other's tail). The prior `pi` is what
 * differs most between collections (0.003 on all of LFW, where 5,749 people crowd the space; 0.07 on a 15-person
 * collection), and with it the distance where a pair becomes more likely one person than two
 * ({@link DistanceMixture.crossing}): the reason one fixed threshold cannot suit every collection.
 *
 * Which space and cap suit an embedder is measured per embedder (`EMBEDDER_SPECS[e].mixture`, from
 * `npm run bench:transfer -- --embedder e`, leave one collection out); the defaults here are the default
 * embedder's.
 *
 * Complexity: O(min(n^2, maxPairs) d) for the distances, then O(bins * iterations).
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { Random, rowDistance, toMatrix, type Matrix } from './_input.ts';

/** A normal component of the mixture. */
export interface MixtureComponent {
  mean: number;
  sd: number;
}

/**
 * What the mixture's normal components are normal in: the euclidean distance d, or its square d^2 (for unit
 * vectors 2 - 2 cos, the cosine similarity an angular-margin embedder is trained on, up to an affine map).
 */
export type MixtureSpace = 'distance' | 'squared';
export const MIXTURE_SPACES: readonly MixtureSpace[] = ['distance', 'squared'];

/** A fitted two-mode mixture of pair distances. */
export interface DistanceMixture {
  /** The space `same` and `different` are normal in (their means and sds are in its units: d or d^2). */
  space: MixtureSpace;
  /** Prior probability that a random pair is one person. */
  samePrior: number;
  same: MixtureComponent;
  different: MixtureComponent;
  /** Pairs the fit used (all pairs, or the sample). */
  pairs: number;
  /** Whether `pairs` is every pair of the collection. */
  exhaustive: boolean;
  /** The distance (not squared) between the modes where a pair becomes as likely two people as one (posterior 0.5). */
  crossing: number;
  /** The histogram of the pair distances (not squared) fitted: `counts[b]` pairs in `[edges[b], edges[b + 1])`. */
  histogram: { edges: number[]; counts: number[] };
  /** EM iterations run. */
  iterations: number;
  /**
   * Degrees of freedom of the different-person mode: a Student t (location `different.mean`, scale
   * `different.sd`), or Infinity for a normal. See `FitDistanceMixtureOptions.differentDf`.
   */
  differentDf: number;
}

export interface FitDistanceMixtureOptions {
  /** Pairs to measure at most; above, a seeded uniform sample. @default 1,000,000 — 0.3 s of distances; the fitted threshold moves by < 0.002 between seeds on all of LFW. */
  maxPairs: number;
  /** Histogram bins between 0 and the largest distance. @default 400 */
  bins: number;
  /** Seed of the pair sample. @default 0 */
  seed: number;
  /**
   * The same-person mode's standard deviation is at most this times the different-person mode's. Without a cap,
   * EM widens the same-person mode to swallow the different-person mode's near tail (look-alike strangers, heavier
   * than a normal tail on every collection measured) and the cut moves past the valley; too tight a cap cuts
   * short a broad same-person mode and splits people.
   * @default 2 — the default embedder's (mobilefacenet512), with `space` 'squared': picked by bench:transfer over
   * caps 1 / 1.25 / 1.5 / 2 x both spaces on all five collections, and the pick of every leave-one-collection-out
   * fit (see README "Default clustering"). Other embedders have their own (`EMBEDDER_SPECS[e].mixture`).
   */
  sameSpreadCap: number;
  /**
   * Fit normal modes to the distance d or to d^2. @default 'squared' — the default embedder's: with unit
   * vectors d^2 = 2 - 2 cos, and the different-person cosine is far nearer a normal than d is (its near tail
   * three times lighter), so the same-person mode needs no tight cap (mobilefacenet512 on all of LFW: BCubed F
   * 0.977 at every cap from 1 to 2 in 'squared', 0.982 to 0.905 from cap 1 to 2 in 'distance').
   */
  space: MixtureSpace;
  /**
   * A same-person mode given, not fitted (in `space`'s units): EM then fits only the prior and the different-person
   * mode. Used with an embedder's measured same-person distances (`EMBEDDER_SPECS[e].mixture.sameReference`),
   * which hold where the collection's own same-person pairs are too rare to form a mode (relatives, people seen
   * once). @default null — fitted from the collection.
   */
  fixedSame: MixtureComponent | null;
  /**
   * Degrees of freedom of the different-person mode, a Student t (Lange, Little, Taylor, "Robust statistical
   * modeling using the t distribution", JASA 1989; EM with the degrees fixed): look-alike strangers make its near
   * tail heavier than a normal's. @default Infinity — a normal (the general fit); `clusterAuto` uses the
   * embedder's, {@link DEFAULT_DIFFERENT_DF} for the default embedder.
   */
  differentDf: number;
}

/**
 * mobilefacenet512's same-person squared distances (UltraFace + 68-point alignment): the equal-weight pool of six
 * labelled collections' same-person pairs (all of LFW 0.605 +- 0.188, 120faces 0.557 +- 0.260, yale 0.441 +- 0.187,
 * pins 0.845 +- 0.295, celeba 0.911 +- 0.435, families 1.016 +- 0.499: the mean of their means, the root of their
 * pooled second moment less its square), printed by `npm run bench:transfer` ("The same-person reference"); leave
 * one collection out in its "LOO" column (the reference refitted without the held-out collection's group).
 */
export const DEFAULT_SAME_REFERENCE: Readonly<MixtureComponent> = Object.freeze({ mean: 0.729, sd: 0.392 });

/**
 * mobilefacenet512's different-person mode is a Student t with 22 degrees of freedom in squared distance: its near
 * tail (look-alike strangers) is far heavier than a normal's (all of LFW: 7.7e-6 of stranger pairs closer than
 * 1.0 against 2.0e-7 for the fitted normal; 2.1e-4 against 3.4e-5 closer than 1.1), and a normal stranger mode puts
 * the cut inside that tail (all of LFW cut at 1.073, its best 1.029). 22: the df of the highest mean
 * log-likelihood of the maximum-likelihood t over the labelled different-person pairs of all of LFW, 120faces, pins,
 * yale, celeba and families, each weighed equally (their own: 35 / 50 / 14 / normal / 18 / 12); left out by group
 * 18-30. Printed by `npm run bench:transfer` ("The different-person tail"); its LOO column uses the df fitted
 * without the held-out collection's group.
 */
export const DEFAULT_DIFFERENT_DF = 22;

export const FIT_DISTANCE_MIXTURE_DEFAULTS: Readonly<FitDistanceMixtureOptions> = Object.freeze({
  maxPairs: 1_000_000,
  bins: 400,
  seed: 0,
  sameSpreadCap: 2,
  space: 'squared',
  fixedSame: null,
  differentDf: Infinity,
});

const SQRT_2PI = Math.sqrt(2 * Math.PI);
function normalPdf(x: number, c: MixtureComponent): number {
  const z = (x - c.mean) / c.sd;
  return Math.exp(-0.5 * z * z) / (c.sd * SQRT_2PI);
}

/** log Gamma (Lanczos, g = 7, 9 terms; relative error ~1e-15 for x > 0). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = g[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += g[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Student t density (location c.mean, scale c.sd, df degrees); a normal for df = Infinity. */
function studentPdf(x: number, c: MixtureComponent, df: number): number {
  if (!Number.isFinite(df)) return normalPdf(x, c);
  const z = (x - c.mean) / c.sd;
  const logC = logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI);
  return Math.exp(logC - ((df + 1) / 2) * Math.log1p((z * z) / df)) / c.sd;
}

/**
 * The maximum-likelihood Student t of a sample for given degrees of freedom (location and scale by EM: Lange,
 * Little, Taylor 1989), with its mean log-likelihood per value; `df` Infinity fits a normal. How the embedders'
 * `differentDf` is measured (`npm run bench:transfer`: the labelled different-person pairs of each collection).
 */
export function fitStudentT(values: ArrayLike<number>, df: number, iterations = 100): MixtureComponent & { logLikelihood: number } {
  const n = values.length;
  if (n < 2) throw new FaceclusterError('fitStudentT', `values must hold at least 2 numbers, got ${n}.`, 'values');
  checkDegrees('fitStudentT', 'df', df);
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] / n;
  let v2 = 0;
  for (let i = 0; i < n; i++) v2 += (values[i] - mean) ** 2 / n;
  for (let it = 0; Number.isFinite(df) && it < iterations; it++) {
    let su = 0, sux = 0;
    for (let i = 0; i < n; i++) { const u = (df + 1) / (df + (values[i] - mean) ** 2 / v2); su += u; sux += u * values[i]; }
    const next = sux / su;
    let s2 = 0;
    for (let i = 0; i < n; i++) { const u = (df + 1) / (df + (values[i] - mean) ** 2 / v2); s2 += (u * (values[i] - next) ** 2) / n; }
    const moved = Math.abs(next - mean) + Math.abs(Math.sqrt(s2) - Math.sqrt(v2));
    mean = next; v2 = s2;
    if (moved < 1e-10) break;
  }
  const c = { mean, sd: Math.sqrt(v2) };
  let ll = 0;
  for (let i = 0; i < n; i++) ll += Math.log(studentPdf(values[i], c, df));
  return { ...c, logLikelihood: ll / n };
}

/** P(same person | distance d) under the mixture (d a distance, not squared, whatever the mixture's space). */
export function sameProbability(mixture: DistanceMixture, d: number): number {
  const x = mixture.space === 'squared' ? d * d : d;
  const a = mixture.samePrior * normalPdf(x, mixture.same);
  const b = (1 - mixture.samePrior) * studentPdf(x, mixture.different, mixture.differentDf);
  return a + b > 0 ? a / (a + b) : d < mixture.crossing ? 1 : 0;
}

/**
 * The constants of {@link sameProbabilityFunction}, worked out once from a mixture: plain numbers, so that worker
 * threads can take them (with {@link sameProbabilityWith}, whose source they run).
 */
export interface SameProbabilityConstants {
  squared: boolean;
  pSame: number;
  pDifferent: number;
  mSame: number;
  sSame: number;
  kSame: number;
  mDifferent: number;
  sDifferent: number;
  kDifferent: number;
  crossing: number;
  /** Whether the different-person mode is a Student t (finite df), else a normal. */
  student: boolean;
  df: number;
  logC: number;
  half: number;
}

/** The constants of {@link sameProbabilityFunction} of one mixture. */
export function sameProbabilityConstants(mixture: DistanceMixture): SameProbabilityConstants {
  // the different-person mode's density as studentPdf computes it (a normal for df = Infinity)
  const df = mixture.differentDf;
  const student = Number.isFinite(df);
  return {
    squared: mixture.space === 'squared',
    pSame: mixture.samePrior, pDifferent: 1 - mixture.samePrior,
    mSame: mixture.same.mean, sSame: mixture.same.sd, kSame: mixture.same.sd * SQRT_2PI,
    mDifferent: mixture.different.mean, sDifferent: mixture.different.sd, kDifferent: mixture.different.sd * SQRT_2PI,
    crossing: mixture.crossing,
    student, df,
    logC: student ? logGamma((df + 1) / 2) - logGamma(df / 2) - 0.5 * Math.log(df * Math.PI) : 0,
    half: (df + 1) / 2,
  };
}

/**
 * {@link sameProbability} at distance d from the mixture's constants: the same value, bit for bit (the same
 * operations in the same order). Self-contained (no imports, no closures): worker threads run its source.
 */
export function sameProbabilityWith(c: SameProbabilityConstants, d: number): number {
  const x = c.squared ? d * d : d;
  const zs = (x - c.mSame) / c.sSame;
  const zd = (x - c.mDifferent) / c.sDifferent;
  const a = c.pSame * (Math.exp(-0.5 * zs * zs) / c.kSame);
  const b = c.pDifferent * (c.student ? Math.exp(c.logC - c.half * Math.log1p((zd * zd) / c.df)) / c.sDifferent : Math.exp(-0.5 * zd * zd) / c.kDifferent);
  return a + b > 0 ? a / (a + b) : d < c.crossing ? 1 : 0;
}

/**
 * {@link sameProbability} of one mixture as a function of d, its constants worked out once: the same value, bit for
 * bit (the same operations in the same order), for the millions of pairs the expected scores weigh.
 */
export function sameProbabilityFunction(mixture: DistanceMixture): (d: number) => number {
  const c = sameProbabilityConstants(mixture);
  return (d: number): number => sameProbabilityWith(c, d);
}

/**
 * The two weighted component densities at distance d, per unit distance (so they draw over a histogram of
 * distances whatever the space: a normal in d^2 is multiplied by |dx/dd| = 2d).
 */
export function componentDensities(mixture: DistanceMixture, d: number): { same: number; different: number } {
  const squared = mixture.space === 'squared';
  const x = squared ? d * d : d;
  const jacobian = squared ? 2 * d : 1;
  return {
    same: mixture.samePrior * normalPdf(x, mixture.same) * jacobian,
    different: (1 - mixture.samePrior) * studentPdf(x, mixture.different, mixture.differentDf) * jacobian,
  };
}

/** Where a component's mode lies as a distance (not squared). */
export function modeDistance(mixture: DistanceMixture, component: MixtureComponent): number {
  return mixture.space === 'squared' ? Math.sqrt(Math.max(0, component.mean)) : component.mean;
}

/** The pair distances the mixture is fitted to: all pairs, or `maxPairs` seeded random ones. */
export function samplePairDistances(m: Matrix, maxPairs: number, seed: number): { distances: Float64Array; exhaustive: boolean } {
  const n = m.n;
  const total = (n * (n - 1)) / 2;
  if (total <= maxPairs) {
    const out = new Float64Array(total);
    let t = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) out[t++] = rowDistance(m, i, j, 'euclidean');
    return { distances: out, exhaustive: true };
  }
  const rng = new Random(seed);
  const first = new Int32Array(maxPairs), second = new Int32Array(maxPairs);
  for (let t = 0; t < maxPairs; t++) {
    const i = rng.nextInt(n);
    let j = rng.nextInt(n - 1);
    if (j >= i) j++;
    first[t] = i; second[t] = j;
  }
  return { distances: pairDistances(m, first, second), exhaustive: false };
}

/**
 * The euclidean distance of each pair (first[t], second[t]): the same value as `rowDistance` (the same squares
 * summed in the same order), four pairs at a time (four independent sums keep the processor busy; one sum waits on
 * each addition).
 */
function pairDistances(m: Matrix, first: Int32Array, second: Int32Array): Float64Array {
  const { data, d } = m;
  const count = first.length;
  const out = new Float64Array(count);
  let t = 0;
  for (; t + 4 <= count; t += 4) {
    const a0 = first[t] * d, a1 = first[t + 1] * d, a2 = first[t + 2] * d, a3 = first[t + 3] * d;
    const b0 = second[t] * d, b1 = second[t + 1] * d, b2 = second[t + 2] * d, b3 = second[t + 3] * d;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let u = 0; u < d; u++) {
      const v0 = data[a0 + u] - data[b0 + u], v1 = data[a1 + u] - data[b1 + u], v2 = data[a2 + u] - data[b2 + u], v3 = data[a3 + u] - data[b3 + u];
      s0 += v0 * v0; s1 += v1 * v1; s2 += v2 * v2; s3 += v3 * v3;
    }
    out[t] = Math.sqrt(s0); out[t + 1] = Math.sqrt(s1); out[t + 2] = Math.sqrt(s2); out[t + 3] = Math.sqrt(s3);
  }
  for (; t < count; t++) out[t] = rowDistance(m, first[t], second[t], 'euclidean');
  return out;
}

/**
 * Fits the two-mode mixture to the euclidean distances between the rows of `x` (no labels).
 * Needs at least 3 points. Pure: same input and seed, same fit.
 */
export function fitDistanceMixture(x: Float32Array[] | Matrix, options?: Partial<FitDistanceMixtureOptions>): DistanceMixture {
  const fn = 'fitDistanceMixture';
  const o = resolveOptions(fn, FIT_DISTANCE_MIXTURE_DEFAULTS, options);
  checkInteger(fn, 'maxPairs', o.maxPairs, 100);
  checkInteger(fn, 'bins', o.bins, 10);
  checkInteger(fn, 'seed', o.seed, 0, 2 ** 32 - 1);
  const m = Array.isArray(x) ? toMatrix(fn, x) : x;
  if (m.n < 3) throw new FaceclusterError(fn, `x must have at least 3 rows, got ${m.n}.`, 'x');
  const { distances, exhaustive } = samplePairDistances(m, o.maxPairs, o.seed);
  checkNumber(fn, 'sameSpreadCap', o.sameSpreadCap, 0, Infinity, true);
  checkOneOf(fn, 'space', o.space, MIXTURE_SPACES);
  if (o.fixedSame !== null) checkComponent(fn, 'fixedSame', o.fixedSame);
  checkDegrees(fn, 'differentDf', o.differentDf);
  return fitMixtureToDistances(distances, exhaustive, o.bins, o.sameSpreadCap, o.space, o.fixedSame, o.differentDf);
}

/** Checks degrees of freedom given as an option: a number > 0, or Infinity (a normal). */
export function checkDegrees(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0)) throw invalidParameter(fn, name, 'a number > 0 (Infinity: a normal)', v);
  return v;
}

/** Checks a normal component given as an option: finite mean >= 0, sd > 0. */
export function checkComponent(fn: string, name: string, c: unknown): asserts c is MixtureComponent {
  const v = c as MixtureComponent;
  if (typeof v !== 'object' || v === null || !Number.isFinite(v.mean) || v.mean < 0 || !Number.isFinite(v.sd) || v.sd <= 0) {
    throw new FaceclusterError(fn, `${name} must be { mean: number >= 0, sd: number > 0 } or null, got ${JSON.stringify(c)}.`, name);
  }
}

/**
 * EM on the histogram of `distances` (or of their squares, `space` 'squared'); exported for the tests: a
 * two-mode sample with known parts.
 */
export function fitMixtureToDistances(distances: Float64Array, exhaustive: boolean, bins: number, sameSpreadCap = FIT_DISTANCE_MIXTURE_DEFAULTS.sameSpreadCap, space: MixtureSpace = FIT_DISTANCE_MIXTURE_DEFAULTS.space, fixedSame: MixtureComponent | null = null, differentDf = FIT_DISTANCE_MIXTURE_DEFAULTS.differentDf): DistanceMixture {
  const display = space === 'distance' ? null : histogramOf(distances, bins);
  if (space === 'squared') distances = distances.map((d) => d * d);
  const fitted = histogramOf(distances, bins);
  const counts = fitted.counts;
  const width = fitted.edges[bins] / bins;
  const centre = (b: number) => (b + 0.5) * width;
  // Start: the different-person mode from the bulk (median, upper half-width), the same-person mode at the
  // low end (first percentile), a small prior.
  const quantile = (q: number) => {
    const target = q * distances.length;
    let acc = 0;
    for (let b = 0; b < bins; b++) { acc += counts[b]; if (acc >= target) return centre(b); }
    return centre(bins - 1);
  };
  const med = quantile(0.5);
  let different: MixtureComponent = { mean: med, sd: Math.max(width, quantile(0.84) - med) };
  let same: MixtureComponent = { mean: Math.min(quantile(0.01), med - 3 * different.sd), sd: Math.max(width, different.sd) };
  if (same.mean <= 0) same.mean = med / 2;
  if (fixedSame) same = { ...fixedSame };
  let pi = fixedSame ? 0.001 : 0.02;
  let iterations = 0;
  for (; iterations < 500; iterations++) {
    // wu, d1, d2: the different-person mode's sums weighted by the t's latent precision u (1 for a normal)
    let w = 0, s1 = 0, s2 = 0, wd = 0, wu = 0, d1 = 0, d2 = 0;
    for (let b = 0; b < bins; b++) {
      if (counts[b] === 0) continue;
      const x = centre(b);
      const ps = pi * normalPdf(x, same);
      const pd = (1 - pi) * studentPdf(x, different, differentDf);
      const r = ps + pd > 0 ? ps / (ps + pd) : x < (same.mean + different.mean) / 2 ? 1 : 0;
      const z = (x - different.mean) / different.sd;
      const u = Number.isFinite(differentDf) ? (differentDf + 1) / (differentDf + z * z) : 1;
      const c = counts[b];
      w += c * r; s1 += c * r * x; s2 += c * r * x * x;
      wd += c * (1 - r); wu += c * (1 - r) * u; d1 += c * (1 - r) * u * x; d2 += c * (1 - r) * u * x * x;
    }
    const total = w + wd;
    const floor = width / 2;
    const nextPi = Math.min(0.5, Math.max(1e-6, w / total));
    const nextSame = w > 0 && !fixedSame ? { mean: s1 / w, sd: Math.max(floor, Math.sqrt(Math.max(0, s2 / w - (s1 / w) ** 2))) } : same;
    const dMean = d1 / wu;
    const nextDiff = { mean: dMean, sd: Math.max(floor, Math.sqrt(Math.max(0, (d2 - 2 * dMean * d1 + dMean * dMean * wu) / wd))) };
    const moved = Math.abs(nextPi - pi) + Math.abs(nextSame.mean - same.mean) + Math.abs(nextDiff.mean - different.mean) + Math.abs(nextSame.sd - same.sd);
    // The same-person mode is at most sameSpreadCap times as wide as the different-person one (see the option).
    if (!fixedSame && nextSame.sd > sameSpreadCap * nextDiff.sd) nextSame.sd = sameSpreadCap * nextDiff.sd;
    pi = nextPi; same = nextSame; different = nextDiff;
    if (moved < 1e-9) break;
  }
  if (!fixedSame && same.mean > different.mean) { const t = same; same = different; different = t; pi = 1 - pi; }
  const mixture: DistanceMixture = {
    space, samePrior: pi, same, different, pairs: distances.length, exhaustive, crossing: 0, iterations,
    histogram: display ?? fitted, differentDf,
  };
  mixture.crossing = crossing(mixture);
  return mixture;
}

/** `bins` equal bins from 0 to the largest value. */
function histogramOf(values: Float64Array, bins: number): { edges: number[]; counts: number[] } {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  max = max > 0 ? max * (1 + 1e-9) : 1;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor(v / (max / bins)))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, b) => (b * max) / bins), counts };
}

/** The distance between the two modes where the posterior falls through 0.5 (bisection; it is monotone there). */
function crossing(m: DistanceMixture): number {
  let lo = modeDistance(m, m.same), hi = modeDistance(m, m.different);
  if (sameProbability(m, lo) < 0.5) return lo;
  if (sameProbability(m, hi) >= 0.5) return hi;
  for (let t = 0; t < 60; t++) {
    const mid = (lo + hi) / 2;
    if (sameProbability(m, mid) >= 0.5) lo = mid; else hi = mid;
  }
  return (lo + hi) / 2;
}
