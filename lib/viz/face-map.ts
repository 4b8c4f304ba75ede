/**
 * The map of faces with each face shown on hover, in every front end: one display bundle of
 * - the Vega-Lite scatter ({@link scatterSpec}) with the thumbnail in its tooltip (JupyterLab, VS Code),
 * - an SVG drawn here whose points show their thumbnail on hover with CSS alone, no script (classic Notebook for a
 *   notebook you ran, nbconvert HTML pages, any browser), with the file name as the point's `<title>`,
 * - the PNG of the Vega-Lite chart (classic Notebook for a notebook run elsewhere, which drops SVG; GitHub),
 * - a line of text.
 *
 * The hover works by sibling selectors: every point is a `<circle id=...p{i}>` and every thumbnail an
 * `<image id=...t{i}>` after all the circles, with one rule `#p{i}:hover ~ #t{i} { visibility: visible }` per face, so
 * the thumbnail is drawn above every point. Ids carry a random prefix so two maps on one page do not interfere.
 *
 * @example
 *   const thumbs = await Promise.all(faces.map((f) => thumbnail(photoPath(f), f.box, { size: 48 })));
 *   await showFaceMap(display, xy.map(([x, y], i) => ({ x, y, cluster: labels[i], file: files[i], image: thumbs[i] })));
 */
import { randomBytes } from 'node:crypto';
import { checkInteger, resolveOptions } from '../options.ts';
import { invalidParameter } from '../errors.ts';
import { pngDisplayMetadata, showBundle, VEGA_LITE_MIME, type DisplayLike, type MimeBundle } from './display.ts';
import { escapeHtml } from './escape.ts';
import { renderSvg, svgToPng } from './render.ts';
import { scatterSpec, type ScatterPoint } from './scatter.ts';

export interface FaceMapOptions {
  /** @default '' (no title) */
  title: string;
  /** Plot width in pixels. @default 560 (as {@link scatterSpec}) */
  width: number;
  /** Plot height in pixels. @default 460 */
  height: number;
  /** Point radius in pixels. @default 4 (a 50-pixel disc area, easy to point at) */
  radius: number;
  /** Side of the thumbnail shown on hover, in pixels. @default 96 */
  thumbnailSize: number;
}

export const FACE_MAP_DEFAULTS: Readonly<FaceMapOptions> = Object.freeze({ title: '', width: 560, height: 460, radius: 4, thumbnailSize: 96 });

/** Tableau 20 (Vega's `tableau20` scheme, as {@link scatterSpec} colours clusters); noise is grey. */
const TABLEAU20 = ['#4c78a8', '#9ecae9', '#f58518', '#ffbf79', '#54a24b', '#88d27a', '#b79a20', '#f2cf5b', '#439894', '#83bcb6',
  '#e45756', '#ff9d98', '#79706e', '#bab0ac', '#d67195', '#fcbfd2', '#b279a2', '#d6a5c9', '#9e765f', '#d8b5a5'];
const NOISE = '#bbbbbb';

/** The SVG map: points coloured by cluster, each showing its thumbnail on hover (CSS only) and its name as a title. */
export function faceMapSvg(points: readonly ScatterPoint[], options?: Partial<FaceMapOptions>): string {
  const fn = 'faceMapSvg';
  const o = resolveOptions(fn, FACE_MAP_DEFAULTS, options);
  checkInteger(fn, 'width', o.width, 1);
  checkInteger(fn, 'height', o.height, 1);
  checkInteger(fn, 'radius', o.radius, 1);
  checkInteger(fn, 'thumbnailSize', o.thumbnailSize, 1);
  if (!Array.isArray(points)) throw invalidParameter(fn, 'points', 'an array of {x, y}', points);
  points.forEach((p, i) => {
    if (!Number.isFinite(p?.x) || !Number.isFinite(p?.y)) throw invalidParameter(fn, `points[${i}]`, 'an {x, y} of finite numbers', p);
  });
  const id = `fm${randomBytes(4).toString('hex')}`;
  const pad = o.radius + 2;
  const top = o.title ? 24 : 0;
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const sx = (x: number) => pad + (x1 > x0 ? ((x - x0) / (x1 - x0)) * (o.width - 2 * pad) : (o.width - 2 * pad) / 2);
  const sy = (y: number) => top + pad + (y1 > y0 ? ((y1 - y) / (y1 - y0)) * (o.height - 2 * pad) : (o.height - 2 * pad) / 2);
  const colour = (c: number | undefined) => (c === undefined || c < 0 ? NOISE : TABLEAU20[c % TABLEAU20.length]);
  const t = o.thumbnailSize;
  const circles: string[] = [];
  const images: string[] = [];
  const rules: string[] = [];
  points.forEach((p, i) => {
    const cx = sx(p.x);
    const cy = sy(p.y);
    const name = [p.file, p.identity, p.cluster === undefined ? '' : p.cluster < 0 ? 'noise' : `cluster ${p.cluster}`].filter(Boolean).join(' · ');
    circles.push(`<circle id="${id}p${i}" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="${o.radius}" fill="${colour(p.cluster)}"${name ? `><title>${escapeHtml(name)}</title></circle>` : '/>'}`);
    if (!p.image) return;
    // Beside the point, kept inside the map.
    const ix = Math.min(Math.max(cx + o.radius + 4, 0), o.width - t);
    const iy = Math.min(Math.max(cy - t / 2, 0), o.height + top - t);
    images.push(`<image id="${id}t${i}" x="${ix.toFixed(1)}" y="${iy.toFixed(1)}" width="${t}" height="${t}" href="${escapeHtml(p.image)}"/>`);
    rules.push(`#${id}p${i}:hover~#${id}t${i}`);
  });
  const style = [
    `#${id} image{visibility:hidden;pointer-events:none;outline:2px solid #333}`,
    `#${id} circle{opacity:.85}#${id} circle:hover{stroke:#000;stroke-width:2;opacity:1}`,
    rules.length ? `${rules.join(',')}{visibility:visible}` : '',
  ].join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${id}" width="${o.width}" height="${o.height + top}" viewBox="0 0 ${o.width} ${o.height + top}" font-family="sans-serif">`,
    `<style>${style}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    o.title ? `<text x="${o.width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(o.title)}</text>` : '',
    ...circles,
    ...images,
    '</svg>',
  ].join('');
}

/** The display bundle of the face map: Vega-Lite (tooltips), the hover SVG, the PNG and a line of text. */
export async function faceMapBundle(points: readonly ScatterPoint[], options?: Partial<FaceMapOptions>): Promise<MimeBundle> {
  const o = resolveOptions('faceMapBundle', FACE_MAP_DEFAULTS, options);
  const svg = faceMapSvg(points, o);
  const spec = scatterSpec(points, { title: o.title, width: o.width, height: o.height });
  // The PNG is vega's drawing of the same points (no thumbnails: a picture cannot hover).
  const plain = scatterSpec(points.map(({ image: _image, ...p }) => p), { title: o.title, width: o.width, height: o.height });
  const png = await svgToPng(await renderSvg(plain));
  const clusters = new Set(points.map((p) => p.cluster).filter((c) => c !== undefined && c >= 0)).size;
  return {
    [VEGA_LITE_MIME]: spec,
    'image/svg+xml': svg,
    'image/png': png.toString('base64'),
    'text/plain': `Map of ${points.length} faces${clusters ? ` in ${clusters} clusters` : ''}${o.title ? `: ${o.title}` : ''} (hover a point to see the face)`,
  };
}

/** Sends the face map ({@link faceMapBundle}) to a notebook, its PNG shown at CSS size. */
export async function showFaceMap(display: DisplayLike, points: readonly ScatterPoint[], options?: Partial<FaceMapOptions>): Promise<void> {
  const bundle = await faceMapBundle(points, options);
  showBundle(display, bundle, pngDisplayMetadata(bundle), 'showFaceMap');
}
