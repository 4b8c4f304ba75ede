/**
 * Montage: many faces tiled in one PNG (a gallery of a cluster), with sharp.
 *
 * Layout: `columns` tiles a row (fewer when there are fewer faces), rows as needed, `gap` pixels between tiles
 * and around the border. Image size: width = c * tileSize + (c + 1) * gap, height = r * tileSize + (r + 1) * gap
 * with c = min(columns, n) and r = ceil(n / c).
 *
 * @example
 *   const png = await montage(faces.map((f) => ({ input: f.path, box: f.box })), { columns: 6 });
 */
import sharp from 'sharp';
import { invalidParameter } from '../errors.ts';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import type { Box } from '../types.ts';
import { thumbnailBuffer, type ImageInput } from './thumbnail.ts';

export interface MontageOptions {
  /** Tiles per row at most. @default 8 (fits a notebook cell and a report column at 96 px) */
  columns: number;
  /** Side of each square tile in pixels. @default 96 (a face is recognisable; a 48-face montage stays < 0.5 MB) */
  tileSize: number;
  /** Pixels between tiles and around the border. @default 2 */
  gap: number;
  /** Background colour (CSS). @default '#ffffff' */
  background: string;
  /** Margin around each face box, as in {@link thumbnail}. @default 0.25 */
  margin: number;
  /** Output format. @default 'png' (lossless; 'jpeg' is ~5x smaller for embedding in HTML) */
  format: 'png' | 'jpeg';
  /** JPEG quality when `format` is 'jpeg'. @default 80 */
  quality: number;
}

export const MONTAGE_DEFAULTS: Readonly<MontageOptions> = Object.freeze({
  columns: 8,
  tileSize: 96,
  gap: 2,
  background: '#ffffff',
  margin: 0.25,
  format: 'png' as const,
  quality: 80,
});

/** One tile: an image (path, bytes or data URI), optionally with the face box to cut from it. */
export type MontageTile = ImageInput | { input: ImageInput; box?: Box };

/** Pixel size of a montage of `n` tiles. */
export function montageSize(n: number, options?: Partial<MontageOptions>): { width: number; height: number; columns: number; rows: number } {
  const o = resolveOptions('montageSize', MONTAGE_DEFAULTS, options);
  const columns = Math.max(1, Math.min(o.columns, n));
  const rows = Math.max(1, Math.ceil(n / columns));
  return { width: columns * o.tileSize + (columns + 1) * o.gap, height: rows * o.tileSize + (rows + 1) * o.gap, columns, rows };
}

/** Tiles the faces into one PNG (or JPEG) image (bytes). A tile that cannot be read is left blank (background). */
export async function montage(tiles: readonly MontageTile[], options?: Partial<MontageOptions>): Promise<Buffer> {
  const fn = 'montage';
  const o = resolveOptions(fn, MONTAGE_DEFAULTS, options);
  checkInteger(fn, 'columns', o.columns, 1, 1000);
  checkInteger(fn, 'tileSize', o.tileSize, 1, 2048);
  checkInteger(fn, 'gap', o.gap, 0, 1000);
  checkOneOf(fn, 'format', o.format, ['png', 'jpeg'] as const);
  checkInteger(fn, 'quality', o.quality, 1, 100);
  if (!Array.isArray(tiles) || tiles.length === 0) throw invalidParameter(fn, 'tiles', 'a non-empty array of images', tiles);
  const { width, height, columns } = montageSize(tiles.length, o);
  const parts = await Promise.all(
    tiles.map(async (t) => {
      const tile = typeof t === 'object' && !(t instanceof Uint8Array) ? t : { input: t as ImageInput };
      try {
        return await thumbnailBuffer(tile.input, tile.box, { size: o.tileSize, margin: o.margin, format: 'png' });
      } catch {
        return undefined;
      }
    }),
  );
  const composites: sharp.OverlayOptions[] = [];
  parts.forEach((buf, i) => {
    if (!buf) return;
    const c = i % columns;
    const r = Math.floor(i / columns);
    composites.push({ input: buf, left: o.gap + c * (o.tileSize + o.gap), top: o.gap + r * (o.tileSize + o.gap) });
  });
  const canvas = sharp({ create: { width, height, channels: 3, background: o.background } }).composite(composites);
  return (o.format === 'jpeg' ? canvas.jpeg({ quality: o.quality }) : canvas.png()).toBuffer();
}
