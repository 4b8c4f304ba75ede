/**
 * Mean-squared-distance (average) linkage over a sparse candidate graph: the merge tree of UPGMA on squared
 * euclidean distances, built without an n x n matrix, so that it scales to 100,000s of faces.
 *
 * The linkage of clusters A and B is the root of the mean squared distance between their members,
 *   L(A, B)^2 = (1 / |A||B|) sum_{a in A, b in B} |a - b|^2 = Q_A/|A| + Q_B/|B| - 2 (S_A . S_B) / (|A||B|),
 * with S the sum of the member vectors and Q the sum of their squared norms: every cluster is three numbers and a
 * vector, and any linkage is exact in O(d). This is average linkage (Sokal & Michener, "A statistical method for
 * evaluating systematic relationships", Univ. Kansas Sci. Bull. 1958) on squared distances; its Lance-Williams
 * update is the size-weighted mean, so the tree has no inversions. Two singletons merge at their euclidean
 * distance; larger clusters at sqrt(mean squared distance) >= mean distance.
 *
 * Only pairs of clusters joined by an edge of the candidate graph (the symmetrised k-nearest-neighbour graph of
 * the points; a merged cluster inherits its parts' edges) are ever compared: exact when the graph is complete,
 * and in practice the same partition at the thresholds faces are cut at, since two clusters with no member among
 * each other's k nearest neighbours are far apart. Merges are taken globally closest first from a binary heap
 * (stale entries skipped), up to `maxHeight`.
 *
 * Complexity: O(E log E + merges * degree * d) time for E candidate edges, O(n d + E) memory. Private: inputs
 * are assumed valid.
 */
import type { MergeTree } from './agglomerative.ts';
import type { Matrix } from './_input.ts';
import type { KnnGraph } from './_knn.ts';

/** A binary min-heap of (key, a, b) triples on growable typed arrays. */
class PairHeap {
  private keys = new Float64Array(1024);
  private as = new Int32Array(1024);
  private bs = new Int32Array(1024);
  size = 0;
  push(key: number, a: number, b: number): void {
    if (this.size === this.keys.length) {
      const grow = <T extends Float64Array | Int32Array>(arr: T): T => { const out = new (arr.constructor as new (n: number) => T)(arr.length * 2); out.set(arr); return out; };
      this.keys = grow(this.keys); this.as = grow(this.as); this.bs = grow(this.bs);
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] < key || (this.keys[p] === key && (this.as[p] < a || (this.as[p] === a && this.bs[p] <= b)))) break;
      this.keys[i] = this.keys[p]; this.as[i] = this.as[p]; this.bs[i] = this.bs[p];
      i = p;
    }
    this.keys[i] = key; this.as[i] = a; this.bs[i] = b;
  }
  /** Removes the smallest entry into `out` ([key, a, b]). */
  pop(out: [number, number, number]): void {
    out[0] = this.keys[0]; out[1] = this.as[0]; out[2] = this.bs[0];
    const n = --this.size;
    const key = this.keys[n], a = this.as[n], b = this.bs[n];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && this.less(c + 1, c)) c++;
      if (key < this.keys[c] || (key === this.keys[c] && (a < this.as[c] || (a === this.as[c] && b <= this.bs[c])))) break;
      this.keys[i] = this.keys[c]; this.as[i] = this.as[c]; this.bs[i] = this.bs[c];
      i = c;
    }
    this.keys[i] = key; this.as[i] = a; this.bs[i] = b;
  }
  private less(i: number, j: number): boolean {
    const ki = this.keys[i], kj = this.keys[j];
    return ki < kj || (ki === kj && (this.as[i] < this.as[j] || (this.as[i] === this.as[j] && this.bs[i] < this.bs[j])));
  }
}

/**
 * Builds the mean-squared-distance linkage tree of the rows of `m` over the candidate graph `graph`, stopping at
 * `maxHeight` (merges above it are not made). Node ids as in scipy: leaves 0..n-1, merge t makes node n + t.
 */
export function meanLinkageTree(m: Matrix, graph: KnnGraph, maxHeight: number): MergeTree {
  const { n, d, data } = m;
  const maxKey = maxHeight * maxHeight;
  const cap = Math.max(1, 2 * n - 1);
  const size = new Int32Array(cap);
  const sq = new Float64Array(cap);
  const sums: (Float64Array | null)[] = new Array(cap).fill(null);
  const nbrs: (Set<number> | null)[] = new Array(cap).fill(null);
  const alive = new Uint8Array(cap);
  for (let i = 0; i < n; i++) {
    const s = new Float64Array(d);
    let q = 0;
    for (let t = 0; t < d; t++) { const v = data[i * d + t]; s[t] = v; q += v * v; }
    sums[i] = s; sq[i] = q; size[i] = 1; alive[i] = 1; nbrs[i] = new Set();
  }
  const linkage = (a: number, b: number): number => {
    const sa = sums[a]!, sb = sums[b]!;
    let dot = 0;
    for (let t = 0; t < d; t++) dot += sa[t] * sb[t];
    const v = sq[a] / size[a] + sq[b] / size[b] - (2 * dot) / (size[a] * size[b]);
    return v > 0 ? v : 0;
  };
  const heap = new PairHeap();
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < graph.k; t++) {
      const j = graph.indices[i * graph.k + t];
      if (j < 0 || j === i || nbrs[i]!.has(j)) continue;
      nbrs[i]!.add(j); nbrs[j]!.add(i);
      const key = linkage(i, j);
      if (key <= maxKey) heap.push(key, Math.min(i, j), Math.max(i, j));
    }
  }
  const left: number[] = [], right: number[] = [], height: number[] = [], sizes: number[] = [];
  const top: [number, number, number] = [0, 0, 0];
  let next = n;
  let last = 0;
  while (heap.size > 0) {
    heap.pop(top);
    const [key, a, b] = top;
    if (!alive[a] || !alive[b]) continue;
    const c = next++;
    alive[a] = 0; alive[b] = 0; alive[c] = 1;
    size[c] = size[a] + size[b];
    sq[c] = sq[a] + sq[b];
    const s = sums[a]!;
    const sb = sums[b]!;
    for (let t = 0; t < d; t++) s[t] += sb[t];
    sums[c] = s; sums[a] = null; sums[b] = null;
    // the union of both neighbour sets, the larger one reused
    let na = nbrs[a]!, nb = nbrs[b]!;
    if (na.size < nb.size) { const tmp = na; na = nb; nb = tmp; }
    for (const x of nb) na.add(x);
    na.delete(a); na.delete(b);
    nbrs[c] = na; nbrs[a] = null; nbrs[b] = null;
    for (const x of na) {
      const nx = nbrs[x]!;
      nx.delete(a); nx.delete(b); nx.add(c);
      const k2 = linkage(c, x);
      if (k2 <= maxKey) heap.push(k2, Math.min(c, x), Math.max(c, x));
    }
    last = Math.max(last, Math.sqrt(key));
    left.push(a); right.push(b); height.push(last); sizes.push(size[c]);
  }
  return { nLeaves: n, left: Int32Array.from(left), right: Int32Array.from(right), height: Float64Array.from(height), size: Int32Array.from(sizes) };
}
