/**
 * The quality of the faces of one photo, as the pipeline stores it: each face's {@link QUALITY_CHIP} chip, its
 * sharpness, mobilefacenet512's raw norm of that chip, and the score of {@link faceQuality} from them and the
 * face's box and detector score. Whatever the store's embedder, the norm is mobilefacenet512's (the model was
 * fitted on it), so the score and its bar mean the same in every store.
 */
import { normCrop } from '../align/norm-crop.ts';
import type { Embedder } from '../embed/embedder.ts';
import { FaceclusterError } from '../errors.ts';
import type { Box, Landmarks5, RgbImage } from '../types.ts';
import { faceQuality } from './face-quality.ts';
import { QUALITY_CHIP, qualitySignals } from './signals.ts';

/** What the store keeps of a face's quality. */
export interface FaceQualityRecord {
  quality: number;
  sharpness: number;
  embeddingNorm: number;
}

/**
 * Quality of `faces` (box and 5 points in the photo's original pixels) of the working image `image` (`scale` working
 * pixels per original pixel). `embedder` must be a mobilefacenet512 (`embedWithNorms`); `known`, when the caller
 * already embedded the faces' {@link QUALITY_CHIP} chips with it, gives those chips and norms (no second run).
 */
export async function measureFaceQuality(
  image: RgbImage, scale: number, faces: readonly { box: Box; score: number; landmarks5: Landmarks5 }[], embedder: Embedder,
  known?: { chips: RgbImage[]; norms: Float32Array },
): Promise<FaceQualityRecord[]> {
  const fn = 'measureFaceQuality';
  if (embedder.name !== 'mobilefacenet512' || !embedder.embedWithNorms) throw new FaceclusterError(fn, `embedder must be mobilefacenet512 (the quality model is fitted on its raw norms), got ${JSON.stringify(embedder.name)}.`, 'embedder');
  if (faces.length === 0) return [];
  const chips = known?.chips ?? faces.map((f) => normCrop(image, f.landmarks5.map((p) => ({ x: p.x * scale, y: p.y * scale })) as Landmarks5, QUALITY_CHIP.template, QUALITY_CHIP.size).chip);
  const norms = known?.norms ?? (await embedder.embedWithNorms(chips)).norms;
  return faces.map((f, i) => {
    const signals = qualitySignals(f, chips[i], norms[i]);
    return { quality: faceQuality(signals), sharpness: signals.sharpness!, embeddingNorm: norms[i] };
  });
}
