/**
 * The common body of embedders that are tfjs graph models (`faceres`, `mobileface`): chips -> one float
 * batch (layout, channel order, normalisation of the model) -> the named output -> L2-normalised vectors.
 * Private to lib/embed; each model is its own file with its provenance and measured choices.
 */
import type { TemplateName } from '../align/templates.ts';
import { FaceclusterError } from '../errors.ts';
import { loadGraphModelFile } from '../runtime/tf-graph.ts';
import type { Embedding, RgbImage } from '../types.ts';
import { checkChips, chipToFloats, l2Normalize, type ChipLayout } from './_chip.ts';
import type { Embedder } from './embedder.ts';

export interface TfGraphEmbedderDefinition {
  name: string;
  /** The `model.json` file. */
  modelPath: string;
  /** Graph node whose value is the embedding. */
  output: string;
  dimension: number;
  inputSize: number;
  template: TemplateName;
  pixels: ChipLayout;
  /** Chips per forward pass. */
  batchSize: number;
}

export async function createTfGraphEmbedder(def: TfGraphEmbedderDefinition): Promise<Embedder> {
  const { model, runtime } = await loadGraphModelFile(def.modelPath);
  const tf = runtime.tf;
  const shape = model.inputs[0]?.shape ?? [];
  if (model.inputs.length !== 1 || shape.length !== 4 || shape[1] !== def.inputSize || shape[2] !== def.inputSize || shape[3] !== 3) {
    model.dispose();
    throw new FaceclusterError(`create ${def.name}`, `the model ${JSON.stringify(def.modelPath)} must take one [n, ${def.inputSize}, ${def.inputSize}, 3] input, got ${JSON.stringify(shape)}.`);
  }
  const fn = `${def.name}.embed`;
  const size = def.inputSize;
  let disposed = false;
  return {
    name: def.name,
    dimension: def.dimension,
    inputSize: size,
    template: def.template,
    unitLength: true,
    async embed(chips: RgbImage[]): Promise<Embedding[]> {
      if (disposed) throw new FaceclusterError(fn, 'the embedder was disposed.');
      checkChips(fn, chips, size);
      const out: Embedding[] = [];
      for (let start = 0; start < chips.length; start += def.batchSize) {
        const batch = chips.slice(start, start + def.batchSize);
        const floats = new Float32Array(batch.length * size * size * 3);
        batch.forEach((c, i) => chipToFloats(c, def.pixels, floats, i * size * size * 3));
        const input = tf.tensor4d(floats, [batch.length, size, size, 3]);
        let result: import('@tensorflow/tfjs').Tensor | undefined;
        try {
          result = model.execute(input, def.output) as import('@tensorflow/tfjs').Tensor;
          const values = (await result.data()) as Float32Array;
          const d = values.length / batch.length;
          if (d !== def.dimension) throw new FaceclusterError(fn, `the model ${JSON.stringify(def.modelPath)} must output ${def.dimension} values per face, got ${d}.`);
          for (let i = 0; i < batch.length; i++) out.push(l2Normalize(fn, values.subarray(i * d, (i + 1) * d)));
        } finally {
          input.dispose();
          result?.dispose();
        }
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      model.dispose();
    },
  };
}
