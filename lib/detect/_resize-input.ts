/**
 * An {@link RgbImage} resized into a network's planar float input (`[3, height, width]`, channel-major),
 * normalised as `(v - mean) / std`. Shared by the ONNX detectors.
 *
 * Resampling is separable linear interpolation whose kernel widens with the shrink factor (a triangle
 * filter of radius `max(1, scale)` source pixels, as Pillow's BILINEAR), so a 2048 px photo shrunk to
 * 320 px averages every source pixel instead of aliasing, and enlarging is plain bilinear.
 */
import type { RgbImage } from '../types.ts';

interface Taps {
  /** First source index of each output index. */
  start: Int32Array;
  /** Number of taps of each output index. */
  count: Int32Array;
  /** `maxCount` weights per output index (unused ones 0), normalised to sum 1. */
  weight: Float32Array;
  maxCount: number;
}

const cache = new Map<string, Taps>();

function axisTaps(src: number, dst: number): Taps {
  const key = `${src}/${dst}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const scale = src / dst;
  const radius = Math.max(1, scale);
  const maxCount = Math.ceil(radius) * 2 + 1;
  const start = new Int32Array(dst);
  const count = new Int32Array(dst);
  const weight = new Float32Array(dst * maxCount);
  for (let i = 0; i < dst; i++) {
    const centre = (i + 0.5) * scale - 0.5;
    const lo = Math.max(0, Math.ceil(centre - radius));
    const hi = Math.min(src - 1, Math.floor(centre + radius));
    let sum = 0;
    const n = Math.min(maxCount, hi - lo + 1);
    for (let k = 0; k < n; k++) {
      const w = Math.max(0, 1 - Math.abs(lo + k - centre) / radius);
      weight[i * maxCount + k] = w;
      sum += w;
    }
    if (sum === 0) {
      // the centre lies outside the source (tiny sources): take the nearest pixel
      weight[i * maxCount] = 1;
      sum = 1;
    }
    for (let k = 0; k < n; k++) weight[i * maxCount + k] /= sum;
    start[i] = lo;
    count[i] = Math.max(1, n);
  }
  const taps = { start, count, weight, maxCount };
  if (cache.size > 64) cache.clear();
  cache.set(key, taps);
  return taps;
}

/**
 * Resizes `image` to `width` x `height` (aspect ratio not kept) into `out` (length `3 * width * height`,
 * channel-major RGB), each value `(v - mean) / std`. Returns `out`.
 */
export function resizeToPlanar(image: RgbImage, width: number, height: number, mean: number, std: number, out = new Float32Array(3 * width * height)): Float32Array {
  const tx = axisTaps(image.width, width);
  const ty = axisTaps(image.height, height);
  // horizontal pass: source rows -> [srcHeight][width][3]
  const rows = new Float32Array(image.height * width * 3);
  const src = image.data;
  for (let y = 0; y < image.height; y++) {
    const rowIn = y * image.width * 3;
    const rowOut = y * width * 3;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      const s = tx.start[x];
      const wo = x * tx.maxCount;
      for (let k = 0; k < tx.count[x]; k++) {
        const w = tx.weight[wo + k];
        const p = rowIn + (s + k) * 3;
        r += w * src[p];
        g += w * src[p + 1];
        b += w * src[p + 2];
      }
      const o = rowOut + x * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  // vertical pass, normalise, planar
  const plane = width * height;
  const inv = 1 / std;
  for (let y = 0; y < height; y++) {
    const s = ty.start[y];
    const wo = y * ty.maxCount;
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let k = 0; k < ty.count[y]; k++) {
        const w = ty.weight[wo + k];
        const p = ((s + k) * width + x) * 3;
        r += w * rows[p];
        g += w * rows[p + 1];
        b += w * rows[p + 2];
      }
      const o = y * width + x;
      out[o] = (r - mean) * inv;
      out[plane + o] = (g - mean) * inv;
      out[2 * plane + o] = (b - mean) * inv;
    }
  }
  return out;
}
