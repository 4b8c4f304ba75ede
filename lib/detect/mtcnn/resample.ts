/**
 * Image resampling for MTCNN, written to mirror OpenCV's `cv2.resize(..., interpolation=cv2.INTER_AREA)`,
 * which facenet's `imresample` uses for the image pyramid and for the R-Net / O-Net crops:
 * - shrinking on both axes: the exact area average (each output pixel is the mean of the source area it
 *   covers, partial pixels weighted by their covered fraction: OpenCV's `computeResizeAreaTab`);
 * - otherwise: OpenCV's INTER_AREA "enlarge" rule, a linear interpolation whose fraction is
 *   `fx = (dx + 1) - floor(dx * s) / s` (kept when in (0, 1), else 0), clamped at the borders.
 *
 * The output goes straight into a network input: normalised to (v - 127.5) * 0.0078125, and transposed
 * (x-major: element [x, y, c] at `(x * outHeight + y) * 3 + c`), as facenet feeds the Caffe-trained nets.
 */
import type { RgbImage } from '../../types.ts';

/** Taps of one output index along one axis: source indices and weights. */
interface AxisTaps {
  index: number[][];
  weight: number[][];
}

/** MTCNN's input normalisation (Zhang et al.'s Caffe models): (v - 127.5) / 128. */
export function normalisePixel(v: number): number {
  return (v - 127.5) * 0.0078125;
}

/** Rounds to the nearest integer, ties to even (OpenCV's `cvRound`, i.e. `lrint`). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** OpenCV's INTER_AREA taps for shrinking `srcSize` to `dstSize` (srcSize >= dstSize). */
function areaTaps(srcSize: number, dstSize: number): AxisTaps {
  const scale = srcSize / dstSize;
  const index: number[][] = [];
  const weight: number[][] = [];
  for (let dx = 0; dx < dstSize; dx++) {
    const fsx1 = dx * scale;
    const fsx2 = fsx1 + scale;
    const cellWidth = Math.min(scale, srcSize - fsx1);
    let sx1 = Math.ceil(fsx1);
    let sx2 = Math.floor(fsx2);
    sx2 = Math.min(sx2, srcSize - 1);
    sx1 = Math.min(sx1, sx2);
    const idx: number[] = [];
    const w: number[] = [];
    if (sx1 - fsx1 > 1e-3) {
      idx.push(sx1 - 1);
      w.push((sx1 - fsx1) / cellWidth);
    }
    for (let sx = sx1; sx < sx2; sx++) {
      idx.push(sx);
      w.push(1 / cellWidth);
    }
    if (fsx2 - sx2 > 1e-3) {
      idx.push(sx2);
      w.push(Math.min(Math.min(fsx2 - sx2, 1), cellWidth) / cellWidth);
    }
    index.push(idx);
    weight.push(w);
  }
  return { index, weight };
}

/** OpenCV's INTER_AREA taps when not shrinking on both axes (linear with OpenCV's area fraction). */
function enlargeTaps(srcSize: number, dstSize: number): AxisTaps {
  const scale = srcSize / dstSize;
  const invScale = dstSize / srcSize;
  const index: number[][] = [];
  const weight: number[][] = [];
  for (let dx = 0; dx < dstSize; dx++) {
    let sx = Math.floor(dx * scale);
    let fx = dx + 1 - sx * invScale;
    fx = fx <= 0 ? 0 : fx - Math.floor(fx);
    if (sx < 0) {
      fx = 0;
      sx = 0;
    }
    if (sx >= srcSize - 1) {
      fx = 0;
      sx = srcSize - 1;
    }
    index.push(fx === 0 ? [sx] : [sx, sx + 1]);
    weight.push(fx === 0 ? [1] : [1 - fx, fx]);
  }
  return { index, weight };
}

/**
 * Resamples the region `[x0, x0 + width) x [y0, y0 + height)` of `image` (pixels outside the image count
 * as 0, like facenet's zero-padded crops) to `outWidth x outHeight`, and writes it normalised and
 * transposed into `out` from `offset`. With `round`, resampled values are rounded to integers first
 * (OpenCV on a uint8 image, as for facenet's pyramid; its crops are float and not rounded).
 */
export function resampleInto(
  image: RgbImage,
  x0: number,
  y0: number,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  out: Float32Array,
  offset: number,
  round: boolean,
): void {
  const shrink = width >= outWidth && height >= outHeight;
  const tx = shrink ? areaTaps(width, outWidth) : enlargeTaps(width, outWidth);
  const ty = shrink ? areaTaps(height, outHeight) : enlargeTaps(height, outHeight);
  const { data, width: iw, height: ih } = image;
  // Horizontal pass over every source row of the region: rows[(sy * outWidth + dx) * 3 + c].
  const rows = new Float64Array(height * outWidth * 3);
  for (let sy = 0; sy < height; sy++) {
    const y = y0 + sy;
    if (y < 0 || y >= ih) continue; // a padding row: zeros
    const rowBase = y * iw * 3;
    for (let dx = 0; dx < outWidth; dx++) {
      const idx = tx.index[dx];
      const w = tx.weight[dx];
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < idx.length; k++) {
        const x = x0 + idx[k];
        if (x < 0 || x >= iw) continue; // a padding column: zero
        const p = rowBase + x * 3;
        r += w[k] * data[p];
        g += w[k] * data[p + 1];
        b += w[k] * data[p + 2];
      }
      const o = (sy * outWidth + dx) * 3;
      rows[o] = r;
      rows[o + 1] = g;
      rows[o + 2] = b;
    }
  }
  // Vertical pass, written transposed and normalised.
  for (let dy = 0; dy < outHeight; dy++) {
    const idx = ty.index[dy];
    const w = ty.weight[dy];
    for (let dx = 0; dx < outWidth; dx++) {
      const o = offset + (dx * outHeight + dy) * 3;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let k = 0; k < idx.length; k++) v += w[k] * rows[(idx[k] * outWidth + dx) * 3 + c];
        if (round) v = Math.min(255, Math.max(0, roundHalfEven(v)));
        out[o + c] = normalisePixel(v);
      }
    }
  }
}
