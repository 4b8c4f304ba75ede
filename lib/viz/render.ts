/**
 * Rendering Vega-Lite specs in Node: compile to Vega (vega-lite `compile`), run a headless vega View,
 * `toSVG()`, then rasterise the SVG to PNG with sharp (librsvg). No browser, no canvas package.
 *
 * @example
 *   const svg = await renderSvg(scatterSpec(points));
 *   await writeFile('map.png', await renderPng(scatterSpec(points), { scale: 2 }));
 */
import sharp from 'sharp';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FaceclusterError } from '../errors.ts';
import { checkNumber, resolveOptions } from '../options.ts';

/** The Vega spec a Vega-Lite spec compiles to (throws FaceclusterError when it does not compile). */
export function toVegaSpec(spec: TopLevelSpec): vega.Spec {
  try {
    return compile(spec).spec as vega.Spec;
  } catch (e) {
    throw new FaceclusterError('toVegaSpec', `spec must be a valid Vega-Lite v5 spec: ${(e as Error).message}`, 'spec', { cause: e });
  }
}

/** Renders a Vega-Lite spec to an SVG string. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(toVegaSpec(spec)), { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface RenderPngOptions {
  /** Pixels per SVG unit. @default 2 (sharp on high-DPI screens and in reports) */
  scale: number;
  /** Background colour behind transparent areas. @default '#ffffff' (charts are drawn for white pages) */
  background: string;
}

export const RENDER_PNG_DEFAULTS: Readonly<RenderPngOptions> = Object.freeze({ scale: 2, background: '#ffffff' });

/** Renders a Vega-Lite spec to PNG bytes (SVG via vega, rasterised by sharp at `scale`). */
export async function renderPng(spec: TopLevelSpec, options?: Partial<RenderPngOptions>): Promise<Buffer> {
  const o = resolveOptions('renderPng', RENDER_PNG_DEFAULTS, options);
  checkNumber('renderPng', 'scale', o.scale, 0, 16, true);
  return svgToPng(await renderSvg(spec), o);
}

/** Rasterises SVG text (e.g. from {@link renderSvg}) to PNG bytes with sharp (librsvg), as {@link renderPng} does. */
export async function svgToPng(svg: string, options?: Partial<RenderPngOptions>): Promise<Buffer> {
  const o = resolveOptions('svgToPng', RENDER_PNG_DEFAULTS, options);
  checkNumber('svgToPng', 'scale', o.scale, 0, 16, true);
  return sharp(Buffer.from(svg), { density: 72 * o.scale }).flatten({ background: o.background }).png().toBuffer();
}
