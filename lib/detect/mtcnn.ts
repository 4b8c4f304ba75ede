/**
 * MTCNN face detector: a cascade of three small CNNs (P-Net proposes candidates over an image pyramid,
 * R-Net rejects and refines them on 24x24 crops, O-Net refines again on 48x48 crops and gives the
 * 5 facial landmarks), with non-maximum suppression and bounding-box regression after each stage.
 *
 * Zhang, Zhang, Li, Qiao, "Joint Face Detection and Alignment using Multi-task Cascaded Convolutional
 * Networks", IEEE Signal Processing Letters 23(10):1499-1503, 2016.
 *
 * Weights: davidsandberg/facenet's conversion of the authors' Caffe models (`det1.npy`, `det2.npy`,
 * `det3.npy`, read directly, no Python), and the detection procedure of facenet's
 * `src/align/detect_face.py` `detect_face`, mirrored step by step (same pyramid, thresholds, NMS
 * overlaps, regression and squaring, transposed inputs, INTER_AREA resampling). Runs on the shared tfjs
 * runtime (`loadTf`). Where we differ from facenet, on purpose:
 * - facenet's boxes and points are in MATLAB's 1-based pixel coordinates; ours are 0-based like every
 *   facecluster box (a box is `{x: x1 - 1, width: x2 - x1 + 1}`, points are shifted by -1 too), and boxes are
 *   clipped to the image (as face-api's are);
 * - facenet's `generateBoundingBox` flips the regression maps when exactly one P-Net cell passes (a slip from
 *   porting MATLAB's row/column vectors); not copied.
 *
 * @example
 * const detector = await createMtcnn();               // weights from FACECLUSTER_MTCNN_WEIGHTS or models/mtcnn
 * const faces = await detector.detect(rgbImage);      // [{ box, score, landmarks5 }]
 * detector.dispose();
 */
import { join, resolve } from 'node:path';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkNumber, resolveOptions } from '../options.ts';
import { modelsDir } from '../paths.ts';
import { loadTf, type Tf } from '../runtime/tf.ts';
import type { DetectedFace, Landmarks5, RgbImage } from '../types.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { fix, pnetCandidates, pyramidScales, regress, regressPnet, square, type Candidate } from './mtcnn/boxes.ts';
import { loadMtcnnNets, type MtcnnNets } from './mtcnn/networks.ts';
import { nms, type ScoredBox } from './mtcnn/nms.ts';
import { resampleInto } from './mtcnn/resample.ts';

/** Load-time configuration of {@link createMtcnn}. */
export interface MtcnnConfig {
  /**
   * Folder holding `det1.npy`, `det2.npy`, `det3.npy`.
   * @default undefined: `$FACECLUSTER_MTCNN_WEIGHTS`, else `modelsDir()/mtcnn` (`../shared/models/mtcnn` when
   * present, else `<project>/models/mtcnn`, where `npm run models:mtcnn` puts them). See {@link mtcnnWeightsDir}.
   */
  weightsDir: string | undefined;
  /**
   * Smallest face (pixels) the image pyramid looks for: the first pyramid level maps this many pixels to
   * P-Net's 12-pixel window. Smaller finds smaller faces at the cost of a larger first level.
   * @default 20 (facenet's `minsize`, and the value in Zhang et al.'s code)
   */
  minSize: number;
  /**
   * Ratio between consecutive pyramid levels, in (0, 1). Closer to 1 gives more levels (slower, fewer misses).
   * @default 0.709 (about 1/sqrt(2): each level halves the pixel count; facenet's and Zhang et al.'s value)
   */
  scaleFactor: number;
  /**
   * Face-probability thresholds of P-Net, R-Net and O-Net. P-Net keeps cells with probability >= the first;
   * R-Net and O-Net keep candidates above the second and third.
   * @default [0.6, 0.7, 0.7] (facenet's values: a high-recall setting suited to clustering photo collections)
   */
  thresholds: [number, number, number];
  /**
   * Most crops sent through R-Net or O-Net in one batch (bounds the memory of one call on busy photos).
   * @default 256 (a few MB of input; batching beyond this gives no measurable speed-up on wasm)
   */
  batchSize: number;
}

/** Defaults of {@link createMtcnn}; see {@link MtcnnConfig} for the reasons. */
export const MTCNN_CONFIG_DEFAULTS: Readonly<MtcnnConfig> = Object.freeze({
  weightsDir: undefined,
  minSize: 20,
  scaleFactor: 0.709,
  thresholds: [0.6, 0.7, 0.7] as [number, number, number],
  batchSize: 256,
});

/** Per-call options of the MTCNN detector's `detect`. */
export const MTCNN_DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({
  /**
   * Faces whose O-Net probability is below this are dropped.
   * @default 0 (O-Net's own threshold, `thresholds[2]` = 0.7 by default, already applies; raise to be stricter)
   */
  minScore: 0,
  /**
   * Faces whose box (shorter side, original pixels) is smaller are dropped; when larger than the config's
   * `minSize` it also raises the pyramid's smallest face size, which skips the costliest pyramid levels.
   * @default 0 (the pyramid's `minSize`, 20 by default, is the limit)
   */
  minFaceSize: 0,
});

/** Environment variable naming the MTCNN weights folder. */
export const MTCNN_WEIGHTS_ENV = 'FACECLUSTER_MTCNN_WEIGHTS';

/** Where MTCNN's weights are looked for: `$FACECLUSTER_MTCNN_WEIGHTS`, else `modelsDir()/mtcnn`. */
export function mtcnnWeightsDir(): string {
  const env = process.env[MTCNN_WEIGHTS_ENV];
  return env ? resolve(env) : join(modelsDir(), 'mtcnn');
}

/** The MTCNN detector: a {@link Detector} with its resolved configuration. */
export interface MtcnnDetector extends Detector {
  readonly name: 'mtcnn';
  /** The configuration in use (weightsDir resolved). */
  readonly config: Readonly<MtcnnConfig> & { weightsDir: string };
}

const FN = 'createMtcnn';

/**
 * Loads the three MTCNN networks and returns a {@link Detector}. Throws (naming the folder and how to
 * get the files) when the weights are missing.
 */
export async function createMtcnn(config?: Partial<MtcnnConfig>): Promise<MtcnnDetector> {
  const c = resolveOptions(FN, MTCNN_CONFIG_DEFAULTS, config);
  checkNumber(FN, 'minSize', c.minSize, 12);
  checkNumber(FN, 'scaleFactor', c.scaleFactor, 0, 0.95, true);
  if (!Array.isArray(c.thresholds) || c.thresholds.length !== 3 || !c.thresholds.every((t) => typeof t === 'number' && t >= 0 && t <= 1)) {
    throw invalidParameter(FN, 'thresholds', 'an array of 3 numbers in [0, 1]', c.thresholds);
  }
  if (!Number.isInteger(c.batchSize) || c.batchSize < 1) throw invalidParameter(FN, 'batchSize', 'an integer >= 1', c.batchSize);
  if (c.weightsDir !== undefined && (typeof c.weightsDir !== 'string' || c.weightsDir.length === 0)) {
    throw invalidParameter(FN, 'weightsDir', 'a folder path', c.weightsDir);
  }
  const weightsDir = c.weightsDir === undefined ? mtcnnWeightsDir() : resolve(c.weightsDir);
  const { tf } = await loadTf();
  const nets = loadMtcnnNets(tf, weightsDir);
  const resolved = Object.freeze({ ...c, thresholds: [...c.thresholds] as [number, number, number], weightsDir });
  let disposed = false;
  return {
    name: 'mtcnn',
    config: resolved,
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('mtcnn.detect', 'the detector has been disposed.');
      const o = resolveOptions('mtcnn.detect', MTCNN_DETECT_DEFAULTS, options);
      checkNumber('mtcnn.detect', 'minScore', o.minScore, 0, 1);
      checkNumber('mtcnn.detect', 'minFaceSize', o.minFaceSize, 0);
      checkImage(image);
      return detectFaces(tf, nets, image, resolved, o);
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      nets.dispose();
    },
  };
}

function checkImage(image: RgbImage): void {
  const fn = 'mtcnn.detect';
  if (typeof image !== 'object' || image === null) throw invalidParameter(fn, 'image', 'an RgbImage {data, width, height}', image);
  const { width, height, data } = image;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw invalidParameter(fn, 'image', 'an image of at least 1x1 pixels', `${width}x${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw invalidParameter(fn, 'image.data', `a Uint8Array of width * height * 3 = ${width * height * 3} bytes`, data);
  }
}

/** The three stages of facenet's `detect_face`. */
async function detectFaces(tf: Tf, nets: MtcnnNets, image: RgbImage, c: MtcnnConfig, o: DetectOptions): Promise<DetectedFace[]> {
  const { width: w, height: h } = image;
  const minSize = Math.max(c.minSize, o.minFaceSize);

  // ---- stage 1: P-Net over the pyramid ------------------------------------------------------
  let boxes: ScoredBox[] = [];
  for (const scale of pyramidScales(w, h, minSize, c.scaleFactor)) {
    const hs = Math.ceil(h * scale);
    const ws = Math.ceil(w * scale);
    const input = new Float32Array(ws * hs * 3);
    resampleInto(image, 0, 0, w, h, ws, hs, input, 0, true);
    const x = tf.tensor4d(input, [1, ws, hs, 3]);
    const out = nets.pnet(x);
    x.dispose();
    const [prob, reg] = await Promise.all([out.prob.data(), out.box.data()]);
    const [, ow, oh] = out.prob.shape;
    out.prob.dispose();
    out.box.dispose();
    const cands: Candidate[] = pnetCandidates(prob, reg, ow, oh, scale, c.thresholds[0]);
    boxes.push(...pick(cands, nms(cands, 0.5, 'union')));
  }
  if (boxes.length === 0) return [];
  boxes = pick(boxes, nms(boxes, 0.7, 'union')).map((b) => fix(square(regressPnet(b as Candidate))));

  // ---- stage 2: R-Net on 24x24 crops ----------------------------------------------------------
  {
    const { prob, reg } = await runOnCrops(tf, image, boxes, 24, c.batchSize, (t) => nets.rnet(t));
    const kept: ScoredBox[] = [];
    const regs: Float32Array[] = [];
    boxes.forEach((b, i) => {
      if (prob[i] > c.thresholds[1]) {
        kept.push({ ...b, score: prob[i] });
        regs.push(reg.subarray(i * 4, i * 4 + 4));
      }
    });
    boxes = nms(kept, 0.7, 'union').map((i) => fix(square(regress(kept[i], regs[i]))));
  }
  if (boxes.length === 0) return [];

  // ---- stage 3: O-Net on 48x48 crops, landmarks -------------------------------------------
  const { prob, reg, points } = await runOnCrops(tf, image, boxes, 48, c.batchSize, (t) => nets.onet(t));
  const finals: ScoredBox[] = [];
  const marks: Landmarks5[] = [];
  boxes.forEach((b, i) => {
    if (!(prob[i] > c.thresholds[2])) return;
    const bw = b.x2 - b.x1 + 1;
    const bh = b.y2 - b.y1 + 1;
    const p = points!.subarray(i * 10, i * 10 + 10);
    // facenet (after Zhang et al.'s MATLAB code): x = w * p + x1 - 1, in MATLAB's 1-based pixel coordinates,
    // like its boxes (its crop starts at 0-based column x1 - 1). One more -1 makes them 0-based, like our boxes.
    // facenet returns the 1-based values; measured against face-api's 68 points on LFW the 0-based ones agree
    // better (mean error 6.0% -> 4.8% of the inter-ocular distance; bench/mtcnn-vs-ssd.ts).
    marks.push([0, 1, 2, 3, 4].map((k) => ({ x: bw * p[k] + b.x1 - 2, y: bh * p[k + 5] + b.y1 - 2 })) as Landmarks5);
    finals.push(regress({ ...b, score: prob[i] }, reg.subarray(i * 4, i * 4 + 4)));
  });
  const faces: DetectedFace[] = [];
  for (const i of nms(finals, 0.7, 'min')) {
    const f = toFace(finals[i], marks[i], w, h);
    if (f.score >= o.minScore && Math.min(f.box.width, f.box.height) >= o.minFaceSize) faces.push(f);
  }
  return faces;
}

type Tensor = ReturnType<Tf['tensor']>;
type Tensor4D = ReturnType<Tf['tensor4d']>;

function pick<T>(items: T[], indices: number[]): T[] {
  return indices.map((i) => items[i]);
}

/**
 * Crops every box (zero-padded outside the image), resizes it to size x size, runs `net` in batches,
 * and returns the face probabilities, regressions and (O-Net) landmark outputs as flat arrays.
 */
async function runOnCrops(
  tf: Tf,
  image: RgbImage,
  boxes: ScoredBox[],
  size: number,
  batchSize: number,
  net: (t: Tensor4D) => { prob: Tensor; box: Tensor; points?: Tensor },
): Promise<{ prob: Float32Array; reg: Float32Array; points?: Float32Array }> {
  const n = boxes.length;
  const prob = new Float32Array(n);
  const reg = new Float32Array(n * 4);
  let points: Float32Array | undefined;
  const per = size * size * 3;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const input = new Float32Array((end - start) * per);
    for (let i = start; i < end; i++) {
      const b = boxes[i];
      // MTCNN's inclusive 1-based box [x1, x2] covers 0-based pixels x1 - 1 .. x2 - 1.
      const cw = b.x2 - b.x1 + 1;
      const ch = b.y2 - b.y1 + 1;
      if (cw >= 1 && ch >= 1) resampleInto(image, b.x1 - 1, b.y1 - 1, cw, ch, size, size, input, (i - start) * per, false);
      // A degenerate box (facenet would fail here) stays an all-zero crop: -0.996 after normalising, scored low.
    }
    const x = tf.tensor4d(input, [end - start, size, size, 3]);
    const out = net(x);
    x.dispose();
    try {
      const p = (await out.prob.data()) as Float32Array;
      const r = (await out.box.data()) as Float32Array;
      for (let i = 0; i < end - start; i++) prob[start + i] = p[i * 2 + 1];
      reg.set(r, start * 4);
      if (out.points) {
        points ??= new Float32Array(n * 10);
        points.set((await out.points.data()) as Float32Array, start * 10);
      }
    } finally {
      out.prob.dispose();
      out.box.dispose();
      out.points?.dispose();
    }
  }
  return { prob, reg, points };
}

/** MTCNN's inclusive 1-based box -> `{x, y, width, height}` in 0-based pixels, clipped to the image. */
function toFace(b: ScoredBox, landmarks5: Landmarks5, width: number, height: number): DetectedFace {
  const x1 = Math.max(0, b.x1 - 1);
  const y1 = Math.max(0, b.y1 - 1);
  const x2 = Math.min(width, b.x2);
  const y2 = Math.min(height, b.y2);
  return {
    box: { x: x1, y: y1, width: Math.max(0, x2 - x1), height: Math.max(0, y2 - y1) },
    score: b.score,
    landmarks5,
  };
}
