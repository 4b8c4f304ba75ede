/**
 * MTCNN's box arithmetic, as in facenet `src/align/detect_face.py` (after Zhang et al.'s MATLAB code):
 * the image pyramid, P-Net's candidate boxes, box regression, squaring. Boxes are in MTCNN's inclusive,
 * 1-based pixel coordinates `[x1, x2]` (pixel columns x1 - 1 .. x2 - 1 in 0-based terms).
 */
import type { ScoredBox } from './nms.ts';

/** A candidate with its 4 regression offsets (dx1, dy1, dx2, dy2, in units of the box size). */
export interface Candidate extends ScoredBox {
  reg: [number, number, number, number];
}

/** P-Net's stride and receptive field (cell size), in pixels of the scaled image. */
export const PNET_STRIDE = 2;
export const PNET_CELL = 12;

/**
 * The scales of the image pyramid: the first maps `minSize` pixels to P-Net's 12-pixel cell
 * (m = 12 / minSize), each next one is `factor` times the previous, while the shorter side of the
 * scaled image is at least 12 pixels.
 */
export function pyramidScales(width: number, height: number, minSize: number, factor: number): number[] {
  const m = 12 / minSize;
  let minl = Math.min(width, height) * m;
  const scales: number[] = [];
  for (let k = 0; minl >= 12; k++) {
    scales.push(m * factor ** k);
    minl *= factor;
  }
  return scales;
}

/**
 * Candidate boxes from P-Net's output at one scale. `prob` and `reg` are P-Net's outputs on the
 * transposed image, i.e. laid out `[outWidth][outHeight][2]` and `[outWidth][outHeight][4]`; a cell at
 * column cx, row cy with face probability >= `threshold` gives the box
 * x1 = fix((2 cx + 1) / scale), y1 = fix((2 cy + 1) / scale), x2 = fix((2 cx + 12) / scale),
 * y2 = fix((2 cy + 12) / scale) (facenet's `generateBoundingBox`; its `flipud` when exactly one cell
 * passes is a porting slip from MATLAB and is not copied).
 */
export function pnetCandidates(prob: ArrayLike<number>, reg: ArrayLike<number>, outWidth: number, outHeight: number, scale: number, threshold: number): Candidate[] {
  const out: Candidate[] = [];
  for (let cx = 0; cx < outWidth; cx++) {
    for (let cy = 0; cy < outHeight; cy++) {
      const cell = cx * outHeight + cy;
      const score = prob[cell * 2 + 1];
      if (!(score >= threshold)) continue;
      out.push({
        x1: Math.trunc((PNET_STRIDE * cx + 1) / scale),
        y1: Math.trunc((PNET_STRIDE * cy + 1) / scale),
        x2: Math.trunc((PNET_STRIDE * cx + PNET_CELL) / scale),
        y2: Math.trunc((PNET_STRIDE * cy + PNET_CELL) / scale),
        score,
        reg: [reg[cell * 4], reg[cell * 4 + 1], reg[cell * 4 + 2], reg[cell * 4 + 3]],
      });
    }
  }
  return out;
}

/** P-Net's regression (facenet stage 1): offsets times x2 - x1 (not + 1). */
export function regressPnet(c: Candidate): ScoredBox {
  const w = c.x2 - c.x1;
  const h = c.y2 - c.y1;
  return { x1: c.x1 + c.reg[0] * w, y1: c.y1 + c.reg[1] * h, x2: c.x2 + c.reg[2] * w, y2: c.y2 + c.reg[3] * h, score: c.score };
}

/** R-Net / O-Net regression (facenet `bbreg`): offsets times the inclusive size x2 - x1 + 1. */
export function regress(b: ScoredBox, reg: ArrayLike<number>): ScoredBox {
  const w = b.x2 - b.x1 + 1;
  const h = b.y2 - b.y1 + 1;
  return { x1: b.x1 + reg[0] * w, y1: b.y1 + reg[1] * h, x2: b.x2 + reg[2] * w, y2: b.y2 + reg[3] * h, score: b.score };
}

/** Squares a box about its centre, side max(x2 - x1, y2 - y1) (facenet `rerec`). */
export function square(b: ScoredBox): ScoredBox {
  const w = b.x2 - b.x1;
  const h = b.y2 - b.y1;
  const l = Math.max(w, h);
  const x1 = b.x1 + w * 0.5 - l * 0.5;
  const y1 = b.y1 + h * 0.5 - l * 0.5;
  return { x1, y1, x2: x1 + l, y2: y1 + l, score: b.score };
}

/** Truncates the coordinates toward zero (numpy `fix`), as facenet does before cropping. */
export function fix(b: ScoredBox): ScoredBox {
  const t = (v: number) => Math.trunc(v) + 0; // + 0 turns -0 into 0
  return { x1: t(b.x1), y1: t(b.y1), x2: t(b.x2), y2: t(b.y2), score: b.score };
}
