/**
 * What a face's quality score is made of: measurable signals of one detected face. Some come from what the store
 * already holds (the box, the detector's score, the 5 points); sharpness needs the photo's pixels (the aligned
 * chip); the raw embedding norm needs the embedder's output before normalisation.
 */
import type { Box, Landmarks5, RgbImage } from '../types.ts';
import type { TemplateName } from '../align/templates.ts';
import { landmarkPose } from './pose.ts';
import { chipSharpness } from './sharpness.ts';

/**
 * The chip sharpness is measured on, whatever the embedder: insightface's ArcFace template at 112 px (the default
 * embedder's own chip), so that sharpness means the same for every store.
 */
export const QUALITY_CHIP: Readonly<{ template: TemplateName; size: number }> = Object.freeze({ template: 'arcface', size: 112 });

export interface QualitySignals {
  /** Box side, sqrt(width x height), in the photo's (original, upright) pixels. */
  faceSide: number;
  /** Distance between the eye centres in the photo's pixels. */
  eyeDistance: number;
  /** The detector's confidence, 0..1. */
  detectorScore: number;
  /** Nose offset along the eye line, in eye distances (0 frontal; see `landmarkPose`). */
  yaw: number;
  /** Nose position between eyes and mouth, minus 0.5 (0 frontal). */
  pitch: number;
  /** Variance of the Laplacian of the {@link QUALITY_CHIP} chip (see `chipSharpness`); null when not measured. */
  sharpness: number | null;
  /**
   * Length of mobilefacenet512's raw vector before L2 normalisation (`Embedder.embedWithNorms`; MagFace, Meng et al.,
   * CVPR 2021: margin-trained embedders give recognisable faces longer vectors); null when not measured.
   */
  embeddingNorm: number | null;
}

/**
 * The signals of one face: `face` as stored (box and 5 points in the photo's pixels), `chip` its {@link QUALITY_CHIP}
 * chip and `embeddingNorm` mobilefacenet512's raw norm of that chip, when at hand.
 */
export function qualitySignals(face: { box: Box; score: number; landmarks5: Landmarks5 }, chip?: RgbImage, embeddingNorm?: number): QualitySignals {
  const pose = landmarkPose(face.landmarks5);
  return {
    faceSide: Math.sqrt(Math.max(0, face.box.width) * Math.max(0, face.box.height)),
    eyeDistance: pose.eyeDistance,
    detectorScore: face.score,
    yaw: pose.yaw,
    pitch: pose.pitch,
    sharpness: chip ? chipSharpness(chip) : null,
    embeddingNorm: embeddingNorm ?? null,
  };
}
