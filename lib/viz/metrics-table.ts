/**
 * Metrics of several methods side by side, as a Vega-Lite table: one row per method, one column per metric,
 * scores in [0, 1] shaded (darker is better), counts in plain cells.
 */
import type { TopLevelSpec } from 'vega-lite';
import { invalidParameter } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { metricLabel } from './sweep.ts';

/** Short column titles (P precision, R recall, F F-score), so nine columns fit a page. */
const SHORT: Record<string, string> = {
  nClusters: 'clusters',
  nNoise: 'noise',
  pairwisePrecision: 'pair P',
  pairwiseRecall: 'pair R',
  pairwiseF1: 'pair F',
  bcubedPrecision: 'BCubed P',
  bcubedRecall: 'BCubed R',
  bcubedF1: 'BCubed F',
};
const columnTitle = (m: string): string => SHORT[m] ?? metricLabel(m);

/** One method's metrics: `method` names the row; numbers are the cells. */
export type MetricsRow = { method: string } & Record<string, number | string | undefined>;

export interface MetricsTableOptions {
  /**
   * Columns, in order.
   * @default ['nClusters', 'pairwisePrecision', 'pairwiseRecall', 'pairwiseF1', 'bcubedPrecision', 'bcubedRecall', 'bcubedF1', 'nmi', 'ari']
   */
  metrics: string[];
  /** Fields treated as scores in [0, 1] (shaded, 3 decimals); others are shown as they are. @default all but `n...` counts */
  scoreFields: string[];
  /** @default 'Metrics' */
  title: string;
}

export const METRICS_TABLE_DEFAULTS: Readonly<MetricsTableOptions> = Object.freeze({
  metrics: ['nClusters', 'pairwisePrecision', 'pairwiseRecall', 'pairwiseF1', 'bcubedPrecision', 'bcubedRecall', 'bcubedF1', 'nmi', 'ari'],
  scoreFields: [],
  title: 'Metrics',
});

/** Table of `rows` (one per method) over `metrics`. */
export function metricsTableSpec(rows: readonly MetricsRow[], options?: Partial<MetricsTableOptions>): TopLevelSpec {
  const fn = 'metricsTableSpec';
  const o = resolveOptions(fn, METRICS_TABLE_DEFAULTS, options);
  if (!Array.isArray(rows) || rows.length === 0) throw invalidParameter(fn, 'rows', 'a non-empty array of {method, ...metrics}', rows);
  const isScore = (m: string) => (o.scoreFields.length > 0 ? o.scoreFields.includes(m) : !/^n[A-Z]/.test(m));
  const cells: { method: string; metric: string; value: number | null; text: string; score: number | null }[] = [];
  rows.forEach((r, i) => {
    if (typeof r?.method !== 'string') throw invalidParameter(fn, `rows[${i}].method`, 'a string', r?.method);
    for (const m of o.metrics) {
      const v = r[m];
      const num = typeof v === 'number' && Number.isFinite(v) ? v : null;
      const text = num === null ? (v === undefined ? '' : typeof v === 'number' ? '–' : String(v)) : isScore(m) ? num.toFixed(3) : String(Math.round(num * 1000) / 1000);
      cells.push({ method: r.method, metric: columnTitle(m), value: num, text, score: isScore(m) ? num : null });
    }
  });
  const columns = o.metrics.map(columnTitle);
  const methods = rows.map((r) => r.method);
  const cellWidth = 84;
  const cellHeight = 26;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: o.title,
    width: cellWidth * columns.length,
    height: cellHeight * methods.length,
    data: { values: cells },
    encoding: {
      x: { field: 'metric', type: 'nominal', sort: columns, title: null, axis: { orient: 'top', labelAngle: 0, labelLimit: cellWidth - 4, domain: false, ticks: false } },
      y: { field: 'method', type: 'nominal', sort: methods, title: null, axis: { domain: false, ticks: false } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white' },
        encoding: {
          color: {
            condition: { test: 'datum.score === null', value: '#f4f4f4' },
            field: 'score',
            type: 'quantitative',
            scale: { domain: [0, 1], scheme: 'greens' },
            legend: null,
          },
        },
      },
      {
        mark: { type: 'text', fontSize: 12 },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.score !== null && datum.score > 0.7', value: 'white' }, value: 'black' },
        },
      },
    ],
    config: { view: { stroke: null } },
  } as TopLevelSpec;
}
