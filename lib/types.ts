/**
 * Shared types of facecluster. Every module speaks in these.
 *
 * Coordinates are in original image pixels (after EXIF orientation), origin top-left.
 */

/** A face embedding (descriptor). The face-api ResNet embedder gives 128 floats. */
export type Embedding = Float32Array;

/** A rectangle in original image pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A 2-D point in original image pixels. */
export interface Point {
  x: number;
  y: number;
}

/**
 * The 5 canonical face points, in this order:
 * left eye centre, right eye centre, nose tip, left mouth corner, right mouth corner
 * ("left" as seen in the image, i.e. smaller x for an upright frontal face).
 * The order of insightface's `arcface_dst` template and of MTCNN's outputs.
 */
export type Landmarks5 = [Point, Point, Point, Point, Point];

/** One detected face, as a detector returns it. */
export interface DetectedFace {
  box: Box;
  /** Detection confidence in [0, 1]. */
  score: number;
  /** 5 canonical points (see {@link Landmarks5}); absent when the detector gives none. */
  landmarks5?: Landmarks5;
  /** Dense landmarks when the pipeline computed them (face-api 68-point), original pixels. */
  landmarks68?: Point[];
  /**
   * The detection recipe that found the face (`detectionRecipe`: `ultraface`, `ultraface+tiles20`, `mtcnn`, ...),
   * set by the face encoder; absent in stores written before it was recorded.
   */
  detector?: string;
}

/** A face with its embedding: one row of the face store. */
export interface Face extends DetectedFace {
  landmarks5: Landmarks5;
  embedding: Embedding;
  /**
   * Every embedder's vector by embedder name (`embedding` is one of them), when the face was embedded by
   * more than one (`encode --embedder a,b`).
   */
  embeddings?: Record<string, Embedding>;
  /**
   * Quality score, 0..1: how likely the face is to be recognised (lib/quality: `faceQuality`); absent in stores
   * written before it existed (the next `encode` adds it).
   */
  quality?: number;
  /** Sharpness of the aligned chip, one of the quality signals (`chipSharpness`). */
  sharpness?: number;
  /** Length of the main embedder's raw vector before normalisation, when it gives one (a quality signal). */
  embeddingNorm?: number;
}

/** Distance between embeddings. `cosine` is 1 - cos(a, b). */
export type Metric = 'euclidean' | 'cosine';

/**
 * What every clustering function returns.
 * `labels[i]` is the cluster of point i: 0 .. nClusters-1, or -1 for noise.
 */
export interface ClusterResult {
  labels: Int32Array;
  nClusters: number;
  /** Legal but odd outcomes (e.g. "every point is noise"): never thrown, reported here. */
  warnings: string[];
}

/** Progress callback used by long-running library functions. The library never prints. */
export type ProgressCallback = (done: number, total: number, info?: Record<string, unknown>) => void;

/** A decoded, upright (EXIF-oriented), 8-bit RGB image: `data` is row-major, 3 bytes a pixel. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}
