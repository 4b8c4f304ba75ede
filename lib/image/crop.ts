/** Crop helpers on {@link RgbImage}s (pure JavaScript, no copies of the source beyond the crop). */
import type { Box, RgbImage } from '../types.ts';

/** Integer pixel rectangle of `box` clamped to the image (at least 1x1 when the box touches the image). */
export function clampBox(box: Box, width: number, height: number): Box {
  const x0 = Math.max(0, Math.min(width - 1, Math.floor(box.x)));
  const y0 = Math.max(0, Math.min(height - 1, Math.floor(box.y)));
  const x1 = Math.max(x0 + 1, Math.min(width, Math.ceil(box.x + box.width)));
  const y1 = Math.max(y0 + 1, Math.min(height, Math.ceil(box.y + box.height)));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Copies the pixels of `box` (clamped to the image, integer pixels) into a new image. */
export function cropImage(image: RgbImage, box: Box): RgbImage {
  const b = clampBox(box, image.width, image.height);
  const out = new Uint8Array(b.width * b.height * 3);
  for (let y = 0; y < b.height; y++) {
    const src = ((b.y + y) * image.width + b.x) * 3;
    out.set(image.data.subarray(src, src + b.width * 3), y * b.width * 3);
  }
  return { data: out, width: b.width, height: b.height };
}

/** Scales a box by `factor` (e.g. from a downscaled working image back to original pixels). */
export function scaleBox(box: Box, factor: number): Box {
  return { x: box.x * factor, y: box.y * factor, width: box.width * factor, height: box.height * factor };
}

/** Grows a box by `fraction` of its size on every side (0.25 adds a quarter of the width left and right). */
export function padBox(box: Box, fraction: number): Box {
  return { x: box.x - box.width * fraction, y: box.y - box.height * fraction, width: box.width * (1 + 2 * fraction), height: box.height * (1 + 2 * fraction) };
}

/** The image with a border of `pad` pixels on every side, filled with grey level `value`. */
export function padImage(image: RgbImage, pad: number, value = 0): RgbImage {
  const w = image.width + 2 * pad;
  const h = image.height + 2 * pad;
  const out = new Uint8Array(w * h * 3).fill(value);
  const row = image.width * 3;
  for (let y = 0; y < image.height; y++) out.set(image.data.subarray(y * row, (y + 1) * row), ((y + pad) * w + pad) * 3);
  return { data: out, width: w, height: h };
}
