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
  /**
   * Like `embed`, with each chip's raw vector length before L2 normalisation (a face-quality signal of
   * margin-trained embedders: Meng, Zhao, Huang, Zhou, "MagFace: A Universal Representation for Face Recognition
   * and Quality Assessment", CVPR 2021). Absent when the model's output is normalised inside the graph.
   */
  embedWithNorms?(chips: RgbImage[]): Promise<{ embeddings: Embedding[]; norms: Float32Array }>;
  /** Frees every tensor and weight it holds. */
  dispose(): void;
}
