/**
 * A MobileFaceNet with a 512-d output, run on onnxruntime-node: `model/fr_feature.onnx` (4.9 MB) of the npm
 * package `faceplugin-face-recognition-js` 0.0.1 (MIT, Faceplugin). The graph is a PyTorch export
 * (`bioauth_ml/face_feature/model/mobilefacenet.py`, torch 1.10: depthwise-separable bottlenecks, PReLU,
 * a global depthwise conv and a linear 512-d layer); the training loss is not published, but it puts
 * different people almost orthogonal (mean distance 1.40 between unit vectors on LFW), the margin
 * that ArcFace-style angular-margin training gives.
 *
 * Input: one 112x112 chip aligned by a 5-point similarity to insightface's ArcFace template, channels
 * as BGR, (x - 127.5) / 128, NCHW; the model's batch dimension is fixed at 1. Output: L2-normalised
 * 512-d vectors (unit length; Euclidean distance d and cosine similarity s relate by d² = 2 - 2s).
 * With `flip`, each chip and its left-right mirror are embedded and the two unit vectors added and
 * normalised again (flip test-time augmentation, as in the LFW evaluations of MobileFaceNets and ArcFace):
 * twice the model time per face.
 *
 * Chen, Liu, Gao, Han, "MobileFaceNets: Efficient CNNs for Accurate Real-Time Face Verification on Mobile
 * Devices", CCBR 2018; Deng, Guo, Xue, Zafeiriou, "ArcFace: Additive Angular Margin Loss for Deep Face
 * Recognition", CVPR 2019.
 */
import { FaceclusterError, showValue } from '../errors.ts';
import { checkInteger, checkOneOf, resolveOptions } from '../options.ts';
import { findModelFile } from '../paths.ts';
import { createOnnxSession } from '../runtime/onnx.ts';
import type { Embedding, RgbImage } from '../types.ts';
import { checkChips, chipToFloats, l2Normalize, rawNorm, sumNormalized, type ChipLayout } from './_chip.ts';
import type { Embedder } from './embedder.ts';

/** Where `npm run models:fetch` puts the weights (relative to a models folder, see `findModelFile`). */
export const MOBILEFACENET512_WEIGHTS = 'faceplugin/fr_feature.onnx';

export interface Mobilefacenet512Config {
  /** The ONNX file. @default findModelFile('faceplugin/fr_feature.onnx') */
  modelPath: string | undefined;
  /** Threads of the ONNX session. @default 1 (one per encode worker; see `ONNX_SESSION_DEFAULTS`) */
  threads: number;
  /**
   * Channel order fed to the net. @default 'bgr' (LFW `120faces`, 233 centred faces, SSD boxes: d' 5.25 and
   *   balanced accuracy 0.9855 with BGR against 4.93 and 0.9850 with RGB; the package's own browser code feeds RGB)
   */
  channels: 'bgr' | 'rgb';
  /**
   * Flip test-time augmentation: embed the chip and its mirror image, add the two unit vectors, normalise.
   * Costs a second run of the model per face. @default false (LFW 10-fold, `bench:verify`, 6,000 pairs: 99.42 ± 0.37
   *   with flip against 99.43 ± 0.42 without on UltraFace + faceplugin68 points, 99.00 ± 0.56 against 98.95 ± 0.58 on
   *   the precomputed SSD points; no gain worth twice the model time: 24 against 14 ms/face in the same session, load 4-7)
   */
  flip: boolean;
}

export const MOBILEFACENET512_CONFIG_DEFAULTS: Readonly<Mobilefacenet512Config> = Object.freeze({ modelPath: undefined, threads: 1, channels: 'bgr', flip: false });

const SIZE = 112;
const DIM = 512;

/** Loads the ONNX session; call `dispose()` when done. */
export async function createMobilefacenet512Embedder(config?: Partial<Mobilefacenet512Config>): Promise<Embedder> {
  const fn = 'createMobilefacenet512Embedder';
  const c = resolveOptions(fn, MOBILEFACENET512_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'threads', c.threads, 1, 256);
  checkOneOf(fn, 'channels', c.channels, ['bgr', 'rgb'] as const);
  if (typeof c.flip !== 'boolean') throw new FaceclusterError(fn, `flip must be a boolean, got ${showValue(c.flip)}.`, 'flip');
  const path = c.modelPath ?? findModelFile(MOBILEFACENET512_WEIGHTS);
  const session = await createOnnxSession(path, { threads: c.threads });
  const input = session.inputNames[0];
  const output = session.outputNames[0];
  const shape = session.inputShapes[0];
  if (session.inputNames.length !== 1 || shape.length !== 4 || shape[1] !== 3 || shape[2] !== SIZE || shape[3] !== SIZE) {
    await session.release();
    throw new FaceclusterError(fn, `the model file ${JSON.stringify(path)} must take one 3x${SIZE}x${SIZE} input, got inputs ${JSON.stringify(session.inputNames)} of shape ${JSON.stringify(shape)}; it is not fr_feature.onnx.`, 'modelPath');
  }
  const layout: ChipLayout = { layout: 'nchw', channels: c.channels, mean: 127.5, std: 128 };
  const buffer = new Float32Array(3 * SIZE * SIZE);
  let disposed = false;
  async function embedWithNorms(chips: RgbImage[]): Promise<{ embeddings: Embedding[]; norms: Float32Array }> {
    if (disposed) throw new FaceclusterError('mobilefacenet512.embed', 'the embedder was disposed.');
    checkChips('mobilefacenet512.embed', chips, SIZE);
    const out: Embedding[] = [];
    const norms = new Float32Array(chips.length);
    const run = async (chip: RgbImage, mirror: boolean) => {
      chipToFloats(chip, layout, buffer, 0, mirror);
      const result = await session.run({ [input]: { data: buffer, dims: [1, 3, SIZE, SIZE] } });
      const v = result[output].data;
      if (v.length !== DIM) throw new FaceclusterError('mobilefacenet512.embed', `the model file ${JSON.stringify(path)} must output ${DIM} values, got ${v.length}.`);
      return v;
    };
    for (const [k, chip] of chips.entries()) {
      const v = await run(chip, false);
      norms[k] = rawNorm(v);
      out.push(c.flip ? sumNormalized('mobilefacenet512.embed', v, await run(chip, true)) : l2Normalize('mobilefacenet512.embed', v));
    }
    return { embeddings: out, norms };
  }
  return {
    name: 'mobilefacenet512',
    dimension: DIM,
    inputSize: SIZE,
    template: 'arcface',
    unitLength: true,
    async embed(chips: RgbImage[]): Promise<Embedding[]> {
      return (await embedWithNorms(chips)).embeddings;
    },
    embedWithNorms,
    dispose() {
      if (disposed) return;
      disposed = true;
      void session.release();
    },
  };
}
