/**
 * The detector protocol: every face detector (SSD MobileNet v1, Tiny, MTCNN) implements it, and
 * `createDetector(name, config)` in registry.ts builds one by name.
 *
 * Load-time configuration (weights path, input size) goes to the factory; per-call options
 * (minimum score, minimum face size) go to `detect`.
 */
import type { DetectedFace, RgbImage } from '../types.ts';

/** Per-call detection options, shared by all detectors. */
export interface DetectOptions {
  /** Faces scoring below this are dropped. @default detector-specific (documented in each detector) */
  minScore: number;
  /** Faces whose box is smaller than this many pixels (shorter side, original pixels) are dropped. @default 0 */
  minFaceSize: number;
}

export interface Detector {
  /** Registry name, e.g. `ssd-mobilenet`. */
  readonly name: string;
  /**
   * Finds the faces in an upright RGB image. Boxes and landmarks are in the image's pixels.
   * Must not leak tensors: `tf.memory().numTensors` is the same before and after.
   */
  detect(image: RgbImage, options?: Partial<DetectOptions>): Promise<DetectedFace[]>;
  /** Frees every tensor and weight this detector holds. Using it afterwards throws. */
  dispose(): void;
}
