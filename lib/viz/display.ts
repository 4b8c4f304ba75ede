/**
 * Showing results in a notebook so that every front end draws them: each output is one display bundle (one
 * Jupyter `display_data` message with several MIME types), the way Altair and Plotly do it. A front end shows the
 * richest type it can render and ignores the rest:
 *
 * | output | bundle | JupyterLab / VS Code | classic Notebook, nbconvert HTML, GitHub, nbviewer |
 * |---|---|---|---|
 * | chart ({@link showChart}) | Vega-Lite v5 spec + `image/png` (or `image/svg+xml`) + `text/plain` | interactive Vega-Lite | the static image |
 * | table ({@link showTable}) | `text/html` + `text/markdown` + `text/plain` | HTML table | HTML table (`text/plain` in a terminal) |
 * | image ({@link showImage}) | `image/png` (or jpeg) + `text/plain` (what it shows) | image | image |
 * | HTML ({@link showHtml}) | `text/html` + `text/plain` | HTML | HTML |
 * | face map (`showFaceMap`, face-map.ts) | Vega-Lite + hover SVG + PNG + `text/plain` | Vega-Lite, face in the tooltip | SVG with the face on hover (PNG when untrusted) |
 * | progress (`progressDisplay`, progress-display.ts) | `text/html` + `text/plain`, updated in place | bar | bar, or its text |
 *
 * Why PNG by default: classic Notebook drops every output type but text, PNG, JPEG, GIF and (sanitised) HTML from a
 * notebook it does not trust, and a notebook is untrusted whenever it was executed elsewhere (nbconvert, CI, a
 * colleague): an SVG-only fallback shows as a line of text there. PNG shows everywhere.
 *
 * The functions take tslab's `display` object (`import { display } from 'tslab'` in a cell), so the library never
 * imports tslab. tslab's own `display.raw(mime, data)` sends one MIME type per message; a bundle is sent through the
 * same writer tslab uses (its `jupyter` module's `lastWriteDisplayData`, found next to the module that owns the
 * `display` object), as one `display_data` message with a full `data` dict. A display object with a
 * `bundle(data)` method (tests, other kernels) is called directly.
 *
 * {@link staticFallbackProblem} is the rule the executed notebooks are checked against: a bundle must show
 * something without JavaScript or a renderer extension.
 *
 * @example (a tslab cell)
 *   import { display } from 'tslab';
 *   import * as fc from 'facecluster';
 *   await fc.showChart(display, fc.scatterSpec(points));        // Vega-Lite + PNG + text
 *   fc.showTable(display, [{ method: 'dbscan', bcubedF1: 0.903 }]);
 *   fc.showImage(display, await fc.montage(tiles), '8 faces of cluster 3');
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import { escapeHtml } from './escape.ts';
import { RENDER_PNG_DEFAULTS, renderSvg, svgToPng } from './render.ts';

/** The MIME type Vega-Lite v5 specs are sent as (JupyterLab's and VS Code's built-in renderer). */
export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** A display bundle: MIME type -> data (strings; base64 for binary images; the spec object for JSON types). */
export type MimeBundle = Record<string, unknown>;

/**
 * What the functions here need of a display object: tslab's `display` (or `newDisplay()`), or any object with a
 * `bundle(data)` method that sends a whole bundle.
 */
export interface DisplayLike {
  raw?(contentType: string, data: string | Uint8Array): unknown;
  bundle?(data: MimeBundle, metadata?: Record<string, unknown>): unknown;
}

export interface ChartOptions {
  /**
   * The static image sent with the spec: `png` (rendered at 2x), `svg`, or `both` (front ends that draw SVG take it,
   * untrusted classic Notebook takes the PNG; twice the size).
   * @default 'png' (the one image type every front end shows, trusted or not; see the top of this file)
   */
  fallback: 'png' | 'svg' | 'both';
  /** The `text/plain` line; default: the chart's title, or "Vega-Lite chart". */
  text: string | undefined;
}

export const CHART_DEFAULTS: Readonly<ChartOptions> = Object.freeze({ fallback: 'png' as const, text: undefined });

/** The display bundle of a chart: the Vega-Lite spec, its image rendered in Node, and a line of text. */
export async function chartBundle(spec: TopLevelSpec, options?: Partial<ChartOptions>): Promise<MimeBundle> {
  const fn = 'chartBundle';
  const o = resolveOptions(fn, CHART_DEFAULTS, options);
  checkOneOf(fn, 'fallback', o.fallback, ['png', 'svg', 'both'] as const);
  const svg = await renderSvg(spec);
  const image: MimeBundle = {};
  if (o.fallback !== 'png') image['image/svg+xml'] = svg;
  if (o.fallback !== 'svg') image['image/png'] = (await svgToPng(svg)).toString('base64');
  return { [VEGA_LITE_MIME]: spec, ...image, 'text/plain': o.text ?? chartText(spec) };
}

/** "Vega-Lite chart: <title>" with the spec's title, or the titles of its parts (concatenated or layered views). */
function chartText(spec: TopLevelSpec): string {
  const titles: string[] = [];
  const visit = (view: unknown, depth: number) => {
    if (!view || typeof view !== 'object' || depth > 3 || titles.length >= 4) return;
    const v = view as Record<string, unknown>;
    const t = v.title;
    const text = typeof t === 'string' ? t : Array.isArray(t) ? t.join(' ') : typeof (t as { text?: unknown })?.text === 'string' ? (t as { text: string }).text : '';
    if (text) {
      titles.push(text);
      return;
    }
    for (const key of ['vconcat', 'hconcat', 'concat', 'layer']) if (Array.isArray(v[key])) for (const part of v[key] as unknown[]) visit(part, depth + 1);
  };
  visit(spec, 0);
  return titles.length > 0 ? `Vega-Lite chart: ${titles.join('; ')}` : 'Vega-Lite chart';
}

/** Sends a chart as one bundle (Vega-Lite + PNG or SVG + text); see the table at the top of this file. */
export async function showChart(display: DisplayLike, spec: TopLevelSpec, options?: Partial<ChartOptions>): Promise<void> {
  const bundle = await chartBundle(spec, options);
  showBundle(display, bundle, pngDisplayMetadata(bundle), 'showChart');
}

export interface TableOptions {
  /** Decimals numbers are rounded to (integers are shown as they are). @default 3 */
  digits: number;
  /** Column order; default: the keys of the rows in order of first appearance. */
  columns: readonly string[] | undefined;
  /** A caption above the table. @default '' (none) */
  caption: string;
}

export const TABLE_DEFAULTS: Readonly<TableOptions> = Object.freeze({ digits: 3, columns: undefined, caption: '' });

/** The display bundle of a table of rows: `text/html`, `text/markdown` and aligned `text/plain`. */
export function tableBundle(rows: readonly Record<string, unknown>[], options?: Partial<TableOptions>): MimeBundle {
  const fn = 'tableBundle';
  const o = resolveOptions(fn, TABLE_DEFAULTS, options);
  checkInteger(fn, 'digits', o.digits, 0, 20);
  if (!Array.isArray(rows)) throw new FaceclusterError(fn, `rows must be an array of objects, got ${typeof rows}.`, 'rows');
  const columns = o.columns ? [...o.columns] : [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string => {
    if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : v.toFixed(o.digits);
    if (v === undefined || v === null) return '';
    return String(v);
  };
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number'));
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  if (rows.length === 0) {
    const empty = '(no rows)';
    return { 'text/html': `${o.caption ? `<p>${escapeHtml(o.caption)}</p>` : ''}<p><em>${empty}</em></p>`, 'text/markdown': `${o.caption ? `${o.caption}\n\n` : ''}*${empty}*`, 'text/plain': `${o.caption ? `${o.caption}\n` : ''}${empty}` };
  }
  const align = (j: number) => (numeric[j] ? 'right' : 'left');
  const html = [
    '<table>',
    o.caption ? `<caption>${escapeHtml(o.caption)}</caption>` : '',
    `<thead><tr>${columns.map((c, j) => `<th style="text-align: ${align(j)}">${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
    `<tbody>${cells.map((row) => `<tr>${row.map((v, j) => `<td style="text-align: ${align(j)}">${escapeHtml(v)}</td>`).join('')}</tr>`).join('')}</tbody>`,
    '</table>',
  ].join('');
  const md = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
  const markdown = [
    o.caption ? `${md(o.caption)}\n` : '',
    `| ${columns.map(md).join(' | ')} |`,
    `| ${columns.map((_, j) => (numeric[j] ? '---:' : '---')).join(' | ')} |`,
    ...cells.map((row) => `| ${row.map(md).join(' | ')} |`),
  ].filter((l) => l !== '').join('\n');
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const pad = (v: string, j: number) => (numeric[j] ? v.padStart(widths[j]) : v.padEnd(widths[j]));
  const plain = [
    o.caption,
    columns.map(pad).join('  ').trimEnd(),
    ...cells.map((row) => row.map(pad).join('  ').trimEnd()),
  ].filter((l, i) => i > 0 || l !== '').join('\n');
  return { 'text/html': html, 'text/markdown': markdown, 'text/plain': plain };
}

/** Sends a table as one bundle (HTML + Markdown + text). */
export function showTable(display: DisplayLike, rows: readonly Record<string, unknown>[], options?: Partial<TableOptions>): void {
  showBundle(display, tableBundle(rows, options), {}, 'showTable');
}

/** The display bundle of a PNG or JPEG image (detected from its bytes) with `text` saying what it shows. */
export function imageBundle(bytes: Uint8Array, text: string): MimeBundle {
  const fn = 'imageBundle';
  if (!(bytes instanceof Uint8Array)) throw new FaceclusterError(fn, `bytes must be a Uint8Array (a Buffer) of PNG or JPEG data, got ${typeof bytes}.`, 'bytes');
  const png = bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!png && !jpeg) throw new FaceclusterError(fn, `bytes must be PNG or JPEG data, got ${bytes.length} bytes starting ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}.`, 'bytes');
  if (typeof text !== 'string' || text === '') throw new FaceclusterError(fn, `text must be a non-empty description of the image, got ${JSON.stringify(text)}.`, 'text');
  return { [png ? 'image/png' : 'image/jpeg']: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64'), 'text/plain': text };
}

/** Sends an image (a montage, a photo with boxes drawn) with a line of text saying what it shows. */
export function showImage(display: DisplayLike, bytes: Uint8Array, text: string): void {
  showBundle(display, imageBundle(bytes, text), {}, 'showImage');
}

/** Sends HTML (drawn without scripts, so it shows in every front end) with its `text/plain` summary. */
export function showHtml(display: DisplayLike, html: string, text: string): void {
  if (typeof html !== 'string') throw new FaceclusterError('showHtml', `html must be a string, got ${typeof html}.`, 'html');
  if (typeof text !== 'string' || text === '') throw new FaceclusterError('showHtml', `text must be a non-empty summary, got ${JSON.stringify(text)}.`, 'text');
  showBundle(display, { 'text/html': html, 'text/plain': text }, {}, 'showHtml');
}

/** MIME types every Jupyter front end and exporter draws without JavaScript or an extension. */
export const STATIC_IMAGE_MIMES = Object.freeze(['image/svg+xml', 'image/png', 'image/jpeg', 'image/gif']);

/** MIME types that need a renderer extension or JavaScript (classic Notebook and nbconvert drop or ignore them). */
const NEEDS_RENDERER = /^(application\/vnd\.vega(lite)?\.v\d+\+json|application\/vnd\.plotly\.v1\+json|application\/vnd\.jupyter\.widget-view\+json|application\/javascript|text\/markdown|text\/latex)$/;

/**
 * Why `bundle` (the `data` of a `display_data` / `execute_result` output) would show nothing useful in a front end
 * without a renderer extension, or `undefined` when it is fine. The rule:
 * - every bundle has `text/plain` or a static image (what a terminal, an exporter or a screen reader gets);
 * - a chart (Vega / Vega-Lite / Plotly JSON) also has a static image (`image/svg+xml`, `image/png`, ...);
 * - Markdown, LaTeX, JavaScript or a widget also has `text/html` or a static image (classic Notebook, GitHub).
 */
export function staticFallbackProblem(bundle: MimeBundle): string | undefined {
  const mimes = Object.keys(bundle);
  const hasImage = mimes.some((m) => STATIC_IMAGE_MIMES.includes(m));
  if (mimes.length === 0) return 'empty bundle';
  if (!hasImage && !mimes.includes('text/plain')) return `no text/plain and no static image (has ${mimes.join(', ')})`;
  const rich = mimes.filter((m) => NEEDS_RENDERER.test(m));
  if (rich.length === 0) return undefined;
  const isChart = rich.some((m) => m.startsWith('application/vnd.'));
  if (isChart && !hasImage) return `${rich.join(', ')} without a static image (has ${mimes.join(', ')})`;
  if (!hasImage && !mimes.includes('text/html')) return `${rich.join(', ')} without text/html or a static image (has ${mimes.join(', ')})`;
  return undefined;
}

type Writer = (message: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } }, update: boolean) => void;

/**
 * Display metadata that shows the bundle's PNG at its CSS size: the PNG of a chart is rendered at `scale` pixels
 * per CSS pixel (2, sharp on high-DPI screens), and front ends draw an image at its pixel size unless the output's
 * metadata says `width` / `height` (Jupyter's image metadata, read by classic Notebook, JupyterLab and nbconvert).
 */
export function pngDisplayMetadata(bundle: MimeBundle, scale: number = RENDER_PNG_DEFAULTS.scale): Record<string, unknown> {
  const png = bundle['image/png'];
  if (typeof png !== 'string') return {};
  const header = Buffer.from(png.slice(0, 32), 'base64'); // IHDR: width and height at bytes 16-23
  if (header.length < 24) return {};
  return { 'image/png': { width: Math.round(header.readUInt32BE(16) / scale), height: Math.round(header.readUInt32BE(20) / scale) } };
}

/**
 * tslab's display-data writer for `display` (tslab's `display` or a `newDisplay()`): the `lastWriteDisplayData`
 * of the `jupyter` module beside the tslab module that made `display`. Looked up in the process's module cache by
 * identity, so it is the running kernel's tslab even when several copies of tslab are installed.
 */
function tslabWriter(display: object): Writer | undefined {
  const cache = createRequire(import.meta.url).cache;
  const proto = Object.getPrototypeOf(display);
  const sameKind = (shown: unknown) => shown === display || (proto !== Object.prototype && typeof shown === 'object' && shown !== null && Object.getPrototypeOf(shown) === proto);
  for (const mod of Object.values(cache)) {
    if (!mod?.exports || typeof mod.exports !== 'object' || !sameKind((mod.exports as { display?: unknown }).display)) continue;
    const jupyter = cache[join(dirname(mod.filename), 'jupyter.js')]?.exports as { lastWriteDisplayData?: unknown } | undefined;
    if (typeof jupyter?.lastWriteDisplayData === 'function') return jupyter.lastWriteDisplayData as Writer;
  }
  return undefined;
}

/**
 * Sends `bundle` as one display: through `display.bundle(data)` when the object has it, else through tslab's
 * writer (see the top of this file). Throws when `display` is neither.
 */
export function showBundle(display: DisplayLike, bundle: MimeBundle, metadata: Record<string, unknown> = {}, fn = 'showBundle'): void {
  if (display === null || typeof display !== 'object') throw new FaceclusterError(fn, `display must be tslab's display object (import { display } from 'tslab'), got ${display === null ? 'null' : typeof display}.`, 'display');
  if (typeof display.bundle === 'function') {
    display.bundle(bundle, metadata);
    return;
  }
  const write = tslabWriter(display);
  if (!write) {
    throw new FaceclusterError(fn, "display must be tslab's display object (import { display } from 'tslab', in a running tslab kernel) or have a bundle(data) method, got an object without either.", 'display');
  }
  // As tslab's own raw(): a newDisplay() object carries a display id and updates its output after the first send.
  const d = display as { id?: string; update?: boolean };
  const update = d.update === true;
  if (d.id) d.update = true;
  write({ data: bundle, metadata, transient: d.id ? { display_id: d.id } : {} }, update);
}
