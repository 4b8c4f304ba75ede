/**
 * The embedder protocol: turns aligned face chips into embeddings. `createEmbedder(name)` in
 * registry.ts builds one by name.
 */
import type { Embedding, RgbImage } from '../types.ts';

export interface Embedder {
  /** Registry name, e.g. `resnet128`. */
  readonly name: string;
  /** Length of the embeddings it returns. */
  readonly dimension: number;
  /** Side of the square aligned chip it expects, in pixels (e.g. 150 for face-api's ResNet). */
  readonly inputSize: number;
  /** Embeds a batch of aligned chips (each `inputSize` x `inputSize`). Must not leak tensors. */
  embed(chips: RgbImage[]): Promise<Embedding[]>;
  /** Frees every tensor and weight it holds. */
  dispose(): void;
}
