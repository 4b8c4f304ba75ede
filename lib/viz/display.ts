/**
 * Showing a chart in a notebook (tslab): one plain function taking tslab's `display` object, so it works from
 * tslab's CommonJS cells without importing tslab here.
 *
 * - `vega-lite` (default): `display.raw('application/vnd.vegalite.v5+json', spec)`. JupyterLab renders it
 *   interactively (tooltips, sliders).
 * - `png`: the chart rendered in Node ({@link renderPng}): for viewers without a Vega renderer (GitHub, nbconvert
 *   HTML, VS Code without the extension).
 * - `svg`: the same as SVG text.
 *
 * @example (a tslab cell)
 *   import { display } from 'tslab';
 *   await showChart(display, scatterSpec(points));             // interactive in JupyterLab
 *   await showChart(display, scatterSpec(points), 'png');      // static image everywhere
 */
import type { TopLevelSpec } from 'vega-lite';
import { checkOneOf } from '../options.ts';
import { renderPng, renderSvg } from './render.ts';

/** The subset of tslab's `Display` used here. */
export interface DisplayLike {
  raw(contentType: string, data: string | Uint8Array): unknown;
  png(bytes: Uint8Array): void;
  svg(text: string): void;
}

export type ChartFormat = 'vega-lite' | 'png' | 'svg';

/** The MIME type Vega-Lite v5 specs are sent as (JupyterLab's built-in renderer). */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** What to display for `spec` in `format`: a MIME type and its data (the spec object itself for Vega-Lite). */
export async function chartOutput(spec: TopLevelSpec, format: ChartFormat = 'vega-lite'): Promise<{ mime: string; data: object | string | Uint8Array }> {
  checkOneOf('chartOutput', 'format', format, ['vega-lite', 'png', 'svg'] as const);
  if (format === 'png') return { mime: 'image/png', data: await renderPng(spec) };
  if (format === 'svg') return { mime: 'image/svg+xml', data: await renderSvg(spec) };
  return { mime: VEGA_LITE_MIME, data: spec };
}

/** Sends `spec` to tslab's `display` in `format`. */
export async function showChart(display: DisplayLike, spec: TopLevelSpec, format: ChartFormat = 'vega-lite'): Promise<void> {
  const out = await chartOutput(spec, format);
  if (out.mime === 'image/png') display.png(out.data as Uint8Array);
  else if (out.mime === 'image/svg+xml') display.svg(out.data as string);
  // tslab passes the object through into the MIME bundle, which must hold the spec as JSON, not as a string.
  else display.raw(out.mime, out.data as unknown as string);
}
