/**
 * A face's quality score: how likely it is that the face can be recognised, 0..1 (a logistic model of its
 * signals, see signals.ts). "Recognised" as measured by `npm run bench:quality`: the face's nearest neighbour among
 * the faces of other photos is the same person.
 *
 * Cox, "The regression analysis of binary sequences", JRSS B 1958 (the logistic model); the signals after
 * Pech-Pacheco et al., ICPR 2000 (variance of the Laplacian) and the face-quality literature (ISO/IEC 29794-5:
 * size, pose, sharpness).
 */
import { invalidParameter } from '../errors.ts';
import type { QualitySignals } from './signals.ts';

/** The model's inputs, in this order. */
export const QUALITY_FEATURE_NAMES = ['logSide', 'detectorScore', 'absYaw', 'absPitch', 'logSharpness', 'rawNorm'] as const;
export type QualityFeatureName = (typeof QUALITY_FEATURE_NAMES)[number];

/** A logistic model: quality = 1 / (1 + exp(-(intercept + Σ coefficient x feature))). */
export interface FaceQualityModel {
  intercept: number;
  coefficients: Record<QualityFeatureName, number>;
}

/** The features of {@link QUALITY_FEATURE_NAMES} from a face's signals (NaN for a signal not measured). */
export function qualityFeatures(s: QualitySignals): number[] {
  return [
    Math.log(Math.max(1, s.faceSide)),
    s.detectorScore,
    Math.abs(s.yaw),
    Math.abs(s.pitch),
    s.sharpness === null ? NaN : Math.log1p(Math.max(0, s.sharpness)),
    s.embeddingNorm ?? NaN,
  ];
}

/**
 * The shipped model: mobilefacenet512's raw norm, the detector's score and the log of the box side (`npm run
 * bench:quality`, fitted on 120faces, pins, families and celeba, each collection weighing the same; target: the
 * face's nearest neighbour among the faces of other photos is the same person, background faces negative).
 * Leave one collection out, ROC AUC on the held-out one: 0.924 / 0.982 / 0.747 / 0.876 (mean 0.882), against 0.880
 * for the raw norm alone, 0.872 with every signal (sharpness and pose add nothing once the norm is in), 0.817 for
 * every signal but the norm, 0.844 for what the store held before (side, score, pose).
 */
export const FACE_QUALITY_MODEL: Readonly<FaceQualityModel> = Object.freeze({
  intercept: -9.095,
  coefficients: Object.freeze({ logSide: 0.4837, detectorScore: 1.7382, absYaw: 0, absPitch: 0, logSharpness: 0, rawNorm: 2.1455 }),
});

/** The quality score of a face from its signals, 0..1 (higher: more likely to be recognised). */
export function faceQuality(signals: QualitySignals, model: Readonly<FaceQualityModel> = FACE_QUALITY_MODEL): number {
  const fn = 'faceQuality';
  if (!signals || !Number.isFinite(signals.faceSide) || !Number.isFinite(signals.detectorScore)) throw invalidParameter(fn, 'signals', 'the signals of a face (qualitySignals)', signals);
  const f = qualityFeatures(signals);
  let z = model.intercept;
  QUALITY_FEATURE_NAMES.forEach((k, i) => {
    if (model.coefficients[k] === 0) return;
    if (!Number.isFinite(f[i])) throw invalidParameter(fn, `signals.${k === 'logSharpness' ? 'sharpness' : k === 'rawNorm' ? 'embeddingNorm' : k}`, 'a measured value (the model uses it)', f[i]);
    z += model.coefficients[k] * f[i];
  });
  return 1 / (1 + Math.exp(-z));
}
