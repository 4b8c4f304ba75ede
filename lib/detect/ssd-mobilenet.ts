/**
 * SSD MobileNet v1 face detector, face-api's shipped weights (WIDER FACE trained).
 *
 * Liu, Anguelov, Erhan, Szegedy, Reed, Fu, Berg, "SSD: Single Shot MultiBox Detector", ECCV 2016;
 * Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
 * arXiv:1704.04861, 2017.
 *
 * face-api resizes every input (padded to a square) to 512x512; its anchors are fixed for that size,
 * so a smaller input cannot be used with these weights.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { loadFaceApiNet, releaseFaceApiNet } from '../runtime/face-api.ts';
import { rgbToTensor } from '../runtime/tensor.ts';
import type { DetectedFace, RgbImage } from '../types.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { detectWithPaddedRetry, faceApiScore, resolveDetectOptions } from './_face-api-detection.ts';

/** Load-time configuration of the SSD MobileNet detector. */
export interface SsdMobilenetConfig {
  /**
   * Most faces kept per photo (face-api's `maxResults`), best scores first.
   * @default 100 (face-api's default; group photos rarely hold more)
   */
  maxResults: number;
  /**
   * When a photo gives no face, detect again with a black border of this fraction of the longer side
   * on every side (0 disables). SSD's anchors (fixed for its 512 px input) miss faces that fill most of
   * the frame; the retry makes them smaller.
   * @default 0.25 (LFW 120-face subset, score 0.5: faces found in 215 of 234 photos without, 233 with)
   */
  retryPadding: number;
}

export const SSD_MOBILENET_CONFIG_DEFAULTS: Readonly<SsdMobilenetConfig> = Object.freeze({ maxResults: 100, retryPadding: 0.25 });

/**
 * Per-call defaults.
 * - `minScore` 0.5: face-api's default `minConfidence`; on the LFW subset it keeps every centred face
 *   (the precomputed LFW embeddings used 0.3, which adds mostly background faces).
 * - `minFaceSize` 0: keep every face the detector finds.
 */
export const SSD_MOBILENET_DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({ minScore: 0.5, minFaceSize: 0 });

/** Builds the detector (loads the weights once per process). */
export async function createSsdMobilenetDetector(config?: Partial<SsdMobilenetConfig>): Promise<Detector> {
  const fn = 'createSsdMobilenetDetector';
  const c = resolveOptions(fn, SSD_MOBILENET_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'maxResults', c.maxResults, 1);
  checkNumber(fn, 'retryPadding', c.retryPadding, 0, 2);
  const { faceapi, runtime } = await loadFaceApiNet('ssdMobilenetv1');
  const tf = runtime.tf;
  let disposed = false;
  return {
    name: 'ssd-mobilenet',
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('ssd-mobilenet.detect', 'the detector was disposed.');
      const o = resolveDetectOptions('ssd-mobilenet.detect', SSD_MOBILENET_DETECT_DEFAULTS, options);
      const locate = async (img: RgbImage) => {
        const input = rgbToTensor(tf, img);
        try {
          return await faceapi.nets.ssdMobilenetv1.locateFaces(input as never, new faceapi.SsdMobilenetv1Options({ minConfidence: faceApiScore(o.minScore), maxResults: c.maxResults }));
        } finally {
          input.dispose();
        }
      };
      return detectWithPaddedRetry(image, c.retryPadding, locate, o);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void releaseFaceApiNet('ssdMobilenetv1');
    },
  };
}
