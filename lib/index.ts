/**
 * facecluster: the curated public API. Nothing else is public.
 *
 * Each section below belongs to one folder of lib/; add to a section, keep it sorted by pipeline order.
 */

// ---- shared types, errors, paths -------------------------------------------------------------
export type { Box, ClusterResult, DetectedFace, Embedding, Face, Landmarks5, Metric, Point, ProgressCallback } from './types.ts';
export { FaceclusterError } from './errors.ts';
export { dataDir, modelsDir, findData } from './paths.ts';
export { VERSION } from './version.ts';

// ---- datasets (precomputed LFW embeddings) ---------------------------------------------------
export { loadPrecomputedEmbeddings, precomputedEmbeddingsPath, encodeLabels, LOAD_PRECOMPUTED_DEFAULTS } from './datasets/precomputed.ts';
export type { LabelledEmbeddings, LoadPrecomputedOptions } from './datasets/precomputed.ts';

// ---- runtime, image, detect, align, embed, store (encode pipeline) ---------------------------

// ---- cluster ---------------------------------------------------------------------------------

// ---- evaluate --------------------------------------------------------------------------------
export { verificationAccuracy, VERIFICATION_DEFAULTS } from './evaluate/verification.ts';
export type { VerificationOptions, VerificationResult } from './evaluate/verification.ts';

// ---- reduce ----------------------------------------------------------------------------------

// ---- viz / report ----------------------------------------------------------------------------
