/**
 * Face thumbnails for charts, galleries and the HTML report: the face box (plus a margin) cut from the upright
 * photo (EXIF orientation applied), resized to a small square, encoded as JPEG or PNG, as bytes or a data URI.
 *
 * Boxes are in upright original pixels ({@link Box}); a box reaching outside the photo is clamped to it; no box
 * means the whole photo (centre-cropped to a square).
 *
 * @example
 *   const uri = await thumbnail('photos/Ann/Ann_0001.jpg', face.box);  // 'data:image/jpeg;base64,...'
 */
import sharp from 'sharp';
import { FaceclusterError } from '../errors.ts';
import { openUpright } from './decode.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { Box } from '../types.ts';

export interface ThumbnailOptions {
  /**
   * Side of the square thumbnail, in pixels.
   * @default 64 (recognisable in a tooltip or a gallery; ~2-3 KB as JPEG, so 10k faces fit in a ~30 MB report)
   */
  size: number;
  /**
   * Margin added around the box on every side, as a fraction of the box's larger side.
   * @default 0.25 (shows hair and chin, which people use to tell faces apart)
   */
  margin: number;
  /** @default 'jpeg' (photos compress ~5x better than PNG) */
  format: 'jpeg' | 'png';
  /** JPEG quality 1-100. @default 80 (no visible artefacts at this size) */
  quality: number;
}

export const THUMBNAIL_DEFAULTS: Readonly<ThumbnailOptions> = Object.freeze({
  size: 64,
  margin: 0.25,
  format: 'jpeg' as const,
  quality: 80,
});

/** Input accepted for an image: a file path, the bytes, or a `data:image/...;base64,` URI. */
export type ImageInput = string | Buffer | Uint8Array;

function resolveInput(fn: string, input: ImageInput): string | Buffer {
  if (typeof input === 'string') {
    const m = /^data:image\/[a-z+.-]+;base64,(.*)$/is.exec(input);
    return m ? Buffer.from(m[1], 'base64') : input;
  }
  if (input instanceof Uint8Array) return Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  throw new FaceclusterError(fn, `input must be a file path, a data URI or image bytes, got ${typeof input}.`, 'input');
}

/** The square region to cut: `box` grown by `margin`, made square, clamped to the image. */
export function thumbnailRegion(box: Box | undefined, width: number, height: number, margin: number): { left: number; top: number; width: number; height: number } {
  let cx: number;
  let cy: number;
  let side: number;
  if (box) {
    cx = box.x + box.width / 2;
    cy = box.y + box.height / 2;
    side = Math.max(box.width, box.height) * (1 + 2 * margin);
  } else {
    cx = width / 2;
    cy = height / 2;
    side = Math.min(width, height);
  }
  side = Math.max(1, Math.min(side, width, height));
  let left = Math.round(cx - side / 2);
  let top = Math.round(cy - side / 2);
  const s = Math.max(1, Math.round(side));
  left = Math.min(Math.max(0, left), Math.max(0, width - s));
  top = Math.min(Math.max(0, top), Math.max(0, height - s));
  return { left, top, width: Math.min(s, width - left), height: Math.min(s, height - top) };
}

/** The thumbnail's encoded bytes. Throws FaceclusterError (fn `thumbnail`) when the image cannot be read. */
export async function thumbnailBuffer(input: ImageInput, box?: Box, options?: Partial<ThumbnailOptions>): Promise<Buffer> {
  const fn = 'thumbnail';
  const o = resolveOptions(fn, THUMBNAIL_DEFAULTS, options);
  checkInteger(fn, 'size', o.size, 1, 4096);
  checkNumber(fn, 'margin', o.margin, 0, 10);
  checkOneOf(fn, 'format', o.format, ['jpeg', 'png'] as const);
  checkInteger(fn, 'quality', o.quality, 1, 100);
  if (box !== undefined) {
    const ok = box && [box.x, box.y, box.width, box.height].every(Number.isFinite) && box.width > 0 && box.height > 0;
    if (!ok) throw new FaceclusterError(fn, `box must have finite x, y and positive width, height, got ${JSON.stringify(box)}.`, 'box');
  }
  const src = resolveInput(fn, input);
  try {
    // Upright first (EXIF orientation; HEIC, AVIF, PNM and BMP decoded by decodeImage), so the box is in upright pixels.
    const upright = await openUpright(src);
    const region = thumbnailRegion(box, upright.width, upright.height, o.margin);
    const { data, info } = await upright.image.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    let img = sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
      .extract(region)
      .resize(o.size, o.size, { fit: 'cover' })
      .flatten({ background: '#ffffff' })
      .toColourspace('srgb');
    img = o.format === 'jpeg' ? img.jpeg({ quality: o.quality }) : img.png();
    return await img.toBuffer();
  } catch (e) {
    const what = typeof src === 'string' ? JSON.stringify(src) : `${src.length} bytes`;
    throw new FaceclusterError(fn, `cannot make a thumbnail of ${what}: ${(e as Error).message}`, 'input', { cause: e });
  }
}

/** The thumbnail as a `data:image/jpeg;base64,...` (or png) URI, ready for an <img> or a Vega tooltip. */
export async function thumbnail(input: ImageInput, box?: Box, options?: Partial<ThumbnailOptions>): Promise<string> {
  const format = options?.format ?? THUMBNAIL_DEFAULTS.format;
  const bytes = await thumbnailBuffer(input, box, options);
  return `data:image/${format};base64,${bytes.toString('base64')}`;
}
