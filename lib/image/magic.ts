/**
 * Recognising an image format by its first bytes ("magic numbers"), never by the file name: photo collections hold
 * GIF data named `.png` (the Yale face database), JPEGs without an extension, HEIC files renamed `.jpg`.
 *
 * `decodeImage` picks its decoder from this; the folder scan uses it for files whose extension says nothing.
 */

/**
 * An image format facecluster decodes. `heic`: HEIF with HEVC-coded images (iPhone photos); `avif`: HEIF with
 * AV1-coded images; `heif`: an HEIF container whose codec is not told by its brands (`mif1` only).
 */
export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'webp' | 'tiff' | 'heic' | 'avif' | 'heif' | 'pnm' | 'bmp';

/** Bytes {@link sniffImageFormat} needs to see (the HEIF `ftyp` box lists its brands within the first 64). */
export const MAGIC_BYTES = 64;

const HEVC_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs']);
const AV1_BRANDS = new Set(['avif', 'avis']);
const HEIF_BRANDS = new Set(['mif1', 'msf1', 'mif2', 'miaf']);

/** The format of an image from its first bytes (at least {@link MAGIC_BYTES} when the file has them), or undefined. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  const b = bytes;
  const n = b.length;
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, Math.min(to, n)));
  if (n >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (n >= 8 && b[0] === 0x89 && ascii(1, 4) === 'PNG' && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (n >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (n >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (n >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'tiff';
  if (n >= 12 && ascii(4, 8) === 'ftyp') return heifFamily(b);
  // PNM: P1..P6 then whitespace; P7 (PAM) then a newline
  if (n >= 3 && b[0] === 0x50 && b[1] >= 0x31 && b[1] <= 0x37 && (b[2] === 0x20 || b[2] === 0x0a || b[2] === 0x0d || b[2] === 0x09)) return 'pnm';
  // BMP: "BM", then a DIB header whose size is one of the known ones (12, 40, 52, 56, 64, 108, 124)
  if (n >= 18 && b[0] === 0x42 && b[1] === 0x4d) {
    const dib = b[14] | (b[15] << 8) | (b[16] << 16) | (b[17] << 24);
    if ([12, 16, 40, 52, 56, 64, 108, 124].includes(dib)) return 'bmp';
  }
  return undefined;
}

/** `heic`, `avif` or `heif` for an ISO-BMFF file whose `ftyp` box names an image brand; undefined for video (mp4, mov). */
function heifFamily(b: Uint8Array): ImageFormat | undefined {
  const size = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  const end = Math.min(b.length, size >= 16 ? size : 16);
  const brands: string[] = [String.fromCharCode(...b.subarray(8, 12))];
  for (let i = 16; i + 4 <= end; i += 4) brands.push(String.fromCharCode(...b.subarray(i, i + 4)));
  if (AV1_BRANDS.has(brands[0])) return 'avif'; // the major brand first
  if (HEVC_BRANDS.has(brands[0])) return 'heic';
  if (brands.some((x) => AV1_BRANDS.has(x))) return 'avif';
  if (brands.some((x) => HEVC_BRANDS.has(x))) return 'heic';
  if (brands.some((x) => HEIF_BRANDS.has(x))) return 'heif';
  return undefined;
}
