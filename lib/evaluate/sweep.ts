/**
 * Parameter sweeps: run one clustering method for each value of one parameter, measure every run, and
 * recommend the value that maximises a chosen score (BCubed F1 by default). The building block of
 * `facecluster tune`, of the notebooks' tuning charts, and of bench/lfw-table.ts.
 *
 * Without identity labels there is nothing to score: each row still has the number of clusters, the noise
 * share and the time, so a user can look for the plateau by eye, and no value is recommended.
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkOneOf, resolveOptions } from '../options.ts';
import type { ClusterResult, ProgressCallback } from '../types.ts';
import { clusterBy, CLUSTER_METHODS, CLUSTER_METHOD_NAMES, type ClusterMethodName } from '../cluster/registry.ts';
import { agglomerative, cutTree, type AgglomerativeOptions, type MergeTree } from '../cluster/agglomerative.ts';
import type { Labels } from './contingency.ts';
import { countClusters, evaluateClustering, SCORE_NAMES, type ClusteringMetrics, type ScoreName } from './evaluate.ts';

export interface ParameterSweepOptions {
  /**
   * The method's other options, fixed for every run (the swept parameter may not be among them).
   * @default {} — the method's own defaults.
   */
  methodOptions: Record<string, unknown>;
  /**
   * The score the recommended value maximises (a key of ClusteringMetrics; ties keep the first value).
   * @default 'bcubedF1' — BCubed weighs every face the same and meets all of Amigó et al.'s (2009) constraints;
   * pairwise F is dominated by the largest clusters.
   */
  select: ScoreName;
  /** Called after each value with (done, total, {value, seconds}). @default undefined */
  onProgress: ProgressCallback | undefined;
}

export const PARAMETER_SWEEP_DEFAULTS: Readonly<ParameterSweepOptions> = Object.freeze({
  methodOptions: {},
  select: 'bcubedF1',
  onProgress: undefined,
});

/** One value of the sweep. */
export interface ParameterSweepRow {
  value: number | string;
  /**
   * Wall-clock seconds of the clustering alone (not the evaluation). For agglomerative cuts the tree is built
   * once and cut per value; every row counts the tree's time plus its cut, what a single run would take.
   */
  seconds: number;
  nClusters: number;
  nNoise: number;
  /** nNoise / n (0 for n = 0). */
  noiseShare: number;
  /** Every score, when identity labels were given. */
  metrics?: ClusteringMetrics;
  /** The method's warnings for this value. */
  warnings: string[];
  /** The cluster labels at this value (-1 = noise), so the chosen one need not be recomputed. */
  labels: Int32Array;
}

export interface ParameterSweepResult {
  method: ClusterMethodName;
  parameter: string;
  rows: ParameterSweepRow[];
  /** The score the recommendation maximises. */
  select: ScoreName;
  /** Best row by `select` (the first among equals); undefined without identity labels. */
  recommended?: { value: number | string; index: number; score: number };
}

/**
 * Clusters `x` with `method` once per value of `parameter` and measures each result against `truth`.
 *
 * @param method a name of CLUSTER_METHODS, e.g. `'dbscan'`.
 * @param parameter an option of that method, e.g. `'eps'`; `CLUSTER_METHODS[method].sweep.parameter` is the usual one.
 * @param values the values to try, in order; `CLUSTER_METHODS[method].sweep.values` is a good start.
 * @param x the embeddings.
 * @param truth identity labels, one per embedding, or undefined when unknown.
 *
 * @example
 * const s = sweep('dbscan', 'eps', [0.35, 0.4, 0.45], x, identities)
 * s.recommended // { value: 0.42, index: 1, score: 0.93 }
 */
export function sweep(
  method: ClusterMethodName,
  parameter: string,
  values: readonly (number | string)[],
  x: Float32Array[],
  truth?: Labels | null,
  options?: Partial<ParameterSweepOptions>,
): ParameterSweepResult {
  const fn = 'sweep';
  const o = resolveOptions(fn, PARAMETER_SWEEP_DEFAULTS, options);
  checkOneOf(fn, 'method', method, CLUSTER_METHOD_NAMES);
  const known = Object.keys(CLUSTER_METHODS[method].defaults);
  checkOneOf(fn, 'parameter', parameter, known);
  checkOneOf(fn, 'select', o.select, SCORE_NAMES);
  if (!Array.isArray(values) || values.length === 0) throw invalidParameter(fn, 'values', 'a non-empty array', values);
  if (!o.methodOptions || typeof o.methodOptions !== 'object') throw invalidParameter(fn, 'methodOptions', 'an object', o.methodOptions);
  if (Object.prototype.hasOwnProperty.call(o.methodOptions, parameter)) {
    throw new FaceclusterError(fn, `methodOptions must not set the swept parameter ${JSON.stringify(parameter)}, got ${JSON.stringify(o.methodOptions[parameter])}.`, 'methodOptions');
  }
  if (truth !== undefined && truth !== null && truth.length !== x.length) {
    throw new FaceclusterError(fn, `truth must have one label per embedding (${x.length}), got length ${truth.length}.`, 'truth');
  }
  const rows: ParameterSweepRow[] = [];
  // Agglomerative clustering cut by distance or count: the merge tree does not depend on the cut, so it is
  // built once (by the first run) and cut for every value; each row's seconds still include the tree's time.
  const cutOnly = method === 'agglomerative' && (parameter === 'distanceThreshold' || parameter === 'nClusters');
  let tree: MergeTree | undefined;
  let treeSeconds = 0;
  for (const value of values) {
    const t0 = performance.now();
    let r: ClusterResult;
    if (cutOnly && tree) {
      r = cutTree(tree, { [parameter]: value as number });
    } else if (cutOnly) {
      const a = agglomerative(x, { ...o.methodOptions, [parameter]: value, returnTree: true } as Partial<AgglomerativeOptions>);
      tree = a.tree;
      r = { labels: a.labels, nClusters: a.nClusters, warnings: a.warnings };
    } else {
      r = clusterBy(method, x, { ...o.methodOptions, [parameter]: value });
    }
    let seconds = (performance.now() - t0) / 1000;
    if (cutOnly && rows.length === 0) treeSeconds = seconds;
    else if (cutOnly) seconds += treeSeconds;
    const { nClusters, nNoise } = countClusters(r.labels);
    const row: ParameterSweepRow = { value, seconds, nClusters, nNoise, noiseShare: x.length ? nNoise / x.length : 0, warnings: r.warnings, labels: r.labels };
    if (truth !== undefined && truth !== null) row.metrics = evaluateClustering(r.labels, truth);
    rows.push(row);
    o.onProgress?.(rows.length, values.length, { value, seconds });
  }
  const result: ParameterSweepResult = { method, parameter, rows, select: o.select };
  if (truth !== undefined && truth !== null) {
    let best = -1;
    for (let i = 0; i < rows.length; i++) {
      const s = rows[i].metrics![o.select];
      if (!Number.isNaN(s) && (best < 0 || s > rows[best].metrics![o.select])) best = i;
    }
    if (best >= 0) result.recommended = { value: rows[best].value, index: best, score: rows[best].metrics![o.select] };
  }
  return result;
}

/** `lo, lo + step, ...` up to `hi` inclusive (what `--range lo:hi:step` means). */
export function rangeValues(lo: number, hi: number, step: number): number[] {
  const fn = 'rangeValues';
  if (![lo, hi, step].every(Number.isFinite)) throw invalidParameter(fn, 'range', 'finite numbers lo:hi:step', `${lo}:${hi}:${step}`);
  if (step <= 0) throw invalidParameter(fn, 'step', 'a number > 0', step);
  if (hi < lo) throw invalidParameter(fn, 'hi', `a number >= lo (${lo})`, hi);
  const count = Math.floor((hi - lo) / step + 1e-9) + 1;
  if (count > 10_000) throw invalidParameter(fn, 'step', `large enough for at most 10,000 values (${count} asked)`, step);
  // Rounded to the step's decimals so 0.1 + 0.2 prints as 0.3.
  const decimals = Math.min(12, Math.max(0, ...[lo, step].map((v) => (String(v).split('.')[1] ?? '').length)));
  return Array.from({ length: count }, (_, i) => Number((lo + i * step).toFixed(decimals)));
}

/** A sweep's rows as flat records (value, seconds, counts and every score), for tables and lib/viz charts. */
export function sweepTable(result: ParameterSweepResult): ({ value: number | string; seconds: number; nClusters: number; nNoise: number; noiseShare: number } & Partial<Record<ScoreName, number>>)[] {
  return result.rows.map((r) => {
    const flat: { value: number | string; seconds: number; nClusters: number; nNoise: number; noiseShare: number } & Partial<Record<ScoreName, number>> = {
      value: r.value, seconds: r.seconds, nClusters: r.nClusters, nNoise: r.nNoise, noiseShare: r.noiseShare,
    };
    if (r.metrics) for (const k of SCORE_NAMES) flat[k] = r.metrics[k];
    return flat;
  });
}
