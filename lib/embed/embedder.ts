/**
 * The embedder protocol: turns aligned face chips into embeddings. `createEmbedder(name)` in
 * registry.ts builds one by name.
 */
import type { TemplateName } from '../align/templates.ts';
import type { Embedding, RgbImage } from '../types.ts';

export interface Embedder {
  /** Registry name, e.g. `resnet128`. */
  readonly name: string;
  /** Length of the embeddings it returns. */
  readonly dimension: number;
  /** Side of the square aligned chip it expects, in pixels (e.g. 150 for face-api's ResNet). */
  readonly inputSize: number;
  /** The 5-point alignment template its chips must be made with (the geometry it was trained on). */
  readonly template: TemplateName;
  /** Whether it returns unit-length vectors (then Euclidean distance d and cosine similarity s: d² = 2 - 2s). */
  readonly unitLength: boolean;
  /** Embeds a batch of aligned chips (each `inputSize` x `inputSize`). Must not leak tensors. */
  embed(chips: RgbImage[]): Promise<Embedding[]>;
  /** Frees every tensor and weight it holds. */
  dispose(): void;
}
