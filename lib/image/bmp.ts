/**
 * Windows bitmaps (BMP; Microsoft, "Bitmap Storage", Windows GDI documentation: BITMAPFILEHEADER followed by a
 * BITMAPCOREHEADER, BITMAPINFOHEADER, BITMAPV4HEADER or BITMAPV5HEADER). sharp's prebuilt libvips does not read them.
 *
 * Reads 1-, 4- and 8-bit palette images (uncompressed, RLE4, RLE8), 16-bit (5-5-5 or bit fields), 24-bit and 32-bit
 * (plain or bit fields, with alpha when a mask or the V4/V5 header gives one), bottom-up (positive height, the usual)
 * and top-down (negative height). Not read: embedded JPEG/PNG (compression 4/5) and OS/2 variants beyond the core header.
 */
import type { RawPixels } from './raw.ts';

/** Thrown for a file that is not a readable BMP; `decodeImage` turns it into the user's reason. */
export class BmpError extends Error {}

const BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6;

/**
 * Decodes a BMP file. `maxPixels` is checked from the header, before anything is allocated.
 * @throws BmpError saying what is wrong
 */
export function decodeBmp(bytes: Uint8Array, maxPixels = Infinity): RawPixels {
  if (bytes.length < 26 || bytes[0] !== 0x42 || bytes[1] !== 0x4d) throw new BmpError(bytes.length < 26 ? 'truncated header' : 'not a BMP file (no "BM" magic)');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = v.getUint32(10, true);
  const dib = v.getUint32(14, true);
  if (bytes.length < 14 + Math.min(dib, 40)) throw new BmpError('truncated header');
  let width: number, height: number, bpp: number, compression = BI_RGB, colours = 0;
  let masks: number[] | undefined;
  const core = dib === 12;
  if (core) {
    width = v.getUint16(18, true);
    height = v.getInt16(20, true);
    bpp = v.getUint16(24, true);
  } else if (dib >= 40) {
    width = v.getInt32(18, true);
    height = v.getInt32(22, true);
    bpp = v.getUint16(28, true);
    compression = v.getUint32(30, true);
    colours = v.getUint32(46, true);
    if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
      // masks follow the 40-byte header (or are part of a V2+ header): R, G, B, and A for ALPHABITFIELDS or V3+
      const withAlpha = compression === BI_ALPHABITFIELDS || dib >= 56;
      const count = withAlpha ? 4 : 3;
      if (bytes.length < 54 + count * 4) throw new BmpError('truncated header (bit fields)');
      masks = Array.from({ length: count }, (_, i) => v.getUint32(54 + i * 4, true));
    } else if (dib >= 56 && bpp === 32) {
      masks = [0x00ff0000, 0x0000ff00, 0x000000ff, v.getUint32(66, true)]; // V3+ header: the alpha mask is meaningful
    }
  } else {
    throw new BmpError(`unsupported header size ${dib}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width < 1 || height < 1) throw new BmpError(`bad header: size ${width}x${height}`);
  if (width * height > maxPixels) throw new BmpError(`too large: ${width}x${height}`);
  if (compression === 4 || compression === 5) throw new BmpError(`embedded ${compression === 4 ? 'JPEG' : 'PNG'} data is not supported`);
  if (![BI_RGB, BI_RLE8, BI_RLE4, BI_BITFIELDS, BI_ALPHABITFIELDS].includes(compression)) throw new BmpError(`unsupported compression ${compression}`);
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw new BmpError(`unsupported bit depth ${bpp}`);
  if (dataOffset >= bytes.length) throw new BmpError('truncated: no pixel data');

  const conversions: string[] = [];
  // Palette: after the header (and its bit-field masks for a 40-byte header), 4 bytes an entry (3 for the core header)
  let palette: Uint8Array | undefined;
  if (bpp <= 8) {
    const entry = core ? 3 : 4;
    const start = 14 + dib + (dib === 40 && masks ? masks.length * 4 : 0);
    const count = Math.min(colours || 1 << bpp, 1 << bpp, Math.floor((dataOffset - start) / entry));
    if (count < 1) throw new BmpError('no palette');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < count; i++) {
      palette[i * 3] = bytes[start + i * entry + 2];
      palette[i * 3 + 1] = bytes[start + i * entry + 1];
      palette[i * 3 + 2] = bytes[start + i * entry];
    }
    conversions.push('palette->rgb');
  }

  const hasAlpha = !!masks && masks.length === 4 && masks[3] !== 0;
  const channels = hasAlpha ? 4 : 3;
  const out = new Uint8Array(width * height * channels);
  if (channels === 4) out.fill(255);
  const rowOf = (r: number) => (topDown ? r : height - 1 - r); // r-th stored row -> image row
  const put = (x: number, y: number, r: number, g: number, b: number) => {
    const i = (y * width + x) * channels;
    out[i] = r;
    out[i + 1] = g;
    out[i + 2] = b;
  };

  if (compression === BI_RLE8 || compression === BI_RLE4) {
    if (!palette) throw new BmpError(`RLE${compression === BI_RLE8 ? 8 : 4} needs a palette image`);
    decodeRle(bytes, dataOffset, width, height, compression === BI_RLE8 ? 8 : 4, (x, r, index) => {
      put(x, rowOf(r), palette![index * 3], palette![index * 3 + 1], palette![index * 3 + 2]);
    });
    return { data: out, width, height, channels, conversions };
  }

  const stride = Math.floor((width * bpp + 31) / 32) * 4;
  const need = stride * (height - 1) + Math.ceil((width * bpp) / 8);
  if (bytes.length - dataOffset < need) throw new BmpError(`truncated: ${bytes.length - dataOffset} of ${stride * height} data bytes`);
  const fields = masks ? masks.map(maskField) : bpp === 16 ? [0x7c00, 0x03e0, 0x001f].map(maskField) : undefined;
  let alphaSeen = false;
  for (let r = 0; r < height; r++) {
    const row = dataOffset + r * stride;
    const y = rowOf(r);
    for (let x = 0; x < width; x++) {
      if (palette) {
        const bitPos = x * bpp;
        const byte = bytes[row + (bitPos >> 3)];
        const index = bpp === 8 ? byte : (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        put(x, y, palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2]);
      } else if (bpp === 24) {
        const p = row + x * 3;
        put(x, y, bytes[p + 2], bytes[p + 1], bytes[p]);
      } else {
        const p = row + x * (bpp / 8);
        const word = bpp === 16 ? v.getUint16(p, true) : v.getUint32(p, true);
        if (!fields) {
          put(x, y, bytes[p + 2], bytes[p + 1], bytes[p]); // 32-bit BI_RGB: B G R, the 4th byte unused
        } else {
          put(x, y, fields[0](word), fields[1](word), fields[2](word));
          if (channels === 4) {
            const a = fields[3](word);
            out[(y * width + x) * 4 + 3] = a;
            if (a !== 0) alphaSeen = true;
          }
        }
      }
    }
  }
  if (channels === 4 && !alphaSeen) {
    // An alpha mask but every pixel 0: writers that leave the byte unused; the image is opaque (as browsers show it)
    for (let i = 3; i < out.length; i += 4) out[i] = 255;
  }
  return { data: out, width, height, channels, conversions };
}

/** A function extracting the 8-bit value of the field under `mask` (e.g. 0x7c00 -> 5 bits, scaled to 0..255). */
function maskField(mask: number): (word: number) => number {
  if (mask === 0) return () => 0;
  let shift = 0;
  while (((mask >>> shift) & 1) === 0) shift++;
  const max = mask >>> shift;
  return (word) => Math.round((((word & mask) >>> shift) * 255) / max);
}

/** Run-length encoded rows (RLE8 / RLE4): calls `set(x, storedRow, paletteIndex)` for each pixel written. */
function decodeRle(bytes: Uint8Array, start: number, width: number, height: number, bits: 8 | 4, set: (x: number, row: number, index: number) => void): void {
  let p = start;
  let x = 0;
  let r = 0;
  const emit = (index: number) => {
    if (x < width && r < height) set(x, r, index);
    x++;
  };
  while (p + 1 < bytes.length && r < height) {
    const count = bytes[p];
    const value = bytes[p + 1];
    p += 2;
    if (count > 0) {
      for (let i = 0; i < count; i++) emit(bits === 8 ? value : i % 2 === 0 ? value >> 4 : value & 0x0f);
    } else if (value === 0) {
      x = 0; // end of line
      r++;
    } else if (value === 1) {
      return; // end of bitmap
    } else if (value === 2) {
      if (p + 1 >= bytes.length) throw new BmpError('truncated RLE data');
      x += bytes[p];
      r += bytes[p + 1];
      p += 2;
    } else {
      // absolute run of `value` pixels, padded to a 16-bit boundary
      const n = value;
      const len = bits === 8 ? n : Math.ceil(n / 2);
      if (p + len > bytes.length) throw new BmpError('truncated RLE data');
      for (let i = 0; i < n; i++) emit(bits === 8 ? bytes[p + i] : i % 2 === 0 ? bytes[p + (i >> 1)] >> 4 : bytes[p + (i >> 1)] & 0x0f);
      p += len + (len & 1);
    }
  }
  if (r < height - 1) throw new BmpError(`truncated RLE data (${r} of ${height} rows)`);
}
