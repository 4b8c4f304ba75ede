/**
 * The "detector" for collections known to be face crops (`facecluster encode --input crops`): no detection,
 * every photo is one face whose box is the whole image, score 1. The face encoder then finds the 68
 * landmarks inside that box (face-api's landmark net, as for any detector without landmarks), so the
 * crops need not be aligned: only one face each, filling most of the frame.
 *
 * Use it when a detector would miss faces that fill the frame, or to skip detection's cost on a crop
 * dataset; never on ordinary photos, where it would turn every photo (landscapes too) into one "face".
 */
import { FaceclusterError } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import type { DetectedFace, RgbImage } from '../types.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { resolveDetectOptions } from './_face-api-detection.ts';

/** No load-time configuration. */
export type WholeImageConfig = Record<string, never>;

export const WHOLE_IMAGE_CONFIG_DEFAULTS: Readonly<WholeImageConfig> = Object.freeze({});

/**
 * Per-call defaults: every crop scores 1, so `minScore` 0 keeps all; `minFaceSize` drops crops whose
 * shorter side is smaller. @default { minScore: 0, minFaceSize: 0 }
 */
export const WHOLE_IMAGE_DETECT_DEFAULTS: Readonly<DetectOptions> = Object.freeze({ minScore: 0, minFaceSize: 0 });

/** Builds the whole-image "detector" (nothing to load). */
export async function createWholeImageDetector(config?: Partial<WholeImageConfig>): Promise<Detector> {
  resolveOptions('createWholeImageDetector', WHOLE_IMAGE_CONFIG_DEFAULTS, config);
  let disposed = false;
  return {
    name: 'whole-image',
    async detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]> {
      if (disposed) throw new FaceclusterError('whole-image.detect', 'the detector was disposed.');
      const o = resolveDetectOptions('whole-image.detect', WHOLE_IMAGE_DETECT_DEFAULTS, options);
      if (Math.min(image.width, image.height) < o.minFaceSize) return [];
      return [{ box: { x: 0, y: 0, width: image.width, height: image.height }, score: 1 }];
    },
    dispose() {
      disposed = true;
    },
  };
}
