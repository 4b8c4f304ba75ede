/**
 * Small faces in large photos: a detector with a fixed small input (UltraFace reads every photo at 320x240)
 * shrinks a 2048 px group photo 6-8 times, and faces under ~24 px at its input are lost (on LFW faces placed at
 * known sizes, UltraFace at score 0.7 finds 80/80 faces 24 px high at its input, 75/80 at 20, 36/80 at 16,
 * 7/80 at 12). Tiling runs the detector again on overlapping windows of the photo read at larger scales, so
 * that the smallest face looked for is ~24 px at the input.
 *
 * The plan ({@link planTiles}): the whole-image pass reads the photo at `s0 = min(inputWidth / W, inputHeight / H)`
 * and finds faces from `reliableFace / s0` pixels up. When that is at most twice `minFace`, no tile runs (LFW's
 * 250x250 photos and every devset photo up to 320 px: nothing changes for them). Otherwise the scales from `s0`
 * to `reliableFace / minFace` are split into levels at most {@link TILE_LEVEL_RATIO} apart; each level covers
 * the photo with windows of `inputWidth / s` x `inputHeight / s` pixels (read at scale `s` on both axes),
 * overlapping by the largest face that level must find (the smallest the level above finds reliably, with a
 * quarter to spare), so that each such face lies whole inside some window.
 *
 * A detection touching a window's inner edge (one that is not the photo's edge) may be a cut face: it is
 * dropped, since the face lies whole in the neighbouring window or is found by the coarser level. The caller
 * merges the rest with the whole-image pass by non-maximum suppression (nms.ts), which makes the copies of one
 * face in two overlapping windows one face.
 */
import { cropImage } from '../image/crop.ts';
import type { Box, RgbImage } from '../types.ts';

/**
 * Ratio between the scales of consecutive levels. 3: the detector finds faces from 24 px to ~100 px high at
 * its 240 px input (79/80 at 100 px on the same LFW placement), so a level 3x finer than the one above only
 * needs faces from 24 to 72 px, and the windows' overlap (90 input px) stays under half a window.
 */
export const TILE_LEVEL_RATIO = 3;

/** Tiles run only when the whole-image pass misses faces more than this many times `minFace`. */
export const TILE_ONLY_ABOVE = 2;

/**
 * Across passes, a box lying mostly (more than this share of its area) inside a box kept is the same face: a
 * window that cuts a face a little inside its edge gives a box of part of it (chin, forehead) nested in the
 * face's box, whose IoU with it is small. On the mosaic bench such boxes were 9 of the 19 false detections
 * (30 mosaics; overlap of the smaller 0.59 to 1.0); LFW faces side by side never overlap so.
 */
export const TILE_MERGE_OF_SMALLER = 0.5;

/** A detection touching a window's inner edge within this many input pixels is dropped as possibly cut. */
export const TILE_EDGE = 2;

/** The detector's geometry, as tiling needs it. */
export interface TileGeometry {
  /** Network input width and height, pixels. */
  inputWidth: number;
  inputHeight: number;
  /** Smallest face height (input pixels) the detector finds reliably. */
  reliableFace: number;
}

/** One level of windows: the scale they are read at and their rectangles in the photo's pixels (integers). */
export interface TileLevel {
  scale: number;
  windows: Box[];
}

/** Window origins along one axis: `count` windows of `size` over `length`, evenly spread, first at 0, last at the end. */
function origins(length: number, size: number, overlap: number): number[] {
  if (size >= length) return [0];
  const count = Math.ceil((length - size) / Math.max(1, size - overlap)) + 1;
  return Array.from({ length: count }, (_, i) => Math.round((i * (length - size)) / (count - 1)));
}

/**
 * The tile levels for a `width` x `height` photo looking for faces down to `minFace` pixels high (see the module
 * comment); `[]` when the whole-image pass suffices or `minFace` is 0.
 */
export function planTiles(width: number, height: number, minFace: number, g: TileGeometry): TileLevel[] {
  if (minFace <= 0) return [];
  const s0 = Math.min(g.inputWidth / width, g.inputHeight / height);
  if (g.reliableFace / s0 <= TILE_ONLY_ABOVE * minFace) return [];
  const target = g.reliableFace / minFace;
  const count = Math.ceil(Math.log(target / s0) / Math.log(TILE_LEVEL_RATIO) - 1e-9);
  const overlapInput = Math.ceil(g.reliableFace * TILE_LEVEL_RATIO * 1.25);
  const levels: TileLevel[] = [];
  for (let k = 1; k <= count; k++) {
    const scale = s0 * (target / s0) ** (k / count);
    const w = Math.min(width, Math.round(g.inputWidth / scale));
    const h = Math.min(height, Math.round(g.inputHeight / scale));
    const overlap = overlapInput / scale;
    const windows: Box[] = [];
    for (const y of origins(height, h, overlap)) for (const x of origins(width, w, overlap)) windows.push({ x, y, width: w, height: h });
    levels.push({ scale, windows });
  }
  return levels;
}

/** Number of windows of a plan (the detector passes it adds to the whole-image one). */
export function tileCount(levels: readonly TileLevel[]): number {
  return levels.reduce((n, l) => n + l.windows.length, 0);
}

/**
 * Runs `locate` (boxes in the pixels of the image it is given) on every window of `levels` and returns the
 * detections in the photo's pixels, those touching a window's inner edge dropped (see the module comment).
 */
export async function locateInTiles<T extends { box: Box }>(
  image: RgbImage,
  levels: readonly TileLevel[],
  g: TileGeometry,
  locate: (window: RgbImage) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (const level of levels) {
    for (const win of level.windows) {
      const edgeX = (TILE_EDGE * win.width) / g.inputWidth;
      const edgeY = (TILE_EDGE * win.height) / g.inputHeight;
      const inner = { left: win.x > 0, top: win.y > 0, right: win.x + win.width < image.width, bottom: win.y + win.height < image.height };
      for (const d of await locate(cropImage(image, win))) {
        const b = d.box;
        if (inner.left && b.x < edgeX) continue;
        if (inner.top && b.y < edgeY) continue;
        if (inner.right && b.x + b.width > win.width - edgeX) continue;
        if (inner.bottom && b.y + b.height > win.height - edgeY) continue;
        out.push({ ...d, box: { x: b.x + win.x, y: b.y + win.y, width: b.width, height: b.height } });
      }
    }
  }
  return out;
}
