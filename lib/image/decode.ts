/**
 * Decoding photos into upright 8-bit RGB ({@link RgbImage}), whatever their format, chosen by content (magic bytes,
 * lib/image/magic.ts), never by the file name:
 *
 * | content | decoder |
 * |---|---|
 * | JPEG, PNG, WebP, TIFF, GIF (first frame) | sharp (libvips) |
 * | AVIF | sharp; when it fails (10/12-bit AV1: its AV1 decoder is 8-bit only) libavif (`avif.ts`) |
 * | HEIC (HEVC in HEIF) | libheif-js (`heif.ts`): sharp's prebuilt libvips has no HEVC decoder |
 * | PGM, PPM, PBM, PAM | `pnm.ts` |
 * | BMP | `bmp.ts` |
 * | anything else | sharp, which names what it cannot read |
 *
 * Applies the EXIF orientation (for HEIF: `irot`/`imir`, else EXIF; see heif-boxes.ts), converts grayscale, CMYK,
 * 16-bit and palette images to 8-bit sRGB and composites transparent images over white. Very large photos are
 * downscaled so that their longer side is at most `maxSide` (detection and alignment do not need more); `scale` says
 * by how much, so callers can report boxes in original pixels. Decompression bombs are refused before decoding.
 * A file is called corrupt only when no decoder reads it; a decoder that cannot be loaded is named as the reason.
 */
import { readFile, stat } from 'node:fs/promises';
import sharp from 'sharp';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import type { RgbImage } from '../types.ts';
import { AvifError, AvifLoadError, decodeAvif } from './avif.ts';
import { BmpError, decodeBmp } from './bmp.ts';
import { decodeHeif, HeifError, HeifLoadError } from './heif.ts';
import { HeifBoxError, readHeifInfo, transformsToOrientation, type HeifInfo } from './heif-boxes.ts';
import { MAGIC_BYTES, sniffImageFormat, type ImageFormat } from './magic.ts';
import { decodePnm, PnmError } from './pnm.ts';
import { orientPixels, type Orientation, type RawPixels } from './raw.ts';

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

/** The size of the working image {@link decodeImage} makes of an upright `width` x `height` photo with `maxSide`. */
export function workingSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const longer = Math.max(width, height);
  if (longer <= maxSide) return { width, height };
  const scale = maxSide / longer;
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

export interface DecodedImage {
  /** The upright, possibly downscaled, 8-bit RGB image. */
  image: RgbImage;
  /** Width of the upright original (after EXIF orientation), in pixels. */
  originalWidth: number;
  /** Height of the upright original, in pixels. */
  originalHeight: number;
  /** `image` pixels per original pixel (1 when not downscaled, < 1 otherwise). */
  scale: number;
  /**
   * The file's format, from its content: sharp's name (`jpeg`, `png`, `webp`, `tiff`, `gif`, ...) or `heic`, `avif`,
   * `heif`, `pnm`, `bmp`.
   */
  format: string;
  /** What decoded it: `sharp`, `libheif-js`, `@jsquash/avif` (libavif), `pnm`, `bmp`. */
  decoder: string;
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

  const format = sniffImageFormat(buffer.subarray(0, MAGIC_BYTES));
  if (format === 'pnm' || format === 'bmp') {
    let raw: RawPixels;
    try {
      raw = format === 'pnm' ? decodePnm(buffer, o.maxPixels) : decodeBmp(buffer, o.maxPixels);
    } catch (e) {
      throw new ImageDecodeError(describeOwnError(format === 'pnm' ? 'PNM' : 'BMP', e, o.maxPixels), { cause: e });
    }
    return finishRaw(raw, 1, '', format, format, o);
  }
  if (format === 'heic' || format === 'avif' || format === 'heif') return decodeHeifFamily(buffer, format, o);
  return decodeWithSharp(buffer, o);
}

/** Formats that sharp decodes and turns upright by itself (EXIF orientation) in any pipeline. */
const SHARP_NATIVE: ReadonlySet<ImageFormat | undefined> = new Set(['jpeg', 'png', 'gif', 'webp', 'tiff', undefined]);

/**
 * The photo at full size and upright, as a sharp pipeline to crop, resize or encode (thumbnails, face crops): sharp
 * reads JPEG, PNG, WebP, TIFF and GIF itself (with `.rotate()`); HEIC, AVIF, PNM and BMP go through
 * {@link decodeImage} (8-bit RGB, not downscaled). `width` and `height` are the upright size.
 * @throws ImageDecodeError (for the formats decodeImage reads) or sharp's error
 */
export async function openUpright(input: string | Buffer | Uint8Array, options?: { maxPixels?: number }): Promise<{ image: sharp.Sharp; width: number; height: number }> {
  const buffer = typeof input === 'string' ? await readFile(input) : Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const maxPixels = options?.maxPixels ?? DECODE_DEFAULTS.maxPixels;
  if (SHARP_NATIVE.has(sniffImageFormat(buffer.subarray(0, MAGIC_BYTES)))) {
    const meta = await sharp(buffer, { limitInputPixels: maxPixels }).metadata();
    const turned = (meta.orientation ?? 1) >= 5; // orientations 5-8 turn by 90 degrees: the upright size is swapped
    return { image: sharp(buffer, { failOn: 'error', limitInputPixels: maxPixels }).rotate(), width: (turned ? meta.height : meta.width) ?? 0, height: (turned ? meta.width : meta.height) ?? 0 };
  }
  const d = await decodeImage(buffer, { maxPixels, maxSide: 1 << 24 });
  const { data, width, height } = d.image;
  return { image: sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 3 }, limitInputPixels: false }), width, height };
}

/** JPEG, PNG, WebP, TIFF, GIF and whatever else sharp reads. */
async function decodeWithSharp(buffer: Buffer, o: DecodeOptions): Promise<DecodedImage> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(buffer, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ImageDecodeError(describeSharpError(e), { cause: e });
  }
  if (!meta.width || !meta.height || !meta.format) throw new ImageDecodeError('not an image (no dimensions in the header)');
  checkPixels(meta.width, meta.height, o.maxPixels);
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

  const working = workingSize(originalWidth, originalHeight, o.maxSide);
  const shrink = working.width !== originalWidth || working.height !== originalHeight;
  try {
    // failOn 'warning': libjpeg "recovers" from corrupt data with grey or garbled pixels and only warns;
    // such photos are reported as corrupt instead (no warnings on 1,624 LFW JPEGs checked).
    let pipeline = sharp(buffer, { limitInputPixels: o.maxPixels, failOn: 'warning', pages: 1 })
      .rotate() // applies EXIF orientation and drops the tag
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .toColourspace('srgb');
    if (shrink) {
      pipeline = pipeline.resize({ width: working.width, height: working.height, fit: 'fill', kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const image = toRgb(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), info.width, info.height, info.channels);
    const actualScale = shrink ? info.width / originalWidth : 1;
    return { image, originalWidth, originalHeight, scale: actualScale, format: meta.format, decoder: 'sharp', conversions };
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(describeSharpError(e), { cause: e });
  }
}

/**
 * HEIF family (HEIC, AVIF): sharp for AV1 (fast, native, 8-bit), then the codec's WebAssembly decoder: libheif-js for
 * HEVC, libavif for AV1 sharp could not read. The box structure gives size, codec, transforms and EXIF orientation.
 */
async function decodeHeifFamily(buffer: Buffer, format: ImageFormat, o: DecodeOptions): Promise<DecodedImage> {
  let info: HeifInfo | undefined;
  let truncated: string | undefined;
  const tried: string[] = [];
  try {
    info = readHeifInfo(buffer);
    truncated = info.truncated;
  } catch (e) {
    if (!(e instanceof HeifBoxError)) throw e;
    truncated = e.truncated;
    if (!truncated) tried.push(`boxes: ${e.message}`);
  }
  if (info?.width && info.height) checkPixels(info.width, info.height, o.maxPixels);
  const codec = info?.codec ?? (format === 'heic' ? 'hevc' : format === 'avif' ? 'av1' : undefined);
  let raw: RawPixels | undefined;
  let decoder = '';
  let transformsApplied = true; // libheif (in sharp and in libheif-js) applies irot/imir; libavif does not
  if (codec !== 'hevc') {
    try {
      const { data, info: r } = await sharp(buffer, { limitInputPixels: o.maxPixels, failOn: 'warning' }).toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
      raw = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: r.width, height: r.height, channels: r.channels as RawPixels['channels'], conversions: [] };
      decoder = 'sharp';
    } catch (e) {
      tried.push(`sharp: ${firstLine(e)}`);
    }
  }
  if (!raw && codec === 'hevc') {
    try {
      raw = await decodeHeif(buffer, o.maxPixels);
      decoder = 'libheif-js';
    } catch (e) {
      if (e instanceof HeifLoadError) throw new ImageDecodeError(`HEIC decoder unavailable: ${e.message}`, { cause: e });
      if (!(e instanceof HeifError)) throw e;
      tried.push(e.message);
    }
  }
  if (!raw && codec === 'av1') {
    try {
      raw = await decodeAvif(buffer);
      decoder = '@jsquash/avif';
      transformsApplied = false;
    } catch (e) {
      if (e instanceof AvifLoadError) throw new ImageDecodeError(`AVIF decoder unavailable: ${e.message}`, { cause: e });
      if (!(e instanceof AvifError)) throw e;
      tried.push(e.message);
    }
  }
  if (!raw) {
    const what = codec === 'hevc' ? 'HEIC' : codec === 'av1' ? 'AVIF' : `HEIF (${info?.primaryType ? `image type ${JSON.stringify(info.primaryType)}, ` : ''}neither HEVC nor AV1)`;
    if (truncated) throw new ImageDecodeError(`truncated ${what} image: ${truncated}; ${tried.join('; ')}`);
    throw new ImageDecodeError(`corrupt or unsupported ${what} image: ${tried.join('; ') || 'no decoder for it'}`);
  }
  if (raw.width * raw.height > o.maxPixels) checkPixels(raw.width, raw.height, o.maxPixels);
  const conversions: string[] = [];
  if (info?.bitDepth && info.bitDepth > 8) conversions.push(`${info.bitDepth}-bit->8-bit`);
  let orientation: Orientation = 1;
  let how = '';
  if (!transformsApplied && info && info.transforms.length > 0) {
    orientation = transformsToOrientation(info.transforms);
    how = `heif irot/imir (as exif orientation ${orientation})`;
  } else if (info?.exifOrientation && info.exifOrientation !== 1 && info.transforms.length === 0) {
    orientation = info.exifOrientation;
    how = `exif orientation ${orientation}`;
  }
  raw.conversions.unshift(...conversions);
  return finishRaw(raw, orientation, how, format, decoder, o);
}

/**
 * Flattens, downscales and turns pixels from a decoder other than sharp's own pipeline. Downscaling comes first (in
 * the stored orientation, to the upright target size turned back), so the turn copies at most maxSide² pixels.
 */
async function finishRaw(raw: RawPixels, orientation: Orientation, how: string, format: string, decoder: string, o: DecodeOptions): Promise<DecodedImage> {
  const conversions = [...raw.conversions];
  if (orientation !== 1) conversions.push(how || `exif orientation ${orientation}`);
  const alpha = raw.channels === 2 || raw.channels === 4;
  if (alpha) conversions.push('alpha flattened over white');
  const turned = orientation >= 5;
  const width = turned ? raw.height : raw.width; // upright size
  const height = turned ? raw.width : raw.height;
  // the stored orientation's working size (the longer side is the same either way up)
  const working = workingSize(raw.width, raw.height, o.maxSide);
  const shrink = working.width !== raw.width || working.height !== raw.height;
  let stored = raw;
  if (alpha || shrink) {
    let pipeline = sharp(Buffer.from(raw.data.buffer, raw.data.byteOffset, raw.data.byteLength), { raw: { width: raw.width, height: raw.height, channels: raw.channels }, limitInputPixels: false });
    if (alpha) pipeline = pipeline.flatten({ background: { r: 255, g: 255, b: 255 } });
    if (shrink) {
      pipeline = pipeline.resize({ width: working.width, height: working.height, fit: 'fill', kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    stored = { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels as RawPixels['channels'], conversions };
  }
  const upright = orientPixels(stored, orientation);
  const image = toRgb(upright.data, upright.width, upright.height, upright.channels);
  return { image, originalWidth: width, originalHeight: height, scale: shrink ? upright.width / width : 1, format, decoder, conversions };
}

/** Refuses images above `maxPixels` (decompression-bomb guard), from their header's size. */
function checkPixels(width: number, height: number, maxPixels: number): void {
  const pixels = width * height;
  if (pixels > maxPixels) {
    throw new ImageDecodeError(
      `image too large: ${width}x${height} (${(pixels / 1e6).toFixed(0)} MP) is above the ${(maxPixels / 1e6).toFixed(0)} MP limit (decompression-bomb guard; raise maxPixels to accept it)`,
    );
  }
}

/** A PNM/BMP decoder's error, as a user-facing reason. */
function describeOwnError(kind: string, e: unknown, maxPixels: number): string {
  if (!(e instanceof PnmError) && !(e instanceof BmpError)) return `corrupt ${kind} image: ${firstLine(e)}`;
  const m = e.message;
  if (m.startsWith('too large')) return `image too large: ${m.slice('too large: '.length)} is above the ${(maxPixels / 1e6).toFixed(0)} MP limit (decompression-bomb guard; raise maxPixels to accept it)`;
  if (m.startsWith('truncated')) return `truncated ${kind} image: ${m}`;
  if (m.startsWith('unsupported') || m.includes('not supported')) return `unsupported ${kind} image: ${m}`;
  return `corrupt ${kind} image: ${m}`;
}

function firstLine(e: unknown): string {
  return ((e as Error)?.message ?? String(e)).split('\n')[0].trim();
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
