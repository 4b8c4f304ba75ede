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
 *
 * Small faces: on a photo too large for the 320x240 pass to find faces of twice `tileMinFace`, the net also reads
 * overlapping windows at larger scales (tiles.ts), all passes merged by NMS; smaller photos get the single pass.
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
import { suppressOverlaps } from './nms.ts';
import { locateInTiles, planTiles, TILE_MERGE_OF_SMALLER, type TileGeometry, type TileLevel } from './tiles.ts';

/** Network input size (fixed by the exported graph). */
const ULTRAFACE_INPUT_SIZE = { inputWidth: 320, inputHeight: 240 };
export const ULTRAFACE_INPUT = Object.freeze({ width: ULTRAFACE_INPUT_SIZE.inputWidth, height: ULTRAFACE_INPUT_SIZE.inputHeight });

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
  /**
   * Smallest face (box height, pixels of the working image) looked for on photos too large for the whole-image
   * pass to find it: those photos are also read in overlapping windows at larger scales (tiles.ts), duplicates
   * merged by non-maximum suppression. Photos whose whole-image pass already finds faces of twice this size
   * (every photo up to ~400 px: LFW's 250x250, the devsets' up to 320 px) get no tiles: nothing changes for
   * them. 0 turns tiling off (UltraFace as before: one pass at 320x240).
   * @default 20 (the face-size bucket 20-40 px of `npm run bench:detect`, LFW mosaics: see README, detection)
   */
  tileMinFace: number;
}

export const ULTRAFACE_CONFIG_DEFAULTS: Readonly<UltrafaceConfig> = Object.freeze({
  modelPath: undefined,
  threads: 1,
  retryPadding: 0.25,
  nmsIou: 0.3,
  maxResults: 100,
  tileMinFace: 20,
});

/**
 * UltraFace's geometry for tiling: 320x240 input; faces from 24 px high at the input are found reliably (80/80
 * LFW faces placed at 24 px on a grey 320x240 canvas at score 0.7; 75/80 at 20 px, 36/80 at 16 px).
 */
export const ULTRAFACE_TILE_GEOMETRY: Readonly<TileGeometry> = Object.freeze({ ...ULTRAFACE_INPUT_SIZE, reliableFace: 24 });

/**
 * The tile levels UltraFace runs on a `width` x `height` working image with `tileMinFace` (see {@link planTiles});
 * `[]`: the whole-image pass alone, exactly UltraFace before tiling existed.
 */
export function ultrafaceTiles(width: number, height: number, tileMinFace: number = ULTRAFACE_CONFIG_DEFAULTS.tileMinFace): TileLevel[] {
  return planTiles(width, height, tileMinFace, ULTRAFACE_TILE_GEOMETRY);
}

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

/** Builds the detector (opens its ONNX session). */
export async function createUltrafaceDetector(config?: Partial<UltrafaceConfig>): Promise<Detector> {
  const fn = 'createUltrafaceDetector';
  const c = resolveOptions(fn, ULTRAFACE_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'threads', c.threads, 1, 256);
  checkNumber(fn, 'retryPadding', c.retryPadding, 0, 2);
  checkNumber(fn, 'nmsIou', c.nmsIou, 0, 1);
  checkInteger(fn, 'maxResults', c.maxResults, 1);
  checkNumber(fn, 'tileMinFace', c.tileMinFace, 0);
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
    return suppressOverlaps(candidates, c.nmsIou, c.maxResults);
  }

  /** The whole-image pass, and on a large photo the tiles, merged (the copies of a face in two windows made one). */
  async function locateAll(image: RgbImage, minScore: number): Promise<RawDetection[]> {
    const whole = await locate(image, minScore);
    const levels = ultrafaceTiles(image.width, image.height, c.tileMinFace);
    if (levels.length === 0) return whole;
    const tiled = await locateInTiles(image, levels, ULTRAFACE_TILE_GEOMETRY, (w) => locate(w, minScore));
    return suppressOverlaps([...whole, ...tiled], c.nmsIou, c.maxResults, TILE_MERGE_OF_SMALLER);
  }

  return {
    name: 'ultraface',
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('ultraface.detect', 'the detector was disposed.');
      const o = resolveDetectOptions('ultraface.detect', ULTRAFACE_DETECT_DEFAULTS, options);
      return detectWithPaddedRetry(image, c.retryPadding, (img) => locateAll(img, o.minScore), o, (padded) => locate(padded, o.minScore));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}
