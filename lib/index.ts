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
export { evaluateClustering, countClusters, SCORE_NAMES } from './evaluate/evaluate.ts';
export type { ClusteringMetrics, ScoreName } from './evaluate/evaluate.ts';
export { contingencyTable } from './evaluate/contingency.ts';
export type { Contingency, Labels } from './evaluate/contingency.ts';
export { pairwiseScores } from './evaluate/pairwise.ts';
export type { PrecisionRecallF1 } from './evaluate/pairwise.ts';
export { bcubedScores } from './evaluate/bcubed.ts';
export { normalizedMutualInfo } from './evaluate/nmi.ts';
export { adjustedRandIndex } from './evaluate/ari.ts';
export { vMeasureScores } from './evaluate/v-measure.ts';
export type { VMeasureScores } from './evaluate/v-measure.ts';
export { singletonShare } from './evaluate/singletons.ts';
export { majorityPurity } from './evaluate/purity.ts';
// evaluate's store files (engineer C): clustering runs saved in the store, clusters written out as folders.
export { saveClusters, SAVE_CLUSTERS_DEFAULTS } from './store/save-clusters.ts';
export type { SaveClustersOptions, SaveClustersResult, SavedFace, SavedFolder, SaveMode } from './store/save-clusters.ts';
export { writeRun, listRuns, readRun } from './store/runs.ts';
export type { ClusterRun, ClusterRunSummary, NewClusterRun } from './store/runs.ts';

// ---- reduce ----------------------------------------------------------------------------------
export { pca, pcaFit, PCA_DEFAULTS } from './reduce/pca.ts';
export type { PcaModel, PcaOptions } from './reduce/pca.ts';
export { tsne, TSNE_DEFAULTS } from './reduce/tsne.ts';
export type { TsneOptions } from './reduce/tsne.ts';
export { umap, UMAP_DEFAULTS } from './reduce/umap.ts';
export type { UmapOptions } from './reduce/umap.ts';
export { reduceBy, REDUCERS } from './reduce/registry.ts';
export type { ReducerName, ReducerOptions } from './reduce/registry.ts';

// ---- viz / report ----------------------------------------------------------------------------
