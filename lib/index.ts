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
export { loadTf } from './runtime/tf.ts';
export type { TfRuntime } from './runtime/tf.ts';
export { decodeImage, DECODE_DEFAULTS, ImageDecodeError } from './image/decode.ts';
export type { DecodedImage, DecodeOptions } from './image/decode.ts';
export { cropImage, padImage, clampBox } from './image/crop.ts';
export type { Detector, DetectOptions } from './detect/detector.ts';
export { createDetector, DETECTOR_NAMES, DEFAULT_DETECTOR } from './detect/registry.ts';
export type { DetectorName, DetectorConfigs } from './detect/registry.ts';
export { SSD_MOBILENET_CONFIG_DEFAULTS, SSD_MOBILENET_DETECT_DEFAULTS } from './detect/ssd-mobilenet.ts';
export { TINY_CONFIG_DEFAULTS, TINY_DETECT_DEFAULTS } from './detect/tiny.ts';
export { createLandmarker68, landmarks5From68 } from './detect/landmarks68.ts';
export type { Landmarker68 } from './detect/landmarks68.ts';
export { createLandmarker, LANDMARKER_NAMES, DEFAULT_LANDMARKER } from './detect/landmarkers.ts';
export type { LandmarkerName, LandmarkerConfigs } from './detect/landmarkers.ts';
export { FACEPLUGIN68_CONFIG_DEFAULTS } from './detect/landmarks-faceplugin.ts';
export { estimateSimilarity, applyAffine, invertAffine } from './align/similarity.ts';
export type { Affine } from './align/similarity.ts';
export { alignFace, normCrop, landmarkBoxCrop, warpAffine, ALIGN_DEFAULTS } from './align/norm-crop.ts';
export type { AlignOptions, AlignedChip } from './align/norm-crop.ts';
export { dlibTemplate, arcfaceTemplate, namedTemplate, TEMPLATE_NAMES } from './align/templates.ts';
export type { AlignTemplate, TemplateName } from './align/templates.ts';
export type { Embedder } from './embed/embedder.ts';
export { createEmbedder, EMBEDDER_NAMES, DEFAULT_EMBEDDER, EMBEDDER_SPECS, embedderDistanceScale, embedderMixtureOptions, UNMEASURED_MIXTURE } from './embed/registry.ts';
export type { EmbedderName, EmbedderSpec } from './embed/registry.ts';
export { fuseEmbeddings, fusionParts } from './embed/fusion.ts';
export { createFaceEncoder, FACE_ENCODER_DEFAULTS } from './pipeline/face-encoder.ts';
export { encodeFolder, ENCODE_FOLDER_DEFAULTS } from './pipeline/encode-folder.ts';
export type { EncodeFolderOptions, EncodeFolderSummary, EncodeProgressInfo } from './pipeline/encode-folder.ts';
export { scanPhotos, folderLabel, PHOTO_EXTENSIONS } from './pipeline/scan.ts';
export type { FaceEncoder, FaceEncoderOptions, PhotoResult } from './pipeline/face-encoder.ts';
export { openStore, readFaces, OPEN_STORE_DEFAULTS } from './store/read.ts';
export type { FaceStore } from './store/read.ts';
export { readFaceTable } from './store/face-table.ts';
export type { FaceTable } from './store/face-table.ts';
export type { PhotoRecord, PhotoStatus, StoredFace } from './store/schema.ts';
export type { StoreManifest, EncodeParameters } from './store/manifest.ts';
export { defaultOutputDir, defaultStoreDir, OUTPUT_ROOT, STORE_DIRNAME } from './store/layout.ts';
export { createMtcnn, mtcnnWeightsDir, MTCNN_CONFIG_DEFAULTS, MTCNN_DETECT_DEFAULTS, type MtcnnConfig, type MtcnnDetector } from './detect/mtcnn.ts';

// ---- cluster ---------------------------------------------------------------------------------
export { kmeans, kmeansSteps, KMEANS_DEFAULTS } from './cluster/kmeans.ts';
export type { KMeansOptions, KMeansResult, KMeansStep } from './cluster/kmeans.ts';
export { dbscan, DBSCAN_DEFAULTS } from './cluster/dbscan.ts';
export type { DbscanOptions } from './cluster/dbscan.ts';
export { clusterAuto, explainAuto, AUTO_DEFAULTS } from './cluster/auto.ts';
export type { AutoOptions, AutoEvidence, AutoClusterResult, AutoCriterion } from './cluster/auto.ts';
export { fitDistanceMixture, sameProbability, componentDensities, modeDistance, FIT_DISTANCE_MIXTURE_DEFAULTS, MIXTURE_SPACES } from './cluster/distance-mixture.ts';
export type { DistanceMixture, MixtureComponent, MixtureSpace, FitDistanceMixtureOptions } from './cluster/distance-mixture.ts';
export { expectedScores, pairProbabilities } from './cluster/expected-scores.ts';
export { leastCertain, LEAST_CERTAIN_DEFAULTS } from './cluster/least-certain.ts';
export type { LeastCertain, LeastCertainOptions, ClusterConfidence, MergeCandidate, LeaveCandidate } from './cluster/least-certain.ts';
export type { ExpectedScores, PairProbabilities } from './cluster/expected-scores.ts';
export { chineseWhispers, CHINESE_WHISPERS_DEFAULTS } from './cluster/chinese-whispers.ts';
export type { ChineseWhispersOptions, ChineseWhispersWeighting } from './cluster/chinese-whispers.ts';
export { rankOrder, rankOrderDistance, RANK_ORDER_DEFAULTS } from './cluster/rank-order.ts';
export type { RankOrderOptions } from './cluster/rank-order.ts';
export { approximateRankOrder, APPROXIMATE_RANK_ORDER_DEFAULTS } from './cluster/approximate-rank-order.ts';
export type { ApproximateRankOrderOptions } from './cluster/approximate-rank-order.ts';
export { agglomerative, linkageTree, cutTree, AGGLOMERATIVE_DEFAULTS, LINKAGES } from './cluster/agglomerative.ts';
export type { AgglomerativeOptions, AgglomerativeResult, Linkage, MergeTree } from './cluster/agglomerative.ts';
export { affinityPropagation, AFFINITY_PROPAGATION_DEFAULTS } from './cluster/affinity-propagation.ts';
export type { AffinityPropagationOptions, AffinityPropagationResult } from './cluster/affinity-propagation.ts';
export { pruneSmallClusters } from './cluster/prune.ts';
export { CLUSTER_METHODS, CLUSTER_METHOD_NAMES, DEFAULT_CLUSTER_METHOD, clusterBy, getClusterMethod, scaledClusterMethod } from './cluster/registry.ts';
export type { ClusterMethod, ClusterMethodName, SweepSpec } from './cluster/registry.ts';

// ---- evaluate --------------------------------------------------------------------------------
export { verificationAccuracy, VERIFICATION_DEFAULTS } from './evaluate/verification.ts';
export type { VerificationOptions, VerificationResult } from './evaluate/verification.ts';
export { decidability, DECIDABILITY_DEFAULTS } from './evaluate/decidability.ts';
export type { DecidabilityOptions, DecidabilityResult } from './evaluate/decidability.ts';
export { lfwTenFold, parseLfwPairs } from './evaluate/lfw-pairs.ts';
export type { LfwPair, TenFoldResult } from './evaluate/lfw-pairs.ts';
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
export { sweep, sweepTable, rangeValues, PARAMETER_SWEEP_DEFAULTS } from './evaluate/sweep.ts';
export type { ParameterSweepOptions, ParameterSweepResult, ParameterSweepRow } from './evaluate/sweep.ts';
// evaluate's store files (engineer C): clustering runs saved in the store, clusters written out as folders.
export { saveClusters, SAVE_CLUSTERS_DEFAULTS } from './store/save-clusters.ts';
export type { SaveClustersOptions, SaveClustersResult, SavedFace, SavedFolder, SaveMode } from './store/save-clusters.ts';
export { writeRun, listRuns, readRun } from './store/runs.ts';
export type { ClusterRun, ClusterRunSummary, NewClusterRun } from './store/runs.ts';
// export to other tools (issue 21): Parquet / CSV files every data tool reads.
export { exportStore, EXPORT_DEFAULTS, EXPORT_FORMATS } from './store/export.ts';
export type { ExportFormat, ExportOptions, ExportPeople, ExportResult } from './store/export.ts';

// ---- people (ids, names and corrections kept across runs) ------------------------------------
export { openPeople, updateStorePeople, namePerson, mergePeople, moveFace, splitPerson, ignoreFace, listPeople, faceStatusCounts, personFolderNames, faceId, PEOPLE_CHANGE_DEFAULTS } from './people/people.ts';
export type { Person, StorePeople, PeopleChangeOptions } from './people/people.ts';
export { updatePeople, snapshotOf, UPDATE_PEOPLE_DEFAULTS, QUALITY_BAR, POOR_JOIN_FACTOR } from './people/assign.ts';
export type { FaceStatus, PeopleSnapshot, PeopleState, PeopleUpdateSummary, PersonRecord, UpdatePeopleOptions } from './people/assign.ts';
export { storeFaceIndex, FACE_INDEX_FILE, FACE_INDEX_RECORD } from './people/face-index.ts';
export type { FaceIndexReport, FaceNeighbourIndex, StoreFaceIndex } from './people/face-index.ts';
export { foldCorrections, areDistinct } from './people/constraints.ts';
export type { PeopleConstraints } from './people/constraints.ts';
export { readCorrections, CORRECTIONS_FILE } from './people/journal.ts';
export type { Correction, IgnoreReason, JournalEntry } from './people/journal.ts';
export { moveFaces, ignoreFaces, markDistinct } from './people/people.ts';
export { reviewQuestions, REVIEW_DEFAULTS } from './people/review.ts';
export type { ReviewQuestions, ReviewPair, ReviewFace, ReviewOptions } from './people/review.ts';
export { representativeFaces } from './people/representative.ts';
export { sameFaceRule } from './people/rule.ts';
export { placePoorFaces, clusterGoodFaces } from './people/poor-faces.ts';

// ---- face quality (how likely a face is to be recognised) -------------------------------------------------
export { faceQuality, qualityFeatures, FACE_QUALITY_MODEL, QUALITY_FEATURE_NAMES } from './quality/face-quality.ts';
export type { FaceQualityModel, QualityFeatureName } from './quality/face-quality.ts';
export { qualitySignals, QUALITY_CHIP } from './quality/signals.ts';
export type { QualitySignals } from './quality/signals.ts';
export { chipSharpness } from './quality/sharpness.ts';
export { landmarkPose } from './quality/pose.ts';
export type { LandmarkPose } from './quality/pose.ts';
export { measureFaceQuality } from './quality/measure.ts';
export { embedderNullResponse, embeddingQuality, identitylessChips, nullResponseQuality, NULL_SIMILARITY_BAR, NULL_SIMILARITY_BARS } from './quality/null-response.ts';
export type { FaceQualityRecord } from './quality/measure.ts';
export type { SameFaceRule } from './people/rule.ts';

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
export { scatterSpec, SCATTER_DEFAULTS } from './viz/scatter.ts';
export type { ScatterOptions, ScatterPoint } from './viz/scatter.ts';
export { pairDistances, PAIR_DISTANCE_DEFAULTS } from './viz/pairs.ts';
export type { PairDistanceOptions, PairDistances } from './viz/pairs.ts';
export { distanceHistogramSpec, histogramBins, HISTOGRAM_DEFAULTS } from './viz/histogram.ts';
export type { HistogramOptions } from './viz/histogram.ts';
export { sweepSpec, SWEEP_DEFAULTS, SWEEP_SLIDER_PARAM } from './viz/sweep.ts';
export { mixtureHistogramSpec, expectedCurveSpec } from './viz/auto-evidence.ts';
export type { SweepOptions, SweepRow } from './viz/sweep.ts';
export { clusterSizeSpec, clusterSizeCounts, CLUSTER_SIZE_DEFAULTS } from './viz/sizes.ts';
export type { ClusterSizeOptions } from './viz/sizes.ts';
export { metricsTableSpec, METRICS_TABLE_DEFAULTS } from './viz/metrics-table.ts';
export type { MetricsRow, MetricsTableOptions } from './viz/metrics-table.ts';
export { clusterErrors, CLUSTER_ERROR_DEFAULTS } from './viz/cluster-errors.ts';
export type { ClusterErrorOptions, ImpureCluster, SplitIdentity } from './viz/cluster-errors.ts';
export { renderSvg, renderPng, svgToPng, toVegaSpec, RENDER_PNG_DEFAULTS } from './viz/render.ts';
export type { RenderPngOptions } from './viz/render.ts';
export { showChart, showTable, showImage, showHtml, showBundle, pngDisplayMetadata, chartBundle, tableBundle, imageBundle, staticFallbackProblem, CHART_DEFAULTS, TABLE_DEFAULTS, STATIC_IMAGE_MIMES, VEGA_LITE_MIME } from './viz/display.ts';
export type { ChartOptions, DisplayLike, MimeBundle, TableOptions } from './viz/display.ts';
export { progressDisplay, progressText, formatDuration, PROGRESS_DISPLAY_DEFAULTS } from './viz/progress-display.ts';
export type { ProgressDisplayOptions } from './viz/progress-display.ts';
export { faceMapBundle, faceMapSvg, showFaceMap, FACE_MAP_DEFAULTS } from './viz/face-map.ts';
export type { FaceMapOptions } from './viz/face-map.ts';
export { escapeHtml, jsonForScript } from './viz/escape.ts';
export { thumbnail, thumbnailBuffer, THUMBNAIL_DEFAULTS } from './image/thumbnail.ts';
export type { ThumbnailOptions, ImageInput } from './image/thumbnail.ts';
export { montage, montageSize, MONTAGE_DEFAULTS } from './image/montage.ts';
export type { MontageOptions, MontageTile } from './image/montage.ts';
export { buildReport, REPORT_DEFAULTS } from './viz/report.ts';
export type { ReportClustering, ReportFace, ReportInput, ReportOptions, ReportResult, ReportSweep } from './viz/report.ts';

// ---- the browser app (facecluster serve) ------------------------------------------------------------------------
export { startServer, SERVE_DEFAULTS } from './serve/server.ts';
export type { ServeOptions, RunningServer } from './serve/server.ts';
