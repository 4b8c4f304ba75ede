/**
 * face-api's face recognition net: a ResNet-34-like network (29 conv layers) giving 128-d descriptors,
 * a port of dlib's `dlib_face_recognition_resnet_model_v1` (99.38% on LFW in dlib's evaluation).
 * Same identity: Euclidean distance below ~0.6.
 *
 * He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition", CVPR 2016;
 * King, "Dlib-ml: A Machine Learning Toolkit", JMLR 10, 2009.
 */
import { FaceclusterError } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import { loadFaceApiNet, releaseFaceApiNet } from '../runtime/face-api.ts';
import { rgbToTensor } from '../runtime/tensor.ts';
import type { Embedding, RgbImage } from '../types.ts';
import type { Embedder } from './embedder.ts';

export interface Resnet128Config {
  /**
   * Chips per forward pass of the net. @default 16 (on wasm a batch runs at the same per-face cost as
   *   single chips, ~25 ms each, but with one call's overhead; 16 chips of 150x150 are ~4 MB of input)
   */
  batchSize: number;
}

export const RESNET128_CONFIG_DEFAULTS: Readonly<Resnet128Config> = Object.freeze({ batchSize: 16 });

/** Builds the embedder (loads the weights once per process). */
export async function createResnet128Embedder(config?: Partial<Resnet128Config>): Promise<Embedder> {
  const fn = 'createResnet128Embedder';
  const c = resolveOptions(fn, RESNET128_CONFIG_DEFAULTS, config);
  checkInteger(fn, 'batchSize', c.batchSize, 1, 1024);
  const { faceapi, runtime } = await loadFaceApiNet('faceRecognitionNet');
  const tf = runtime.tf;
  let disposed = false;
  const inputSize = 150;
  return {
    name: 'resnet128',
    dimension: 128,
    inputSize,
    template: 'dlib',
    unitLength: false,
    async embed(chips: RgbImage[]): Promise<Embedding[]> {
      if (disposed) throw new FaceclusterError('resnet128.embed', 'the embedder was disposed.');
      for (const [i, chip] of chips.entries()) {
        if (chip.width !== inputSize || chip.height !== inputSize) {
          throw new FaceclusterError('resnet128.embed', `chips[${i}] must be ${inputSize}x${inputSize}, got ${chip.width}x${chip.height}.`, 'chips');
        }
      }
      const out: Embedding[] = [];
      for (let start = 0; start < chips.length; start += c.batchSize) {
        const batch = chips.slice(start, start + c.batchSize);
        const tensors = batch.map((chip) => rgbToTensor(tf, chip));
        try {
          const result = await faceapi.nets.faceRecognitionNet.computeFaceDescriptor((tensors.length === 1 ? tensors[0] : tensors) as never);
          const list = Array.isArray(result) ? result : [result];
          for (const d of list) out.push(Float32Array.from(d));
        } finally {
          for (const t of tensors) t.dispose();
        }
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      void releaseFaceApiNet('faceRecognitionNet');
    },
  };
}
