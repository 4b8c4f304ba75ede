/**
 * The 2-D map of faces: one point per face, coloured by cluster or by true identity, with the face thumbnail and
 * the file name in the tooltip (vega-tooltip shows a field titled `image` as a picture).
 *
 * @example
 *   const xy = umap(embeddings);
 *   scatterSpec(xy.map(([x, y], i) => ({ x, y, cluster: labels[i], file: files[i], image: thumbs[i] })));
 */
import type { TopLevelSpec } from 'vega-lite';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';

/** One face on the map. */
export interface ScatterPoint {
  x: number;
  y: number;
  /** Cluster label (-1 is noise, drawn grey). */
  cluster?: number;
  /** True identity, when known. */
  identity?: string;
  /** File name shown in the tooltip. */
  file?: string;
  /** Thumbnail data URI shown in the tooltip. */
  image?: string;
}

export interface ScatterOptions {
  /** Colour by `cluster` or by true `identity`. @default 'cluster' */
  colorBy: 'cluster' | 'identity';
  /** @default '' (no title) */
  title: string;
  /** Plot width in pixels. @default 560 */
  width: number;
  /** Plot height in pixels. @default 460 */
  height: number;
  /** Point area in square pixels. @default 30 (visible at 12k points without hiding neighbours) */
  pointSize: number;
  /**
   * Show a legend only up to this many colours (a legend of 1,000 clusters is noise).
   * @default 20 (the size of the tableau20 palette, which then repeats)
   */
  maxLegend: number;
}

export const SCATTER_DEFAULTS: Readonly<ScatterOptions> = Object.freeze({
  colorBy: 'cluster' as const,
  title: '',
  width: 560,
  height: 460,
  pointSize: 30,
  maxLegend: 20,
});

/** A Vega-Lite scatter plot of the map, one mark per point. */
export function scatterSpec(points: readonly ScatterPoint[], options?: Partial<ScatterOptions>): TopLevelSpec {
  const fn = 'scatterSpec';
  const o = resolveOptions(fn, SCATTER_DEFAULTS, options);
  checkOneOf(fn, 'colorBy', o.colorBy, ['cluster', 'identity'] as const);
  checkInteger(fn, 'width', o.width, 1);
  checkInteger(fn, 'height', o.height, 1);
  checkInteger(fn, 'maxLegend', o.maxLegend, 0);
  if (!Array.isArray(points)) throw invalidParameter(fn, 'points', 'an array of {x, y}', points);
  const values = points.map((p, i) => {
    if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y)) throw invalidParameter(fn, `points[${i}]`, 'an {x, y} of finite numbers', p);
    const cluster = p.cluster ?? -1;
    return {
      x: p.x,
      y: p.y,
      cluster,
      clusterName: cluster < 0 ? 'noise' : `cluster ${cluster}`,
      identity: p.identity ?? '?',
      file: p.file ?? '',
      image: p.image ?? '',
    };
  });
  const colorField = o.colorBy === 'identity' ? 'identity' : 'clusterName';
  const nGroups = new Set(values.map((v) => v[colorField])).size;
  const tooltip: { field: string; type: 'nominal' | 'quantitative'; title: string }[] = [];
  if (points.some((p) => p.image)) tooltip.push({ field: 'image', type: 'nominal', title: 'image' });
  tooltip.push({ field: 'file', type: 'nominal', title: 'file' });
  if (points.some((p) => p.identity !== undefined)) tooltip.push({ field: 'identity', type: 'nominal', title: 'identity' });
  if (points.some((p) => p.cluster !== undefined)) tooltip.push({ field: 'cluster', type: 'quantitative', title: 'cluster' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    ...(o.title ? { title: o.title } : {}),
    width: o.width,
    height: o.height,
    data: { values },
    mark: { type: 'point', filled: true, size: o.pointSize, opacity: 0.8 },
    encoding: {
      x: { field: 'x', type: 'quantitative', axis: { title: null, grid: false }, scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', axis: { title: null, grid: false }, scale: { zero: false } },
      color: {
        ...(o.colorBy === 'cluster' ? { condition: { test: 'datum.cluster < 0', value: '#bbbbbb' } } : {}),
        field: colorField,
        type: 'nominal',
        scale: { scheme: 'tableau20' },
        legend: nGroups <= o.maxLegend ? { title: o.colorBy } : null,
      },
      tooltip,
    },
    config: { view: { stroke: null } },
  } as TopLevelSpec;
}
