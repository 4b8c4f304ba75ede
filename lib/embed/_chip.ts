/**
 * Shared pixel kernels of the embedders: chip (8-bit RGB, row-major) -> float input tensor, and L2
 * normalisation. Private to lib/embed.
 */
import { FaceclusterError } from '../errors.ts';
import type { RgbImage } from '../types.ts';

export interface ChipLayout {
  /** `nchw` (PyTorch / ONNX) or `nhwc` (TensorFlow). */
  layout: 'nchw' | 'nhwc';
  /** Channel order the model was trained on. */
  channels: 'rgb' | 'bgr';
  /** value = (pixel - mean) / std. */
  mean: number;
  std: number;
}

/**
 * Writes `chip` into `out` at `offset` (floats) with `spec`'s layout, channel order and normalisation;
 * with `mirror`, the chip's left-right mirror image (for flip test-time augmentation).
 */
export function chipToFloats(chip: RgbImage, spec: ChipLayout, out: Float32Array, offset = 0, mirror = false): void {
  const n = chip.width * chip.height;
  const { data } = chip;
  const inv = 1 / spec.std;
  const bgr = spec.channels === 'bgr';
  if (mirror) {
    const w = chip.width;
    for (let y = 0; y < chip.height; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const j = y * w + (w - 1 - x);
        for (let c = 0; c < 3; c++) {
          const v = (data[j * 3 + (bgr ? 2 - c : c)] - spec.mean) * inv;
          if (spec.layout === 'nchw') out[offset + c * n + i] = v;
          else out[offset + i * 3 + c] = v;
        }
      }
    }
    return;
  }
  if (spec.layout === 'nchw') {
    for (let c = 0; c < 3; c++) {
      const src = bgr ? 2 - c : c;
      const base = offset + c * n;
      for (let i = 0; i < n; i++) out[base + i] = (data[i * 3 + src] - spec.mean) * inv;
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) out[offset + i * 3 + c] = (data[i * 3 + (bgr ? 2 - c : c)] - spec.mean) * inv;
    }
  }
}

/** Checks that every chip is `size` x `size`. */
export function checkChips(fn: string, chips: readonly RgbImage[], size: number): void {
  for (const [i, chip] of chips.entries()) {
    if (chip.width !== size || chip.height !== size || chip.data.length !== size * size * 3) {
      throw new FaceclusterError(fn, `chips[${i}] must be ${size}x${size}, got ${chip.width}x${chip.height}.`, 'chips');
    }
  }
}

/** `(a / |a| + b / |b|)` scaled to unit length: the flip test-time augmentation of a chip's vector `a` and its mirror's `b`. */
export function sumNormalized(fn: string, a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const u = l2Normalize(fn, a);
  const v = l2Normalize(fn, b);
  for (let i = 0; i < u.length; i++) u[i] += v[i];
  return l2Normalize(fn, u);
}

/** `v / |v|` as a new Float32Array; throws on a zero or non-finite vector (a broken model output). */
export function l2Normalize(fn: string, v: ArrayLike<number>): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (!(norm > 0) || !Number.isFinite(norm)) throw new FaceclusterError(fn, `the model returned an embedding of norm ${norm}; the weights may be corrupt.`);
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** The Euclidean length of a model's raw output vector. */
export function rawNorm(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}
