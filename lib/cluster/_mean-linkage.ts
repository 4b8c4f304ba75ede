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
  // the member sums of merged clusters, one row each, reused as clusters merge (a merged cluster keeps one of its
  // parts' rows and frees the other); a leaf's sum is its own row of `data`, read as it is (the same values as a
  // copy in doubles, and only the rows of merged clusters are written)
  let sums = new Float64Array(Math.min(n, 1024) * d);
  const freeRows: number[] = [];
  let rowsUsed = 0;
  const newRow = (): number => {
    if (freeRows.length > 0) return freeRows.pop()!;
    if ((rowsUsed + 1) * d > sums.length) { const grown = new Float64Array(Math.min(n, 2 * (rowsUsed + 1)) * d); grown.set(sums); sums = grown; }
    return d * rowsUsed++;
  };
  const row = new Int32Array(cap);
  const alive = new Uint8Array(cap);
  for (let i = 0; i < n; i++) {
    let q = 0;
    for (let t = 0; t < d; t++) { const v = data[i * d + t]; q += v * v; }
    sq[i] = q; size[i] = 1; alive[i] = 1; row[i] = i * d;
  }
  const linkage = (a: number, b: number): number => {
    const oa = row[a], ob = row[b];
    let dot = 0;
    // the same products summed in the same order whichever rows hold the sums
    if (size[a] === 1) {
      if (size[b] === 1) for (let t = 0; t < d; t++) dot += data[oa + t] * data[ob + t];
      else for (let t = 0; t < d; t++) dot += data[oa + t] * sums[ob + t];
    } else if (size[b] === 1) for (let t = 0; t < d; t++) dot += sums[oa + t] * data[ob + t];
    else for (let t = 0; t < d; t++) dot += sums[oa + t] * sums[ob + t];
    const v = sq[a] / size[a] + sq[b] / size[b] - (2 * dot) / (size[a] * size[b]);
    return v > 0 ? v : 0;
  };
  // Neighbour lists, lazily kept: a list may name clusters merged since, each read through `into` (the cluster
  // it was merged into: a union-find over node ids) to the live cluster, and duplicates are skipped with `seen`.
  // A merged cluster's list is its parts' lists read that way, so no other cluster's list changes.
  const into = new Int32Array(cap);
  for (let v = 0; v < cap; v++) into[v] = v;
  const find = (v: number): number => {
    let r = v;
    while (into[r] !== r) r = into[r];
    while (into[v] !== r) { const up = into[v]; into[v] = r; v = up; }
    return r;
  };
  const seen = new Int32Array(cap).fill(-1);
  const listStart = new Int32Array(cap), listEnd = new Int32Array(cap);
  let pool: Int32Array;
  let used = 0;
  const append = (x: number): void => {
    if (used === pool.length) { const grown = new Int32Array(pool.length * 2); grown.set(pool); pool = grown; }
    pool[used++] = x;
  };
  const heap = new PairHeap();
  // pushes the pair (c, x) of linkage(c, x) given the dot product of their sums (the same expression as linkage's)
  const pushLinkage = (c: number, cMean: number, x: number, dot: number): void => {
    const v = cMean + sq[x] / size[x] - (2 * dot) / (size[c] * size[x]);
    const key = v > 0 ? v : 0;
    if (key <= maxKey) heap.push(key, Math.min(c, x), Math.max(c, x));
  };
  let leafNeighbours = new Int32Array(64), mergedNeighbours = new Int32Array(64);
  // the symmetrised graph: each leaf's list holds its neighbours and those it is a neighbour of, once each
  const degree = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < graph.k; t++) {
      const j = graph.indices[i * graph.k + t];
      if (j >= 0 && j !== i) { degree[i + 1]++; degree[j + 1]++; }
    }
  }
  for (let i = 0; i < n; i++) degree[i + 1] += degree[i];
  // the raw lists first (each edge from both ends), compacted in place below, merged clusters' lists after them
  pool = new Int32Array(Math.max(1024, 2 * degree[n]));
  const fill = degree.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < graph.k; t++) {
      const j = graph.indices[i * graph.k + t];
      if (j >= 0 && j !== i) { pool[fill[i]++] = j; pool[fill[j]++] = i; }
    }
  }
  for (let i = 0; i < n; i++) {
    // compact leaf i's list (duplicates out), then push each edge once, from its lower end (four at a time, as below)
    listStart[i] = used;
    let higher = 0;
    for (let e = degree[i]; e < degree[i + 1]; e++) {
      const j = pool[e];
      if (seen[j] === i) continue;
      seen[j] = i;
      pool[used++] = j;
      if (j > i) {
        if (higher === leafNeighbours.length) { const grown = new Int32Array(2 * higher); grown.set(leafNeighbours); leafNeighbours = grown; }
        leafNeighbours[higher++] = j;
      }
    }
    listEnd[i] = used;
    const oi = row[i], iMean = sq[i] / size[i];
    let e = 0;
    for (; e + 4 <= higher; e += 4) {
      const x0 = leafNeighbours[e], x1 = leafNeighbours[e + 1], x2 = leafNeighbours[e + 2], x3 = leafNeighbours[e + 3];
      const o0 = row[x0], o1 = row[x1], o2 = row[x2], o3 = row[x3];
      let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
      for (let t = 0; t < d; t++) { const v = data[oi + t]; d0 += v * data[o0 + t]; d1 += v * data[o1 + t]; d2 += v * data[o2 + t]; d3 += v * data[o3 + t]; }
      pushLinkage(i, iMean, x0, d0); pushLinkage(i, iMean, x1, d1); pushLinkage(i, iMean, x2, d2); pushLinkage(i, iMean, x3, d3);
    }
    for (; e < higher; e++) { const j = leafNeighbours[e]; const key = linkage(i, j); if (key <= maxKey) heap.push(key, i, j); }
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
    into[a] = c; into[b] = c;
    size[c] = size[a] + size[b];
    sq[c] = sq[a] + sq[b];
    // S_c = S_a + S_b (the same sums in either order: addition commutes), in a merged part's row or a new one
    const oa = row[a], ob = row[b];
    let oc: number;
    if (size[a] > 1) {
      oc = oa;
      if (size[b] > 1) { for (let t = 0; t < d; t++) sums[oc + t] += sums[ob + t]; freeRows.push(ob); }
      else for (let t = 0; t < d; t++) sums[oc + t] += data[ob + t];
    } else if (size[b] > 1) {
      oc = ob;
      for (let t = 0; t < d; t++) sums[oc + t] += data[oa + t];
    } else {
      oc = newRow();
      for (let t = 0; t < d; t++) sums[oc + t] = data[oa + t] + data[ob + t];
    }
    row[c] = oc;
    // the union of both neighbour lists, read through to live clusters, without c itself
    seen[c] = c;
    const start = used;
    for (const part of [a, b]) {
      for (let e = listStart[part]; e < listEnd[part]; e++) {
        const x = find(pool[e]);
        if (seen[x] === c) continue;
        seen[x] = c;
        append(x);
      }
    }
    listStart[c] = start; listEnd[c] = used;
    if (used - start > leafNeighbours.length) { leafNeighbours = new Int32Array(2 * (used - start)); mergedNeighbours = new Int32Array(2 * (used - start)); }
    // c's linkage to each neighbour, four neighbours at a time (the leaves apart from the merged clusters): four
    // independent sums, each the same products in the same order as linkage's, so the same keys, sooner
    let leaves = 0, merged = 0;
    for (let e = start; e < used; e++) { const x = pool[e]; if (size[x] === 1) leafNeighbours[leaves++] = x; else mergedNeighbours[merged++] = x; }
    const cMean = sq[c] / size[c];
    for (const [list, count, isLeaf] of [[leafNeighbours, leaves, true], [mergedNeighbours, merged, false]] as const) {
      let e = 0;
      for (; e + 4 <= count; e += 4) {
        const x0 = list[e], x1 = list[e + 1], x2 = list[e + 2], x3 = list[e + 3];
        const o0 = row[x0], o1 = row[x1], o2 = row[x2], o3 = row[x3];
        let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
        if (isLeaf) {
          for (let t = 0; t < d; t++) { const v = sums[oc + t]; d0 += v * data[o0 + t]; d1 += v * data[o1 + t]; d2 += v * data[o2 + t]; d3 += v * data[o3 + t]; }
        } else {
          for (let t = 0; t < d; t++) { const v = sums[oc + t]; d0 += v * sums[o0 + t]; d1 += v * sums[o1 + t]; d2 += v * sums[o2 + t]; d3 += v * sums[o3 + t]; }
        }
        pushLinkage(c, cMean, x0, d0); pushLinkage(c, cMean, x1, d1); pushLinkage(c, cMean, x2, d2); pushLinkage(c, cMean, x3, d3);
      }
      for (; e < count; e++) { const x = list[e]; const k2 = linkage(c, x); if (k2 <= maxKey) heap.push(k2, Math.min(c, x), Math.max(c, x)); }
    }
    last = Math.max(last, Math.sqrt(key));
    left.push(a); right.push(b); height.push(last); sizes.push(size[c]);
  }
  return { nLeaves: n, left: Int32Array.from(left), right: Int32Array.from(right), height: Float64Array.from(height), size: Int32Array.from(sizes) };
}
