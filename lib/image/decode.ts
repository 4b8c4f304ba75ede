/**
 * Decoding photos into upright 8-bit RGB ({@link RgbImage}) with sharp (libvips).
 *
 * Reads everything sharp reads (JPEG, PNG, WebP, TIFF, GIF (first frame), AVIF/HEIF where libheif
 * allows), applies the EXIF orientation, converts grayscale, CMYK, 16-bit and palette images to 8-bit
 * sRGB and composites transparent images over white. Very large photos are downscaled so that their
 * longer side is at most `maxSide` (detection and alignment do not need more); `scale` says by how much,
 * so callers can report boxes in original pixels. Decompression bombs are refused before decoding.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import type { RgbImage } from '../types.ts';

export interface DecodeOptions {
  /**
   * Largest accepted image, in pixels (width x height of the original). Larger files are refused as
   * probable decompression bombs: a 50000x50000 PNG of a few KB would need 7.5 GB as RGB.
   * @default 100_000_000 (100 MP: above any consumer camera's full-size photo, ~300 MB as RGB)
   */
  maxPixels: number;
  /**
   * Longer side of the decoded working image; larger photos are downscaled (Lanczos) to it.
   * @default 2048 (SSD MobileNet sees 512 px anyway; 2048 keeps a 40 px face at >= 10 px for detection
   *   and leaves aligned 150 px chips sharp for faces down to ~1/15 of the photo)
   */
  maxSide: number;
}

export const DECODE_DEFAULTS: Readonly<DecodeOptions> = Object.freeze({ maxPixels: 100_000_000, maxSide: 2048 });

export interface DecodedImage {
  /** The upright, possibly downscaled, 8-bit RGB image. */
  image: RgbImage;
  /** Width of the upright original (after EXIF orientation), in pixels. */
  originalWidth: number;
  /** Height of the upright original, in pixels. */
  originalHeight: number;
  /** `image` pixels per original pixel (1 when not downscaled, < 1 otherwise). */
  scale: number;
  /** sharp's name of the file format, e.g. `jpeg`, `png`. */
  format: string;
  /** What decoding changed, e.g. `cmyk->srgb`, `16-bit->8-bit`, `alpha flattened`, `exif orientation 6`. */
  conversions: string[];
}

/**
 * Why a file could not be decoded: `reason` is a short, user-facing sentence.
 * Thrown by {@link decodeImage}; the pipeline records it per photo and goes on.
 */
export class ImageDecodeError extends FaceclusterError {
  readonly reason: string;
  constructor(reason: string, options?: { cause?: unknown }) {
    super('decodeImage', reason, undefined, options);
    this.name = 'ImageDecodeError';
    this.reason = reason;
  }
}

/** Decodes a file path or an in-memory buffer. Throws {@link ImageDecodeError} saying why when it cannot. */
export async function decodeImage(input: string | Buffer | Uint8Array, options?: Partial<DecodeOptions>): Promise<DecodedImage> {
  const fn = 'decodeImage';
  const o = resolveOptions(fn, DECODE_DEFAULTS, options);
  checkInteger(fn, 'maxPixels', o.maxPixels, 1);
  checkInteger(fn, 'maxSide', o.maxSide, 16);

  let buffer: Buffer;
  if (typeof input === 'string') {
    const st = await stat(input).catch((e: NodeJS.ErrnoException) => {
      throw new ImageDecodeError(`cannot read the file (${e.code ?? e.message})`, { cause: e });
    });
    if (!st.isFile()) throw new ImageDecodeError('not a regular file');
    if (st.size === 0) throw new ImageDecodeError('empty file (0 bytes)');
    buffer = await readFile(input);
  } else {
    buffer = Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
    if (buffer.length === 0) throw new ImageDecodeError('empty file (0 bytes)');
  }

  let meta: sharp.Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageDecodeError(describeSharpError(e), { cause: e });
  }
  if (!meta.width || !meta.height || !meta.format) throw new ImageDecodeError('not an image (no dimensions in the header)');
  const pixels = meta.width * meta.height;
  if (pixels > o.maxPixels) {
    throw new ImageDecodeError(
      `image too large: ${meta.width}x${meta.height} (${(pixels / 1e6).toFixed(0)} MP) is above the ${(o.maxPixels / 1e6).toFixed(0)} MP limit (decompression-bomb guard; raise maxPixels to accept it)`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5 && orientation <= 8;
  const originalWidth = swap ? meta.height : meta.width;
  const originalHeight = swap ? meta.width : meta.height;
  const conversions: string[] = [];
  if (orientation !== 1) conversions.push(`exif orientation ${orientation}`);
  if (meta.space && meta.space !== 'srgb' && meta.space !== 'rgb') conversions.push(`${meta.space}->srgb`);
  if (meta.depth && meta.depth !== 'uchar' && meta.depth !== 'char') conversions.push(`${meta.depth}->8-bit`);
  if (meta.hasAlpha) conversions.push('alpha flattened over white');
  if ((meta.pages ?? 1) > 1) conversions.push(`first of ${meta.pages} frames`);

  const longer = Math.max(originalWidth, originalHeight);
  const scale = longer > o.maxSide ? o.maxSide / longer : 1;
  try {
    // failOn 'warning': libjpeg "recovers" from corrupt data with grey or garbled pixels and only warns;
    // such photos are reported as corrupt instead (no warnings on 1,624 LFW JPEGs checked).
    let pipeline = sharp(buffer, { limitInputPixels: o.maxPixels, failOn: 'warning', pages: 1 })
      .rotate() // applies EXIF orientation and drops the tag
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb');
    if (scale < 1) {
      pipeline = pipeline.resize({ width: Math.max(1, Math.round(originalWidth * scale)), height: Math.max(1, Math.round(originalHeight * scale)), fit: 'fill', kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const image = toRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels);
    const actualScale = scale < 1 ? info.width / originalWidth : 1;
    return { image, originalWidth, originalHeight, scale: actualScale, format: meta.format, conversions };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(describeSharpError(e), { cause: e });
  }
}

/** Packs 1..4-channel 8-bit pixels into 3-channel RGB. */
function toRgb(data: Uint8Array, width: number, height: number, channels: number): RgbImage {
  const n = width * height;
  if (channels === 3) return { data: new Uint8Array(data), width, height };
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    if (channels <= 2) {
      const g = data[i * channels];
      out[i * 3] = g;
      out[i * 3 + 1] = g;
      out[i * 3 + 2] = g;
    } else {
      out[i * 3] = data[i * channels];
      out[i * 3 + 1] = data[i * channels + 1];
      out[i * 3 + 2] = data[i * channels + 2];
    }
  }
  return { data: out, width, height };
}

/** sharp's messages, reworded for users. */
function describeSharpError(e: unknown): string {
  const m = ((e as Error)?.message ?? String(e)).split('\n')[0].trim();
  if (/unsupported image format/i.test(m)) return 'not an image (unsupported or unrecognised format)';
  if (/corrupt header|bogus|corrupt/i.test(m)) return `corrupt image: ${m}`;
  if (/pixel limit/i.test(m)) return `image too large (decompression-bomb guard): ${m}`;
  if (/premature end|truncated|unexpected end|end of (input|file|stream)|not enough data/i.test(m)) return `truncated image: ${m}`;
  return `corrupt image: ${m}`;
}
