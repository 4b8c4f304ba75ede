/**
 * UltraFace: the Ultra-Light-Fast-Generic-Face-Detector-1MB, version RFB-320 (an SSD-style single-shot
 * detector with receptive-field blocks, 4,420 anchors at 320x240, trained on WIDER FACE), run on
 * `onnxruntime-node`. About 3 ms per photo on one core, against ~100 ms for face-api's SSD MobileNet on wasm.
 *
 * Linzaer, "Ultra-Light-Fast-Generic-Face-Detector-1MB" (MIT), 2019; the receptive-field block is from
 * Liu, Huang, Wang, "Receptive Field Block Net for Accurate and Fast Object Detection", ECCV 2018.
 *
 * Weights: `models/ultraface/version-RFB-320.onnx` in this repository (1.2 MB, MIT, licence beside it), a
 * byte-for-byte copy of `model/fr_detect.onnx` in the npm package `faceplugin-face-recognition-js` 0.0.1
 * (sha256 6c0256cc...; that package lists 673 transitive build/test packages as runtime dependencies, so we
 * copy its one file instead of installing it; see models/README.md). It is this network with its anchor
 * decoding and softmax inside the graph: input `input` [1, 3, 240, 320] (RGB,
 * `(v - 127) / 128`, the photo resized to 320x240 without keeping its aspect ratio, as in training);
 * outputs `scores` [1, 4420, 2] (background, face; softmaxed) and `boxes` [1, 4420, 4] (x1, y1, x2, y2 as
 * fractions of the width and height). The package's own JS (`lib/fr_detect.js`) decodes exactly so and
 * then applies non-maximum suppression; we use greedy IoU suppression at 0.3 as the original project does.
 *
 * The net gives no landmarks: the face encoder runs face-api's 68-point net on each box.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { PROJECT_ROOT } from '../paths.ts';
import { createOnnxSession } from '../runtime/onnx.ts';
import type { DetectedFace, RgbImage } from '../types.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { detectWithPaddedRetry, resolveDetectOptions } from './_face-api-detection.ts';
import { resizeToPlanar } from './_resize-input.ts';

/** Network input size (fixed by the exported graph). */
export const ULTRAFACE_INPUT = Object.freeze({ width: 320, height: 240 });

/** Load-time configuration of the UltraFace detector. */
export interface UltrafaceConfig {
  /** The `.onnx` file. @default undefined: `models/ultraface/version-RFB-320.onnx` (see {@link ultrafaceModelPath}) */
  modelPath: string | undefined;
  /** Intra-op threads of the ONNX session. @default 1 (the pipeline runs one worker per core) */
  threads: number;
  /**
   * When a photo gives no face, detect again with a black border of this fraction of the longer side on
   * every side (0 disables): a face that fills the whole frame is larger than the biggest anchor (256 px
   * of 240) and is found once it is made smaller.
   * @default 0.25 (the value SSD MobileNet's retry uses)
   */
  retryPadding: number;
  /** Overlap (IoU) above which a lower-scoring box is suppressed. @default 0.3 (the original project's value) */
  nmsIou: number;
  /** Most faces kept per photo, best scores first. @default 100 */
  maxResults: number;
}

export const ULTRAFACE_CONFIG_DEFAULTS: Readonly<UltrafaceConfig> = Object.freeze({
  modelPath: undefined,
  threads: 1,
  retryPadding: 0.25,
  nmsIou: 0.3,
  maxResults: 100,
});

/**
 * Per-call defaults.
 * - `minScore` 0.7: the original project's demo threshold.
 * - `minFaceSize` 0: keep every face the detector finds.
 */
export const ULTRAFACE_DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({ minScore: 0.7, minFaceSize: 0 });

/** Where the shipped weights are: `<project>/models/ultraface/version-RFB-320.onnx`. */
export function ultrafaceModelPath(): string {
  const p = join(PROJECT_ROOT, 'models', 'ultraface', 'version-RFB-320.onnx');
  if (!existsSync(p)) throw new FaceclusterError('ultrafaceModelPath', `the UltraFace weights are missing: expected ${p} (part of the repository).`);
  return p;
}

interface RawDetection {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

/** Greedy IoU suppression over candidates sorted by descending score; keeps at most `max`. */
function suppress(candidates: RawDetection[], iou: number, max: number): RawDetection[] {
  candidates.sort((a, b) => b.score - a.score);
  const kept: RawDetection[] = [];
  for (const c of candidates) {
    if (kept.length >= max) break;
    const a = c.box;
    let overlaps = false;
    for (const k of kept) {
      const b = k.box;
      const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (w <= 0 || h <= 0) continue;
      const inter = w * h;
      if (inter / (a.width * a.height + b.width * b.height - inter) > iou) {
        overlaps = true;
        break;
      }
    }
    if (!overlaps) kept.push(c);
  }
  return kept;
}

/** Builds the detector (opens its ONNX session). */
export async function createUltrafaceDetector(config?: Partial<UltrafaceConfig>): Promise<Detector> {
  const fn = 'createUltrafaceDetector';
  const c = resolveOptions(fn, ULTRAFACE_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'threads', c.threads, 1, 256);
  checkNumber(fn, 'retryPadding', c.retryPadding, 0, 2);
  checkNumber(fn, 'nmsIou', c.nmsIou, 0, 1);
  checkInteger(fn, 'maxResults', c.maxResults, 1);
  const session = await createOnnxSession(c.modelPath ?? ultrafaceModelPath(), { threads: c.threads });
  const { width: W, height: H } = ULTRAFACE_INPUT;
  const input = new Float32Array(3 * W * H);
  let disposed = false;

  async function locate(image: RgbImage, minScore: number): Promise<RawDetection[]> {
    resizeToPlanar(image, W, H, 127, 128, input);
    const out = await session.run({ input: { data: input, dims: [1, 3, H, W] } });
    const scores = out.scores.data;
    const boxes = out.boxes.data;
    const n = scores.length / 2;
    const candidates: RawDetection[] = [];
    for (let i = 0; i < n; i++) {
      const s = scores[2 * i + 1];
      if (s < minScore) continue;
      const x1 = boxes[4 * i] * image.width;
      const y1 = boxes[4 * i + 1] * image.height;
      const x2 = boxes[4 * i + 2] * image.width;
      const y2 = boxes[4 * i + 3] * image.height;
      if (x2 <= x1 || y2 <= y1) continue;
      candidates.push({ score: s, box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 } });
    }
    return suppress(candidates, c.nmsIou, c.maxResults);
  }

  return {
    name: 'ultraface',
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('ultraface.detect', 'the detector was disposed.');
      const o = resolveDetectOptions('ultraface.detect', ULTRAFACE_DETECT_DEFAULTS, options);
      return detectWithPaddedRetry(image, c.retryPadding, (img) => locate(img, o.minScore), o);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}
