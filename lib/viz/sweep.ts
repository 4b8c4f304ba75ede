/**
 * Sweep curves: scores (pairwise precision, recall and F, BCubed F, ...) and the number of clusters against a
 * clustering parameter (eps, threshold), with a slider bound to the parameter that moves a rule and marks the
 * scores of the nearest swept value. Rows come from a parameter sweep (lib/evaluate), one per parameter value.
 *
 * @example
 *   sweepSpec(rows, { parameter: 'eps', chosen: 0.45 })
 *   // rows: [{ value: 0.3, nClusters: 900, pairwisePrecision: 0.99, pairwiseRecall: 0.41, ... }, ...]
 */
import type { TopLevelSpec } from 'vega-lite';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';

/** One swept parameter value with its scores (numbers; other keys are ignored). */
export type SweepRow = { value: number; nClusters?: number } & Record<string, number | undefined>;

export interface SweepOptions {
  /** Name of the swept parameter (axis title and slider label). @default 'eps' */
  parameter: string;
  /**
   * Score fields drawn as curves (each in [0, 1]).
   * @default ['pairwisePrecision', 'pairwiseRecall', 'pairwiseF1', 'bcubedF1'] (the scores Otto et al. 2018 report)
   */
  metrics: string[];
  /** Initial slider position (e.g. the recommended value); NaN starts at the best `metrics[last]`. @default NaN */
  chosen: number;
  /** @default 520 */
  width: number;
  /** Height of the score chart; the cluster-count chart is half as high. @default 240 */
  height: number;
}

export const SWEEP_DEFAULTS: Readonly<SweepOptions> = Object.freeze({
  parameter: 'eps',
  metrics: ['pairwisePrecision', 'pairwiseRecall', 'pairwiseF1', 'bcubedF1'],
  chosen: NaN,
  width: 520,
  height: 240,
});

/** Readable names of the usual score fields. */
const LABELS: Record<string, string> = {
  pairwisePrecision: 'pairwise precision',
  pairwiseRecall: 'pairwise recall',
  pairwiseF1: 'pairwise F',
  bcubedPrecision: 'BCubed precision',
  bcubedRecall: 'BCubed recall',
  bcubedF1: 'BCubed F',
  nmi: 'NMI',
  ari: 'ARI',
  vMeasure: 'V-measure',
};

export function metricLabel(field: string): string {
  return LABELS[field] ?? field;
}

/** The name of the slider's Vega-Lite parameter. */
export const SWEEP_SLIDER_PARAM = 'sweep_value';

/** Score curves and cluster counts against the parameter, with a bound slider. */
export function sweepSpec(rows: readonly SweepRow[], options?: Partial<SweepOptions>): TopLevelSpec {
  const fn = 'sweepSpec';
  const o = resolveOptions(fn, SWEEP_DEFAULTS, options);
  checkInteger(fn, 'width', o.width, 1);
  checkInteger(fn, 'height', o.height, 1);
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter(fn, 'rows', 'a non-empty array of {value, ...scores}', rows);
  if (!Array.isArray(o.metrics) || o.metrics.length === 0) throw invalidParameter(fn, 'metrics', 'a non-empty array of field names', o.metrics);
  rows.forEach((r, i) => {
    if (!Number.isFinite(r?.value)) throw invalidParameter(fn, `rows[${i}].value`, 'a finite number', r?.value);
  });
  const sorted = [...rows].sort((a, b) => a.value - b.value);
  const long: { value: number; metric: string; score: number }[] = [];
  for (const r of sorted) {
    for (const m of o.metrics) {
      const s = r[m];
      if (s === undefined) throw new FaceclusterError(fn, `rows must all have the field ${JSON.stringify(m)} (options.metrics), got a row without it (value ${r.value}).`, 'rows');
      if (Number.isFinite(s)) long.push({ value: r.value, metric: metricLabel(m), score: s as number });
    }
  }
  const lo = sorted[0].value;
  const hi = sorted[sorted.length - 1].value;
  let step = Infinity;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].value > sorted[i - 1].value) step = Math.min(step, sorted[i].value - sorted[i - 1].value);
  if (!Number.isFinite(step)) step = hi > lo ? (hi - lo) / 100 : 0.01;
  let chosen = o.chosen;
  if (Number.isNaN(chosen)) {
    const key = o.metrics[o.metrics.length - 1];
    chosen = sorted.reduce((best, r) => ((r[key] ?? -Infinity) > (best[key] ?? -Infinity) ? r : best), sorted[0]).value;
  } else checkNumber(fn, 'chosen', chosen);
  const p = SWEEP_SLIDER_PARAM;
  const nearest = [
    { calculate: `abs(datum.value - ${p})`, as: 'gap' },
    { joinaggregate: [{ op: 'min', field: 'gap', as: 'minGap' }] },
    { filter: 'datum.gap <= datum.minGap' },
  ];
  const x = { field: 'value', type: 'quantitative', title: o.parameter, scale: { domain: [lo, hi], nice: false } };
  const rule = {
    data: { values: [{}] },
    mark: { type: 'rule', color: 'black', strokeDash: [4, 3] },
    encoding: { x: { datum: { expr: p }, type: 'quantitative' } },
  };
  const scores = {
    width: o.width,
    height: o.height,
    title: `Scores against ${o.parameter}`,
    layer: [
      {
        data: { values: long },
        mark: { type: 'line', point: false },
        encoding: {
          x,
          y: { field: 'score', type: 'quantitative', title: 'score', scale: { domain: [0, 1] } },
          color: { field: 'metric', type: 'nominal', title: null, sort: o.metrics.map(metricLabel) },
        },
      },
      {
        data: { values: long },
        transform: nearest,
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          x,
          y: { field: 'score', type: 'quantitative' },
          color: { field: 'metric', type: 'nominal', sort: o.metrics.map(metricLabel) },
          tooltip: [{ field: 'metric' }, { field: 'value', title: o.parameter, format: '.4~f' }, { field: 'score', format: '.3f' }],
        },
      },
      {
        data: { values: long },
        transform: nearest,
        mark: { type: 'text', align: 'left', dx: 6, fontSize: 11 },
        encoding: {
          x,
          y: { field: 'score', type: 'quantitative' },
          text: { field: 'score', type: 'quantitative', format: '.3f' },
          color: { field: 'metric', type: 'nominal', sort: o.metrics.map(metricLabel) },
        },
      },
      rule,
    ],
  };
  const charts: object[] = [scores];
  if (sorted.some((r) => Number.isFinite(r.nClusters))) {
    const counts = sorted.filter((r) => Number.isFinite(r.nClusters)).map((r) => ({ value: r.value, nClusters: r.nClusters as number }));
    charts.push({
      width: o.width,
      height: Math.round(o.height / 2),
      title: `Number of clusters against ${o.parameter}`,
      layer: [
        { data: { values: counts }, mark: { type: 'line', color: '#555' }, encoding: { x, y: { field: 'nClusters', type: 'quantitative', title: 'clusters' } } },
        {
          data: { values: counts },
          transform: nearest,
          mark: { type: 'text', align: 'left', dx: 6, dy: -6 },
          encoding: { x, y: { field: 'nClusters', type: 'quantitative' }, text: { field: 'nClusters', type: 'quantitative' } },
        },
        rule,
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    params: [{ name: p, value: chosen, bind: { input: 'range', min: lo, max: hi, step, name: `${o.parameter} ` } }],
    vconcat: charts,
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
