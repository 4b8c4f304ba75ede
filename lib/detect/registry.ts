/**
 * `createDetector(name, config)`: builds a face detector by name. Unknown names throw, listing the
 * valid ones; there is no silent fallback.
 *
 * To add a detector: write `lib/detect/<name>.ts` exporting an async factory that returns a
 * {@link Detector}, add its name to {@link DETECTOR_NAMES} and one line to `FACTORIES` below.
 */
import { unknownName } from '../errors.ts';
import type { DetectOptions, Detector } from './detector.ts';
import { createSsdMobilenetDetector, SSD_MOBILENET_CONFIG_DEFAULTS, SSD_MOBILENET_DETECT_DEFAULTS, type SsdMobilenetConfig } from './ssd-mobilenet.ts';
import { createTinyDetector, TINY_CONFIG_DEFAULTS, TINY_DETECT_DEFAULTS, type TinyConfig } from './tiny.ts';
import { createMtcnn, MTCNN_CONFIG_DEFAULTS, MTCNN_DETECT_DEFAULTS, type MtcnnConfig } from './mtcnn.ts';
import { createUltrafaceDetector, ULTRAFACE_CONFIG_DEFAULTS, ULTRAFACE_DETECT_DEFAULTS, ultrafaceTiles, type UltrafaceConfig } from './ultraface.ts';
import { createWholeImageDetector, WHOLE_IMAGE_CONFIG_DEFAULTS, WHOLE_IMAGE_DETECT_DEFAULTS, type WholeImageConfig } from './whole-image.ts';

/** Every registered detector name; the first is the default. */
export const DETECTOR_NAMES = ['ultraface', 'ssd-mobilenet', 'tiny', 'mtcnn', 'whole-image'] as const;

export type DetectorName = (typeof DETECTOR_NAMES)[number];

/**
 * The default detector: UltraFace RFB-320 on onnxruntime (see ultraface.ts). Measured against face-api's SSD
 * MobileNet v1, the default before it: photos with a face 234/234 vs 233/234 on the LFW 120-face subset and
 * 99.7% vs ~79% on tight 92x112 grey LFW crops, same verification accuracy, ~3 ms a photo instead of ~100.
 */
export const DEFAULT_DETECTOR: DetectorName = 'ultraface';

/** Load-time configuration, by detector name. */
export interface DetectorConfigs {
  'ssd-mobilenet': SsdMobilenetConfig;
  tiny: TinyConfig;
  mtcnn: MtcnnConfig;
  ultraface: UltrafaceConfig;
  'whole-image': WholeImageConfig;
}

const FACTORIES: { [K in DetectorName]: (config?: Partial<DetectorConfigs[K]>) => Promise<Detector> } = {
  'ssd-mobilenet': createSsdMobilenetDetector,
  tiny: createTinyDetector,
  mtcnn: createMtcnn,
  ultraface: createUltrafaceDetector,
  'whole-image': createWholeImageDetector,
};

/**
 * Each detector's defaults: load-time `config` and per-call `detect` options. Face stores record the
 * resolved values, so that a changed default re-encodes the photos.
 */
export const DETECTOR_DEFAULTS: { readonly [K in DetectorName]: { config: Readonly<DetectorConfigs[K]>; detect: Readonly<DetectOptions> } } = {
  'ssd-mobilenet': { config: SSD_MOBILENET_CONFIG_DEFAULTS, detect: SSD_MOBILENET_DETECT_DEFAULTS },
  tiny: { config: TINY_CONFIG_DEFAULTS, detect: TINY_DETECT_DEFAULTS },
  mtcnn: { config: MTCNN_CONFIG_DEFAULTS, detect: MTCNN_DETECT_DEFAULTS },
  ultraface: { config: ULTRAFACE_CONFIG_DEFAULTS, detect: ULTRAFACE_DETECT_DEFAULTS },
  'whole-image': { config: WHOLE_IMAGE_CONFIG_DEFAULTS, detect: WHOLE_IMAGE_DETECT_DEFAULTS },
};

/**
 * Load-time options that only add passes on large photos (UltraFace's tiles): a store detected without them, or
 * with other values, keeps its faces when they change, and `encode` adds the faces the new recipe finds
 * (see {@link detectionRecipe}). Every other option re-detects every photo.
 */
export const RECIPE_CONFIG_KEYS: readonly string[] = ['tileMinFace'];

/**
 * The detection recipe detector `name` with load-time `config` (defaults included; a key absent is off) runs on a
 * working image of `width` x `height`: the name, and `+tiles<N>` when it also reads that photo in windows
 * (UltraFace, `tileMinFace` N > 0, a photo large enough: see tiles.ts). Stored with each face (`Face.detector`)
 * and each photo, so that a store knows which photos a new recipe has not run on. On photos that get no tiles
 * (LFW's 250x250, every devset photo) the default recipe is `ultraface`, as before tiles existed.
 */
export function detectionRecipe(name: string, config: Readonly<Record<string, unknown>>, width: number, height: number): string {
  if (name === 'ultraface') {
    const min = typeof config.tileMinFace === 'number' ? config.tileMinFace : 0;
    if (ultrafaceTiles(width, height, min).length > 0) return `ultraface+tiles${min}`;
  }
  return name;
}

/** Whether `name` is a registered detector name. */
export function isDetectorName(name: unknown): name is DetectorName {
  return typeof name === 'string' && (DETECTOR_NAMES as readonly string[]).includes(name);
}

/**
 * Builds the detector `name` with its load-time `config` (see each detector's `*_CONFIG_DEFAULTS`).
 * Weights are loaded once per process; call `dispose()` when done.
 */
export async function createDetector<K extends DetectorName>(name: K, config?: Partial<DetectorConfigs[K]>): Promise<Detector> {
  if (!isDetectorName(name)) throw unknownName('createDetector', 'name', name, DETECTOR_NAMES);
  const factory = FACTORIES[name] as (config?: Partial<DetectorConfigs[K]>) => Promise<Detector>;
  return factory(config);
}
