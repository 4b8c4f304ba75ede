/**
 * `createEmbedder(name, config)`: builds a face embedder by name. Unknown names throw, listing the
 * valid ones. To add one: `lib/embed/<name>.ts` with an async factory, its name in {@link EMBEDDER_NAMES}
 * and one line in `FACTORIES`.
 */
import { unknownName } from '../errors.ts';
import type { Embedder } from './embedder.ts';
import { createResnet128Embedder, type Resnet128Config } from './resnet128.ts';

/** Every registered embedder name; the first is the default. */
export const EMBEDDER_NAMES = ['resnet128'] as const;
export type EmbedderName = (typeof EMBEDDER_NAMES)[number];

/** The default embedder: face-api's ResNet 128-d (the one the precomputed LFW embeddings use). */
export const DEFAULT_EMBEDDER: EmbedderName = 'resnet128';

export interface EmbedderConfigs {
  resnet128: Resnet128Config;
}

const FACTORIES: { [K in EmbedderName]: (config?: Partial<EmbedderConfigs[K]>) => Promise<Embedder> } = {
  resnet128: createResnet128Embedder,
};

export function isEmbedderName(name: unknown): name is EmbedderName {
  return typeof name === 'string' && (EMBEDDER_NAMES as readonly string[]).includes(name);
}

/** Builds the embedder `name`; call `dispose()` when done. */
export async function createEmbedder<K extends EmbedderName>(name: K, config?: Partial<EmbedderConfigs[K]>): Promise<Embedder> {
  if (!isEmbedderName(name)) throw unknownName('createEmbedder', 'name', name, EMBEDDER_NAMES);
  return (FACTORIES[name] as (config?: Partial<EmbedderConfigs[K]>) => Promise<Embedder>)(config);
}
