/**
 * Sharpness of an aligned face chip: the variance of its Laplacian (Pech-Pacheco, Cristóbal, Chamorro-Martínez,
 * Fernández-Valdivia, "Diatom autofocusing in brightfield microscopy: a comparative study", ICPR 2000), on the grey
 * levels of the chip's central part (the face itself; the chip's border holds background, and black where the photo
 * ended). A blurred or upscaled face (a tiny face warped up to the chip's size) has little high-frequency energy, so
 * a low variance.
 *
 * Complexity: O(size²).
 */
import { invalidParameter } from '../errors.ts';
import type { RgbImage } from '../types.ts';

/** Share of the chip's side kept on each side of its centre (0.35: the central 70%). */
const HALF_WINDOW = 0.35;

/**
 * Variance of the 4-neighbour Laplacian of the chip's grey levels (0..255) over its central 70% x 70%. Higher is
 * sharper; 0 for a flat chip.
 */
export function chipSharpness(chip: RgbImage): number {
  const fn = 'chipSharpness';
  const { width: w, height: h, data } = chip ?? ({} as RgbImage);
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 8 || h < 8 || !(data instanceof Uint8Array) || data.length !== w * h * 3) {
    throw invalidParameter(fn, 'chip', 'an RGB image of at least 8 x 8 pixels', chip);
  }
  const grey = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) grey[i] = 0.299 * data[i * 3] + 0.587 * data[i * 3 + 1] + 0.114 * data[i * 3 + 2];
  const x0 = Math.max(1, Math.round(w * (0.5 - HALF_WINDOW))), x1 = Math.min(w - 1, Math.round(w * (0.5 + HALF_WINDOW)));
  const y0 = Math.max(1, Math.round(h * (0.5 - HALF_WINDOW))), y1 = Math.min(h - 1, Math.round(h * (0.5 + HALF_WINDOW)));
  let s = 0, s2 = 0, n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const i = y * w + x;
      const l = grey[i - 1] + grey[i + 1] + grey[i - w] + grey[i + w] - 4 * grey[i];
      s += l;
      s2 += l * l;
      n++;
    }
  }
  const mean = s / n;
  return Math.max(0, s2 / n - mean * mean);
}
