/**
 * Face mosaics: many photos with a known face each, shrunk and laid out on a grid as one image, so that every
 * face of a "group photo" is known (position and size). They measure face-level recall of a detector on small
 * faces (`npm run bench:detect`) and give tests a photo of known faces.
 *
 * Each tile is a photo resized to `tileSize` x `tileSize` (aspect not kept: LFW photos are square); its face box,
 * given in the photo's pixels, is scaled with it. Tiles sit `gap` pixels apart, the grid's top-left corner at
 * (`left`, `top`) of a grey canvas (by default just large enough). Nothing is written to disk.
 */
import sharp from 'sharp';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import type { Box, RgbImage } from '../types.ts';

/** One photo of a mosaic and its face box (in the photo's pixels). */
export interface MosaicTile {
  image: RgbImage;
  face: Box;
}

export interface MosaicOptions {
  /** Tiles per row; rows follow from the number of tiles. @default 4 */
  columns: number;
  /** Side of a tile in the mosaic, pixels. @default 64 */
  tileSize: number;
  /** Pixels between tiles. @default 0 */
  gap: number;
  /** Canvas width; must hold the grid. @default undefined (`left` + the grid's width) */
  width: number | undefined;
  /** Canvas height; must hold the grid. @default undefined (`top` + the grid's height) */
  height: number | undefined;
  /** Position of the grid's left edge on the canvas. @default 0 */
  left: number;
  /** Position of the grid's top edge on the canvas. @default 0 */
  top: number;
  /** Grey level of the background. @default 128 */
  background: number;
}

export const MOSAIC_DEFAULTS: Readonly<MosaicOptions> = Object.freeze({ columns: 4, tileSize: 64, gap: 0, width: undefined, height: undefined, left: 0, top: 0, background: 128 });

/** A mosaic and the box of each tile's face in its pixels, in tile order (row by row). */
export interface Mosaic {
  image: RgbImage;
  faces: Box[];
}

/** Lays `tiles` out as one image (see the module comment). */
export async function buildMosaic(tiles: readonly MosaicTile[], options?: Partial<MosaicOptions>): Promise<Mosaic> {
  const fn = 'buildMosaic';
  const o = resolveOptions(fn, MOSAIC_DEFAULTS, options);
  if (tiles.length === 0) throw new FaceclusterError(fn, 'tiles must hold at least one tile, got 0.', 'tiles');
  checkInteger(fn, 'columns', o.columns, 1);
  checkInteger(fn, 'tileSize', o.tileSize, 4);
  checkInteger(fn, 'gap', o.gap, 0);
  checkInteger(fn, 'left', o.left, 0);
  checkInteger(fn, 'top', o.top, 0);
  checkInteger(fn, 'background', o.background, 0, 255);
  const columns = Math.min(o.columns, tiles.length);
  const rows = Math.ceil(tiles.length / columns);
  const t = o.tileSize;
  const gridWidth = o.left + columns * t + (columns - 1) * o.gap;
  const gridHeight = o.top + rows * t + (rows - 1) * o.gap;
  const width = o.width ?? gridWidth;
  const height = o.height ?? gridHeight;
  checkInteger(fn, 'width', width, gridWidth);
  checkInteger(fn, 'height', height, gridHeight);
  const data = new Uint8Array(width * height * 3).fill(o.background);
  const faces: Box[] = [];
  for (let i = 0; i < tiles.length; i++) {
    const { image, face } = tiles[i];
    const small = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), { raw: { width: image.width, height: image.height, channels: 3 } })
      .resize(t, t, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    const x0 = o.left + (i % columns) * (t + o.gap);
    const y0 = o.top + Math.floor(i / columns) * (t + o.gap);
    for (let y = 0; y < t; y++) data.set(small.subarray(y * t * 3, (y + 1) * t * 3), ((y0 + y) * width + x0) * 3);
    const sx = t / image.width, sy = t / image.height;
    faces.push({ x: x0 + face.x * sx, y: y0 + face.y * sy, width: face.width * sx, height: face.height * sy });
  }
  return { image: { data, width, height }, faces };
}
