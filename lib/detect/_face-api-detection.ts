/** Shared by the face-api detectors: face-api `FaceDetection`s -> facecluster `DetectedFace`s. */
import { padImage } from '../image/crop.ts';
import type { DetectedFace, RgbImage } from '../types.ts';
import { checkNumber, resolveOptions } from '../options.ts';
import type { DetectOptions } from './detector.ts';

interface FaceApiDetection {
  score: number;
  box: { x: number; y: number; width: number; height: number };
}

/** Resolves and checks per-call detection options. */
export function resolveDetectOptions(fn: string, defaults: DetectOptions, options: Partial<DetectOptions> | undefined): DetectOptions {
  const o = resolveOptions(fn, defaults, options);
  checkNumber(fn, 'minScore', o.minScore, 0, 1);
  checkNumber(fn, 'minFaceSize', o.minFaceSize, 0);
  return o;
}

/** Clamps boxes to the image, drops faces below `minFaceSize`, sorts by descending score. */
export function toDetectedFaces(detections: FaceApiDetection[], image: RgbImage, options: DetectOptions): DetectedFace[] {
  const out: DetectedFace[] = [];
  for (const d of detections) {
    const x0 = Math.max(0, d.box.x);
    const y0 = Math.max(0, d.box.y);
    const x1 = Math.min(image.width, d.box.x + d.box.width);
    const y1 = Math.min(image.height, d.box.y + d.box.height);
    if (x1 <= x0 || y1 <= y0) continue;
    const box = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    if (d.score < options.minScore) continue;
    if (Math.min(box.width, box.height) < options.minFaceSize) continue;
    out.push({ box, score: d.score });
  }
  return out.sort((a, b) => b.score - a.score);
}

/**
 * Runs `locate` on the image; when it finds nothing and `retryPadding` > 0, runs it again on the image
 * with a black border of `retryPadding` x its longer side on every side, and maps the boxes back.
 * Single-shot detectors with anchors sized for a 512 px input (SSD) miss faces that fill most of the
 * frame (tight crops, LFW-style portraits); on the LFW 120-face subset the padded retry finds 18 of the
 * 19 faces SSD MobileNet misses at score 0.5 (215 -> 233 of 234 photos), at the cost of a second pass
 * on those photos only. `retryLocate` (default `locate`) runs on the padded image (UltraFace: its whole-image
 * pass without tiles; a face filling the frame is not small).
 */
export async function detectWithPaddedRetry(
  image: RgbImage,
  retryPadding: number,
  locate: (image: RgbImage) => Promise<FaceApiDetection[]>,
  options: DetectOptions,
  retryLocate: (image: RgbImage) => Promise<FaceApiDetection[]> = locate,
): Promise<DetectedFace[]> {
  const first = toDetectedFaces(await locate(image), image, options);
  if (first.length > 0 || retryPadding <= 0) return first;
  const pad = Math.round(Math.max(image.width, image.height) * retryPadding);
  const padded = padImage(image, pad, 0);
  const shifted = (await retryLocate(padded)).map((d) => ({ score: d.score, box: { x: d.box.x - pad, y: d.box.y - pad, width: d.box.width, height: d.box.height } }));
  return toDetectedFaces(shifted, image, options);
}

/** face-api accepts thresholds strictly inside (0, 1); the exact threshold is applied afterwards. */
export function faceApiScore(minScore: number): number {
  return Math.min(0.9999, Math.max(1e-4, minScore));
}
