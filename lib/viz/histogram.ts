/**
 * Distance histogram of same-person vs different-person pairs, with the chosen threshold drawn: the picture
 * behind every threshold and eps choice (where the two humps cross is where errors start).
 *
 * Bins are computed here (not by Vega-Lite), so the spec stays small whatever the number of pairs; each group is
 * normalised to fractions of its own pairs, so the two shapes compare even when one group is 100x larger.
 */
import type { TopLevelSpec } from 'vega-lite';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';
import type { PairDistances } from './pairs.ts';

export interface HistogramOptions {
  /** Number of bins over [min, max] of all distances. @default 40 */
  bins: number;
  /** Threshold drawn as a vertical rule (e.g. eps); NaN draws none. @default NaN */
  threshold: number;
  /** @default 'Pair distances' */
  title: string;
  /** @default 'distance' */
  xTitle: string;
  /** @default 520 */
  width: number;
  /** @default 260 */
  height: number;
}

export const HISTOGRAM_DEFAULTS: Readonly<HistogramOptions> = Object.freeze({
  bins: 40,
  threshold: NaN,
  title: 'Pair distances',
  xTitle: 'distance',
  width: 520,
  height: 260,
});

/** Binned counts: one row per (group, bin) with the fraction of that group's pairs. */
export function histogramBins(pairs: PairDistances, bins: number): { group: string; start: number; end: number; count: number; fraction: number }[] {
  const all = [...pairs.same, ...pairs.different];
  if (all.length === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of all) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) hi = lo + 1;
  const width = (hi - lo) / bins;
  const rows: { group: string; start: number; end: number; count: number; fraction: number }[] = [];
  for (const [group, values] of [['same person', pairs.same], ['different people', pairs.different]] as const) {
    const counts = new Array<number>(bins).fill(0);
    for (const v of values) counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
    counts.forEach((c, b) => rows.push({ group, start: lo + b * width, end: lo + (b + 1) * width, count: c, fraction: values.length ? c / values.length : 0 }));
  }
  return rows;
}

/** Overlaid histograms of same-person and different-person distances, with the threshold as a rule. */
export function distanceHistogramSpec(pairs: PairDistances, options?: Partial<HistogramOptions>): TopLevelSpec {
  const fn = 'distanceHistogramSpec';
  const o = resolveOptions(fn, HISTOGRAM_DEFAULTS, options);
  checkInteger(fn, 'bins', o.bins, 1, 1000);
  if (!Number.isNaN(o.threshold)) checkNumber(fn, 'threshold', o.threshold);
  if (!pairs || !Array.isArray(pairs.same) || !Array.isArray(pairs.different)) throw invalidParameter(fn, 'pairs', 'an object {same: number[], different: number[]}', pairs);
  const values = histogramBins(pairs, o.bins);
  const layers: object[] = [
    {
      data: { values },
      mark: { type: 'rect', opacity: 0.55 },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: o.xTitle },
        x2: { field: 'end' },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of pairs', stack: null },
        color: { field: 'group', type: 'nominal', scale: { domain: ['same person', 'different people'], range: ['#1f77b4', '#d62728'] }, title: null },
        tooltip: [
          { field: 'group', type: 'nominal' },
          { field: 'start', type: 'quantitative', format: '.3f', title: 'from' },
          { field: 'end', type: 'quantitative', format: '.3f', title: 'to' },
          { field: 'count', type: 'quantitative' },
        ],
      },
    },
  ];
  if (!Number.isNaN(o.threshold)) {
    layers.push({
      data: { values: [{ threshold: o.threshold, label: `threshold ${+o.threshold.toFixed(3)}` }] },
      layer: [
        { mark: { type: 'rule', color: 'black', strokeDash: [4, 3], strokeWidth: 2 }, encoding: { x: { field: 'threshold', type: 'quantitative' } } },
        { mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom' }, encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } } },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${o.title} (${pairs.same.length} same-person, ${pairs.different.length} different-person pairs)`,
    width: o.width,
    height: o.height,
    layer: layers,
  } as TopLevelSpec;
}
