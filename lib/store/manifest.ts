/** The face store manifest: what made the store, so that a rerun knows when it must re-encode. */
import { createRequire } from 'node:module';
import { VERSION } from '../version.ts';

const require = createRequire(import.meta.url);

/** A further embedder of a store: its vectors are the column `embedding_<name>` of `faces.arrow`. */
export interface ExtraEmbedder {
  name: string;
  dimension: number;
  /** Its chip geometry (its own template and size). */
  template: string;
  size: number;
}

/**
 * Encoding parameters: when any differs from the stored ones, a rerun re-encodes every photo, except
 * `extraEmbedders` (a new one is computed from the stored detections: see {@link detectionKey}).
 */
export interface EncodeParameters {
  detector: string;
  /** The detector's load-time configuration, defaults included. */
  detectorConfig: Record<string, unknown>;
  embedder: string;
  /** Length of the stored embeddings. */
  embeddingDimension: number;
  /** Minimum detection score (the detector's default when none was given; null in stores that did not record it). */
  minScore: number | null;
  minFaceSize: number;
  align: { method: string; template: string; size: number };
  maxPixels: number;
  maxSide: number;
  /** `folder`: label = parent folder name; `none`: no labels. */
  labels: 'folder' | 'none';
  /**
   * The 68-point landmarker (`FaceEncoderOptions.landmarker`) when it is not `faceapi68`; absent: `faceapi68`,
   * the one every store made before the option used (so their parameters, and keys, are unchanged).
   */
  landmarker?: string;
  /**
   * Further embedders run on the same detections (`encode --embedder a,b`); absent in stores that have only
   * `embedder`.
   */
  extraEmbedders?: ExtraEmbedder[];
}

export interface StoreManifest {
  format: 'facecluster-face-store';
  formatVersion: 1;
  /** facecluster version that last wrote the store. */
  toolVersion: string;
  /** Model versions: face-api and tfjs package versions. */
  models: { faceApi: string; tfjs: string; landmarks: string };
  parameters: EncodeParameters;
  /** Absolute path of the photo folder when encoded. */
  photoFolder: string;
  /** tfjs backend of the last run, e.g. `wasm (SIMD, 1 thread), tfjs 4.22.0`. */
  backend: string;
  createdAt: string;
  updatedAt: string;
  /** Counts after the last completed run (or the last batch of an interrupted one). */
  counts: { photos: number; faces: number; noFace: number; failed: number };
  /** false while a run is in progress or after it was interrupted. */
  complete: boolean;
}

/** Versions of the packages that hold the models (weights ship inside face-api). */
export function modelVersions(): StoreManifest['models'] {
  const version = (pkg: string) => {
    try {
      return (require(`${pkg}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return { faceApi: version('@vladmandic/face-api'), tfjs: version('@tensorflow/tfjs'), landmarks: 'face-api faceLandmark68Net' };
}

/** Canonical JSON (sorted keys) of what decides whether stored faces are still valid. */
export function parametersKey(parameters: EncodeParameters, models: StoreManifest['models']): string {
  return stableStringify({ parameters, models: { faceApi: models.faceApi, landmarks: models.landmarks } });
}

/**
 * Canonical JSON of what decides whether stored detections (boxes, landmarks, and so alignment) are still
 * valid: every parameter but the embedders (the main one's geometry counts only through `align.method`) and the
 * detector options named in `recipeKeys` (options that only add faces: a change adds the new recipe's faces).
 */
export function detectionKey(parameters: EncodeParameters, models: StoreManifest['models'], recipeKeys: readonly string[] = []): string {
  const { embedder: _e, embeddingDimension: _d, extraEmbedders: _x, align, detectorConfig, ...rest } = parameters;
  const config = Object.fromEntries(Object.entries(detectorConfig).filter(([k]) => !recipeKeys.includes(k)));
  return stableStringify({ parameters: { ...rest, detectorConfig: config, align: { method: align.method } }, models: { faceApi: models.faceApi, landmarks: models.landmarks } });
}

/** The store's embedders, main first. */
export function storeEmbedders(parameters: EncodeParameters): string[] {
  return [parameters.embedder, ...(parameters.extraEmbedders ?? []).map((e) => e.name)];
}

export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export { VERSION as TOOL_VERSION };
