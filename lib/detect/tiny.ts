/**
 * face-api's Tiny Face Detector: a Tiny-YOLO v2 style network with depthwise separable convolutions,
 * ~190 KB of weights; about 8x faster than SSD MobileNet on wasm, less accurate on small or turned faces.
 *
 * Redmon, Farhadi, "YOLO9000: Better, Faster, Stronger", CVPR 2017.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { loadFaceApiNet, releaseFaceApiNet } from '../runtime/face-api.ts';
import { rgbToTensor } from '../runtime/tensor.ts';
import type { DetectedFace, RgbImage } from '../types.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { detectWithPaddedRetry, faceApiScore, resolveDetectOptions } from './_face-api-detection.ts';

/** Load-time configuration of the Tiny detector. */
export interface TinyConfig {
  /**
   * Side of the square network input, a multiple of 32. Larger finds smaller faces, slower.
   * @default 416 (face-api's default; finds the faces of 250x250 LFW photos; 224 misses more)
   */
  inputSize: number;
  /**
   * When a photo gives no face, detect again with a black border of this fraction of the longer side
   * on every side (0 disables); see `SSD_MOBILENET_CONFIG_DEFAULTS.retryPadding`.
   * @default 0.25
   */
  retryPadding: number;
}

export const TINY_CONFIG_DEFAULTS: Readonly<TinyConfig> = Object.freeze({ inputSize: 416, retryPadding: 0.25 });

/**
 * Per-call defaults. `minScore` 0.5: face-api's default `scoreThreshold`. `minFaceSize` 0: keep all.
 */
export const TINY_DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({ minScore: 0.5, minFaceSize: 0 });

/** Builds the detector (loads the weights once per process). */
export async function createTinyDetector(config?: Partial<TinyConfig>): Promise<Detector> {
  const fn = 'createTinyDetector';
  const c = resolveOptions(fn, TINY_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'inputSize', c.inputSize, 32, 2048);
  checkNumber(fn, 'retryPadding', c.retryPadding, 0, 2);
  if (c.inputSize % 32 !== 0) throw new FaceclusterError(fn, `inputSize must be a multiple of 32, got ${c.inputSize}.`, 'inputSize');
  const { faceapi, runtime } = await loadFaceApiNet('tinyFaceDetector');
  const tf = runtime.tf;
  let disposed = false;
  return {
    name: 'tiny',
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('tiny.detect', 'the detector was disposed.');
      const o = resolveDetectOptions('tiny.detect', TINY_DETECT_DEFAULTS, options);
      const locate = async (img: RgbImage) => {
        const input = rgbToTensor(tf, img);
        try {
          return await faceapi.nets.tinyFaceDetector.locateFaces(input as never, new faceapi.TinyFaceDetectorOptions({ inputSize: c.inputSize, scoreThreshold: faceApiScore(o.minScore) }));
        } finally {
          input.dispose();
        }
      };
      return detectWithPaddedRetry(image, c.retryPadding, locate, o);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void releaseFaceApiNet('tinyFaceDetector');
    },
  };
}
