/**
 * One photo -> its faces with embeddings: decode, detect, (68 landmarks -> 5 points when the detector
 * gives none), align, embed. Models are loaded once when the encoder is created and freed by `dispose()`.
 */
import { alignFace, ALIGN_DEFAULTS, resolveAlignOptions, type AlignOptions } from '../align/norm-crop.ts';
import { createLandmarker, DEFAULT_LANDMARKER, LANDMARKER_NAMES, type LandmarkerName } from '../detect/landmarkers.ts';
import { landmarks5From68, type Landmarker68 } from '../detect/landmarks68.ts';
import type { Detector } from '../detect/detector.ts';
import { createDetector, DEFAULT_DETECTOR, DETECTOR_DEFAULTS, DETECTOR_NAMES, detectionRecipe, type DetectorName } from '../detect/registry.ts';
import { boxIou, boxOverlapOfSmaller } from '../detect/nms.ts';
import { TILE_MERGE_OF_SMALLER } from '../detect/tiles.ts';
import { ULTRAFACE_CONFIG_DEFAULTS } from '../detect/ultraface.ts';
import type { Embedder } from '../embed/embedder.ts';
import { createEmbedder, DEFAULT_EMBEDDER, EMBEDDER_NAMES, EMBEDDER_SPECS, type EmbedderName } from '../embed/registry.ts';
import { FaceclusterError } from '../errors.ts';
import { decodeImage, DECODE_DEFAULTS, ImageDecodeError, workingSize, type DecodedImage } from '../image/decode.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import { loadTf } from '../runtime/tf.ts';
import type { Box, Embedding, Face, Landmarks5, Point, RgbImage } from '../types.ts';
import { measureFaceQuality, type FaceQualityRecord } from '../quality/measure.ts';
import { QUALITY_CHIP } from '../quality/signals.ts';

export interface FaceEncoderOptions {
  /**
   * Face detector (see `createDetector`; `whole-image` for collections of face crops).
   * @default 'ultraface' (`DEFAULT_DETECTOR`: the best recall of the shipped detectors on LFW and on face crops, and the fastest)
   */
  detector: DetectorName;
  /** Load-time detector configuration, passed to `createDetector`. @default {} (the detector's defaults) */
  detectorConfig: Record<string, unknown>;
  /**
   * 68-point landmark net run on each box of a detector that gives no landmarks (all but mtcnn and
   * whole-image); the 5 alignment points come from its 68 (`landmarks5From68`). See `createLandmarker`.
   * @default 'faceapi68' (`DEFAULT_LANDMARKER`)
   */
  landmarker: LandmarkerName;
  /** Embedder (see `createEmbedder`): gives `Face.embedding`. @default 'mobilefacenet512' (`DEFAULT_EMBEDDER`, see there why) */
  embedder: EmbedderName;
  /**
   * Further embedders run on the same detections: each face gets `embeddings[name]` for these and for
   * `embedder` (each aligned to its own template and size). @default [] (none)
   */
  extraEmbedders: EmbedderName[];
  /**
   * Minimum detection score; `undefined` keeps each detector's own default (0.7 for ultraface, 0.5 for ssd-mobilenet and tiny).
   * @default undefined
   */
  minScore: number | undefined;
  /** Minimum face size (shorter side of the box, original pixels). @default 0 (keep all faces) */
  minFaceSize: number;
  /**
   * Alignment of `embedder`'s chips (see `ALIGN_DEFAULTS`); `template` and `size` not given are the
   * embedder's own (`EMBEDDER_SPECS`: dlib 150 px for resnet128, ArcFace 112 px for the 112-px nets).
   * Extra embedders always use their own. @default { method: 'similarity' } (the embedder's geometry)
   */
  align: Partial<AlignOptions>;
  /** Decompression-bomb guard, pixels (see `DECODE_DEFAULTS.maxPixels`). @default 100_000_000 */
  maxPixels: number;
  /** Longer side of the working image (see `DECODE_DEFAULTS.maxSide`). @default 2048 */
  maxSide: number;
}

export const FACE_ENCODER_DEFAULTS: Readonly<FaceEncoderOptions> = Object.freeze({
  detector: DEFAULT_DETECTOR,
  detectorConfig: {},
  landmarker: DEFAULT_LANDMARKER,
  embedder: DEFAULT_EMBEDDER,
  extraEmbedders: [],
  minScore: undefined,
  minFaceSize: 0,
  align: { method: ALIGN_DEFAULTS.method },
  maxPixels: DECODE_DEFAULTS.maxPixels,
  maxSide: DECODE_DEFAULTS.maxSide,
});

/**
 * What encoding one photo gave. Faces are in original (upright) pixels, best detection score first; `detector`
 * is the detection recipe run on it (`detectionRecipe`), also set on each face.
 */
export type PhotoResult =
  | { status: 'ok' | 'no-face'; width: number; height: number; faces: Face[]; conversions: string[]; detector?: string }
  | { status: 'failed'; reason: string; faces: []; width?: number; height?: number };

/** A stored face as `embedFile` needs it: its 5 points, and for its quality its box and detector score (original pixels). */
export interface StoredDetection {
  landmarks5: Landmarks5;
  box?: Box;
  score?: number;
}

/** What {@link FaceEncoder.embedFile} gave: one vector per face per embedder, or why it failed. */
export type EmbedResult = { status: 'ok'; embeddings: Record<string, Embedding[]>; quality?: FaceQualityRecord[] } | { status: 'failed'; reason: string };

/**
 * Whether a detection is a face already stored (a box of an earlier recipe): overlap as tiles' copies of one face
 * are merged (IoU above UltraFace's default `nmsIou`, 0.3, or more than half of the smaller box inside the other: tiles.ts).
 */
export function isStoredFace(box: Box, stored: readonly Box[]): boolean {
  return stored.some((s) => boxIou(s, box) > ULTRAFACE_CONFIG_DEFAULTS.nmsIou || boxOverlapOfSmaller(s, box) > TILE_MERGE_OF_SMALLER);
}

/**
 * The detection recipe (`detectionRecipe`) detector `detector` with load-time `config` runs on an upright `width` x
 * `height` photo: on the working image `decodeImage` makes of it with `maxSide`.
 */
export function photoRecipe(detector: string, config: Readonly<Record<string, unknown>>, maxSide: number, width: number, height: number): string {
  const w = workingSize(width, height, maxSide);
  return detectionRecipe(detector, config, w.width, w.height);
}

export interface FaceEncoder {
  readonly options: FaceEncoderOptions;
  /** e.g. `wasm (SIMD, 1 thread), tfjs 4.22.0`. */
  readonly backend: string;
  /**
   * Encodes one photo file; never throws for a bad file (status `failed` with the reason). With `stored` (boxes of
   * faces already stored for it, original pixels), only the faces found that are not among them are aligned,
   * embedded and returned ({@link isStoredFace}): a new detection recipe adds faces to a store.
   */
  encodeFile(path: string, stored?: readonly Box[]): Promise<PhotoResult>;
  /** Encodes an already decoded photo (`stored`: as for `encodeFile`). */
  encodeDecoded(decoded: DecodedImage, stored?: readonly Box[]): Promise<PhotoResult>;
  /** The detection recipe this encoder runs on an upright `width` x `height` photo (`detectionRecipe`). */
  recipe(width: number, height: number): string;
  /**
   * Embeds faces already detected in a photo (their 5 points, original pixels) with `embedders` (each must be
   * `embedder` or one of `extraEmbedders`): decode, align, embed; the detector is not run. With `quality`, also
   * measures each face's quality (its box and score are then needed: `measureFaceQuality`).
   */
  embedFile(path: string, faces: readonly StoredDetection[], embedders: readonly EmbedderName[], quality?: boolean): Promise<EmbedResult>;
  /** Photos this encoder ran the detector on (for tests and summaries). */
  readonly detectorCalls: number;
  dispose(): void;
}

/** Checks encoder options (shared with the folder pipeline, which checks before starting workers). */
export function resolveFaceEncoderOptions(options?: Partial<FaceEncoderOptions>): FaceEncoderOptions {
  const fn = 'createFaceEncoder';
  const o = resolveOptions(fn, FACE_ENCODER_DEFAULTS, options);
  checkOneOf(fn, 'detector', o.detector, DETECTOR_NAMES);
  checkOneOf(fn, 'landmarker', o.landmarker, LANDMARKER_NAMES);
  checkOneOf(fn, 'embedder', o.embedder, EMBEDDER_NAMES);
  if (!Array.isArray(o.extraEmbedders)) throw new FaceclusterError(fn, `extraEmbedders must be an array of embedder names, got ${JSON.stringify(o.extraEmbedders)}.`, 'extraEmbedders');
  for (const e of o.extraEmbedders) checkOneOf(fn, 'extraEmbedders[]', e, EMBEDDER_NAMES);
  o.extraEmbedders = [...new Set(o.extraEmbedders)].filter((e) => e !== o.embedder);
  if (o.minScore !== undefined) checkNumber(fn, 'minScore', o.minScore, 0, 1);
  checkNumber(fn, 'minFaceSize', o.minFaceSize, 0);
  checkInteger(fn, 'maxPixels', o.maxPixels, 1);
  checkInteger(fn, 'maxSide', o.maxSide, 16);
  const own = EMBEDDER_SPECS[o.embedder];
  const given = Object.fromEntries(Object.entries(o.align ?? {}).filter(([, v]) => v !== undefined));
  o.align = resolveAlignOptions({ template: own.template, size: own.inputSize, ...given });
  return o;
}

/** Loads the models of `options` and returns an encoder. */
export async function createFaceEncoder(options?: Partial<FaceEncoderOptions>): Promise<FaceEncoder> {
  const o = resolveFaceEncoderOptions(options);
  const runtime = await loadTf();
  let detector: Detector | undefined;
  let landmarker: Landmarker68 | undefined;
  const embedders = new Map<EmbedderName, Embedder>();
  let qualityEmbedder: Embedder | undefined;
  let ownQualityEmbedder: Embedder | undefined;
  try {
    detector = await createDetector(o.detector, o.detectorConfig as never);
    for (const name of [o.embedder, ...o.extraEmbedders]) embedders.set(name, await createEmbedder(name));
    // the quality score needs mobilefacenet512's raw norms, whatever the store's embedders
    qualityEmbedder = embedders.get('mobilefacenet512') ?? (ownQualityEmbedder = await createEmbedder('mobilefacenet512'));
    landmarker = await createLandmarker(o.landmarker);
  } catch (e) {
    detector?.dispose();
    for (const e of embedders.values()) e.dispose();
    ownQualityEmbedder?.dispose();
    landmarker?.dispose();
    throw e;
  }
  const qualityNet = qualityEmbedder;
  const det = detector, lm = landmarker;
  const align = o.align as AlignOptions;
  const detectorConfig = { ...DETECTOR_DEFAULTS[o.detector].config, ...o.detectorConfig };
  const recipe = (width: number, height: number): string => photoRecipe(o.detector, detectorConfig, o.maxSide, width, height);
  /** Chip geometry per embedder: `align` for the main one, each extra's own template and size. */
  const alignOf = (name: EmbedderName): AlignOptions =>
    name === o.embedder ? align : { method: 'similarity', template: EMBEDDER_SPECS[name].template, size: EMBEDDER_SPECS[name].inputSize };
  let disposed = false;
  let detectorCalls = 0;

  /**
   * Every embedder's vectors for `faces` of `image` (working pixels); `quality` gets the quality chips and
   * mobilefacenet512's norms of them when an embedder run made them (its chips are the quality chips).
   */
  async function embedAll(
    image: DecodedImage['image'], faces: readonly { landmarks5: Landmarks5; landmarks68?: Point[] }[], names: readonly EmbedderName[],
    quality?: { chips?: RgbImage[]; norms?: Float32Array },
  ): Promise<Record<string, Embedding[]>> {
    const out: Record<string, Embedding[]> = {};
    for (const name of names) {
      const emb = embedders.get(name);
      if (!emb) throw new FaceclusterError('FaceEncoder.embedFile', `embedders must be among the loaded ${JSON.stringify([...embedders.keys()])}, got ${JSON.stringify(name)}.`, 'embedders');
      const a = alignOf(name);
      const chips = faces.map((f) => alignFace(image, f, a).chip);
      if (quality && emb === qualityNet && a.method === 'similarity' && a.template === QUALITY_CHIP.template && a.size === QUALITY_CHIP.size) {
        const r = await emb.embedWithNorms!(chips);
        out[name] = r.embeddings;
        quality.chips = chips;
        quality.norms = r.norms;
      } else out[name] = await emb.embed(chips);
    }
    return out;
  }

  /** Quality records of `faces` (original pixels) of a working image, reusing an embedder run's chips and norms. */
  function qualityOf(image: RgbImage, scale: number, faces: readonly { box: Box; score: number; landmarks5: Landmarks5 }[], known: { chips?: RgbImage[]; norms?: Float32Array }) {
    return measureFaceQuality(image, scale, faces, qualityNet, known.chips && known.norms ? { chips: known.chips, norms: known.norms } : undefined);
  }

  async function encodeDecoded(decoded: DecodedImage, stored?: readonly Box[]): Promise<PhotoResult> {
    if (disposed) throw new FaceclusterError('FaceEncoder.encode', 'the encoder was disposed.');
    const { image, scale } = decoded;
    const detector = recipe(decoded.originalWidth, decoded.originalHeight);
    detectorCalls++;
    let found = await det.detect(image, { minScore: o.minScore, minFaceSize: o.minFaceSize * scale });
    if (stored && stored.length > 0) {
      const inWorking = stored.map((b) => ({ x: b.x * scale, y: b.y * scale, width: b.width * scale, height: b.height * scale }));
      found = found.filter((f) => !isStoredFace(f.box, inWorking));
    }
    const needs68 = found.filter((f) => !f.landmarks5 || align.method === 'landmark-box');
    const pts68 = await lm.landmarks(image, needs68.map((f) => f.box));
    needs68.forEach((f, i) => {
      f.landmarks68 = pts68[i];
      f.landmarks5 ??= landmarks5From68(pts68[i]);
    });
    const known: { chips?: RgbImage[]; norms?: Float32Array } = {};
    const all = await embedAll(image, found.map((f) => ({ landmarks5: f.landmarks5 as Landmarks5, landmarks68: f.landmarks68 })), [...embedders.keys()], known);
    const embeddings = all[o.embedder];
    const several = embedders.size > 1;
    const inv = 1 / scale;
    const toOriginal = (p: Point): Point => ({ x: p.x * inv, y: p.y * inv });
    const faces: Face[] = found.map((f, i) => ({
      box: { x: f.box.x * inv, y: f.box.y * inv, width: f.box.width * inv, height: f.box.height * inv },
      score: f.score,
      landmarks5: (f.landmarks5 as Landmarks5).map(toOriginal) as Landmarks5,
      ...(f.landmarks68 ? { landmarks68: f.landmarks68.map(toOriginal) } : {}),
      embedding: embeddings[i],
      ...(several ? { embeddings: Object.fromEntries(Object.entries(all).map(([name, v]) => [name, v[i]])) } : {}),
      detector,
    }));
    const quality = await qualityOf(image, scale, faces, known);
    faces.forEach((f, i) => Object.assign(f, quality[i]));
    return { status: faces.length > 0 ? 'ok' : 'no-face', width: decoded.originalWidth, height: decoded.originalHeight, faces, conversions: decoded.conversions, detector };
  }

  async function embedFile(path: string, faces: readonly StoredDetection[], names: readonly EmbedderName[], withQuality = false): Promise<EmbedResult> {
    if (disposed) throw new FaceclusterError('FaceEncoder.embedFile', 'the encoder was disposed.');
    let decoded: DecodedImage;
    try {
      decoded = await decodeImage(path, { maxPixels: o.maxPixels, maxSide: o.maxSide });
    } catch (e) {
      return { status: 'failed', reason: e instanceof ImageDecodeError ? e.reason : `cannot decode: ${(e as Error)?.message ?? e}` };
    }
    try {
      const s = decoded.scale;
      const inWorking = faces.map((f) => ({ landmarks5: f.landmarks5.map((p) => ({ x: p.x * s, y: p.y * s })) as Landmarks5 }));
      const known: { chips?: RgbImage[]; norms?: Float32Array } = {};
      const embeddings = await embedAll(decoded.image, inWorking, names, known);
      if (!withQuality) return { status: 'ok', embeddings };
      const detections = faces.map((f, i) => {
        if (!f.box || typeof f.score !== 'number') throw new FaceclusterError('FaceEncoder.embedFile', `faces[${i}] must have a box and a score to measure its quality.`, 'faces');
        return { box: f.box, score: f.score, landmarks5: f.landmarks5 };
      });
      return { status: 'ok', embeddings, quality: await qualityOf(decoded.image, s, detections, known) };
    } catch (e) {
      return { status: 'failed', reason: `embedding failed: ${(e as Error)?.message ?? e}` };
    }
  }

  return {
    options: o,
    backend: runtime.description,
    encodeDecoded,
    embedFile,
    recipe,
    get detectorCalls() {
      return detectorCalls;
    },
    async encodeFile(path: string, stored?: readonly Box[]): Promise<PhotoResult> {
      let decoded: DecodedImage;
      try {
        decoded = await decodeImage(path, { maxPixels: o.maxPixels, maxSide: o.maxSide });
      } catch (e) {
        const reason = e instanceof ImageDecodeError ? e.reason : `cannot decode: ${(e as Error)?.message ?? e}`;
        return { status: 'failed', reason, faces: [] };
      }
      try {
        return await encodeDecoded(decoded, stored);
      } catch (e) {
        return { status: 'failed', reason: `encoding failed: ${(e as Error)?.message ?? e}`, faces: [], width: decoded.originalWidth, height: decoded.originalHeight };
      }
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      det.dispose();
      lm.dispose();
      for (const e of embedders.values()) e.dispose();
      ownQualityEmbedder?.dispose();
    },
  };
}
