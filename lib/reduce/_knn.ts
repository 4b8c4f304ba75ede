/**
 * Exact k nearest neighbours for the reducers (private): the clustering module's blocked WebAssembly-SIMD kernel
 * (lib/cluster/_knn.ts `knnExact`, each pair's distance computed once), returned with squared Euclidean
 * distances as t-SNE's perplexity calibration wants them. About 2 s for 5,000 x 128 with k = 90 on one core.
 * In 128 dimensions a vantage-point tree prunes little, so exact brute force is both simpler and as fast.
 */
import { knnExact } from '../cluster/_knn.ts';

/** `indices[i * k + m]` is the m-th nearest neighbour of i (nearest first), `distances` the squared distances. */
export interface KnnGraph {
  k: number;
  indices: Int32Array;
  distances: Float64Array;
}

/** kNN of every row of the row-major n x d matrix `m` (self excluded). Requires 1 <= k <= n - 1. */
export function exactKnn(m: Float64Array | Float32Array, n: number, d: number, k: number): KnnGraph {
  const data = m instanceof Float32Array ? m : Float32Array.from(m);
  const g = knnExact({ data, n, d }, k, 'euclidean');
  const distances = new Float64Array(n * k);
  for (let t = 0; t < n * k; t++) distances[t] = g.distances[t] * g.distances[t];
  return { k, indices: g.indices, distances };
}
