/**
 * faceplugin's 68-point landmark net, run on onnxruntime-node: `model/fr_landmark.onnx` (1.2 MB) of the npm
 * package `faceplugin-face-recognition-js` 0.0.1 (MIT, Faceplugin), the package that ships the UltraFace
 * detector (`fr_detect.onnx`, our `ultraface`) and the 512-d MobileFaceNet (`fr_feature.onnx`, our
 * `mobilefacenet512`): the landmark net of the pipeline those two were put together in.
 *
 * Input `input` [1, 1, 64, 64]: the detection box (integer pixels), resized to 64x64 by bilinear
 * interpolation (OpenCV's `INTER_LINEAR`: half-pixel centres, edge pixels repeated, no anti-aliasing),
 * turned to grey as OpenCV's `COLOR_BGR2GRAY` (0.299 R + 0.587 G + 0.114 B, rounded), divided by 256.
 * Output `output` [1, 136]: the 68 iBUG points (x, y) as fractions of the box's width and height. This is
 * what the package's own `lib/fr_landmark.js` does; where it shifts a box that leaves the photo back inside
 * (and then maps the points with the unshifted box) we sample the box as it is, repeating edge pixels.
 * About 2 ms per face on one core, against ~10-20 for face-api's 68-point net on wasm.
 *
 * Sagonas, Tzimiropoulos, Zafeiriou, Pantic, "300 Faces in-the-Wild Challenge: The first facial landmark
 * localization challenge", ICCV Workshops 2013 (the 68-point layout).
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import { findModelFile } from '../paths.ts';
import { createOnnxSession } from '../runtime/onnx.ts';
import type { Box, Point, RgbImage } from '../types.ts';
import type { Landmarker68 } from './landmarks68.ts';

/** Where `npm run models:fetch` puts the weights (relative to a models folder, see `findModelFile`). */
export const FACEPLUGIN68_WEIGHTS = 'faceplugin/fr_landmark.onnx';

export interface Faceplugin68Config {
  /** The ONNX file. @default findModelFile('faceplugin/fr_landmark.onnx') */
  modelPath: string | undefined;
  /** Threads of the ONNX session. @default 1 (one per encode worker) */
  threads: number;
}

export const FACEPLUGIN68_CONFIG_DEFAULTS: Readonly<Faceplugin68Config> = Object.freeze({ modelPath: undefined, threads: 1 });

const SIZE = 64;

/**
 * The box `x0, y0, w, h` (integer pixels, may leave the image) of `image` as the net's input: 64x64 grey
 * values / 256, written into `out`.
 */
export function faceplugin68Input(image: RgbImage, x0: number, y0: number, w: number, h: number, out: Float32Array): void {
  const { data, width, height } = image;
  const sx = w / SIZE;
  const sy = h / SIZE;
  const clampX = (x: number) => Math.min(width - 1, Math.max(0, x));
  const clampY = (y: number) => Math.min(height - 1, Math.max(0, y));
  for (let i = 0; i < SIZE; i++) {
    // OpenCV INTER_LINEAR: source coordinate (i + 0.5) * scale - 0.5, clamped at the box's first pixel
    const fy = Math.max(0, (i + 0.5) * sy - 0.5);
    const iy = Math.floor(fy);
    const wy = fy - iy;
    const ya = clampY(y0 + Math.min(iy, h - 1));
    const yb = clampY(y0 + Math.min(iy + 1, h - 1));
    for (let j = 0; j < SIZE; j++) {
      const fx = Math.max(0, (j + 0.5) * sx - 0.5);
      const ix = Math.floor(fx);
      const wx = fx - ix;
      const xa = clampX(x0 + Math.min(ix, w - 1));
      const xb = clampX(x0 + Math.min(ix + 1, w - 1));
      const rgb = [0, 0, 0];
      for (let c = 0; c < 3; c++) {
        const top = data[(ya * width + xa) * 3 + c] * (1 - wx) + data[(ya * width + xb) * 3 + c] * wx;
        const bottom = data[(yb * width + xa) * 3 + c] * (1 - wx) + data[(yb * width + xb) * 3 + c] * wx;
        rgb[c] = Math.round(top * (1 - wy) + bottom * wy);
      }
      out[i * SIZE + j] = Math.round(0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 256;
    }
  }
}

/** Loads the ONNX session; call `dispose()` when done. */
export async function createFaceplugin68Landmarker(config?: Partial<Faceplugin68Config>): Promise<Landmarker68> {
  const fn = 'createFaceplugin68Landmarker';
  const c = resolveOptions(fn, FACEPLUGIN68_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'threads', c.threads, 1, 256);
  const path = c.modelPath ?? findModelFile(FACEPLUGIN68_WEIGHTS);
  const session = await createOnnxSession(path, { threads: c.threads });
  const shape = session.inputShapes[0];
  if (session.inputNames.length !== 1 || shape.length !== 4 || shape[1] !== 1 || shape[2] !== SIZE || shape[3] !== SIZE) {
    await session.release();
    throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} must take one 1x${SIZE}x${SIZE} input, got inputs ${JSON.stringify(session.inputNames)} of shape ${JSON.stringify(shape)}; it is not fr_landmark.onnx.`, 'modelPath');
  }
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  const buffer = new Float32Array(SIZE * SIZE);
  let disposed = false;
  return {
    async landmarks(image: RgbImage, boxes: Box[]): Promise<Point[][]> {
      if (disposed) throw new FaceclusterError('faceplugin68.landmarks', 'the landmarker was disposed.');
      const out: Point[][] = [];
      for (const [k, b] of boxes.entries()) {
        if (!(b.width >= 1 && b.height >= 1) || ![b.x, b.y, b.width, b.height].every(Number.isFinite)) {
          throw new FaceclusterError('faceplugin68.landmarks', `boxes[${k}] must have a finite position and a size >= 1 pixel, got ${JSON.stringify(b)}.`, 'boxes');
        }
        // the package's integer box: x1, y1, x2, y2 truncated, width = x2 - x1
        const x0 = Math.trunc(b.x);
        const y0 = Math.trunc(b.y);
        const w = Math.max(1, Math.trunc(b.x + b.width) - x0);
        const h = Math.max(1, Math.trunc(b.y + b.height) - y0);
        faceplugin68Input(image, x0, y0, w, h, buffer);
        const result = await session.run({ [input]: { data: buffer, dims: [1, 1, SIZE, SIZE] } });
        const v = result[output].data;
        if (v.length !== 136) throw new FaceclusterError('faceplugin68.landmarks', `the model file ${JSON.stringify(path)} must output 136 values, got ${v.length}.`);
        const points: Point[] = [];
        for (let i = 0; i < 68; i++) points.push({ x: x0 + v[2 * i] * w, y: y0 + v[2 * i + 1] * h });
        out.push(points);
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}
