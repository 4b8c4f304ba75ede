/**
 * Graph kernels shared by DBSCAN, Chinese Whispers, rank-order and approximate rank-order:
 * union-find (disjoint sets with path halving and union by size; Tarjan, "Efficiency of a good but not linear
 * set union algorithm", JACM 1975) and connected components. Private: inputs are assumed valid.
 */

/** Disjoint sets over 0..n-1. */
export class UnionFind {
  readonly parent: Int32Array;
  readonly size: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n);
    this.size = new Int32Array(n).fill(1);
    for (let i = 0; i < n; i++) this.parent[i] = i;
  }
  find(a: number): number {
    const p = this.parent;
    while (p[a] !== a) {
      p[a] = p[p[a]];
      a = p[a];
    }
    return a;
  }
  /** Joins the sets of a and b; returns the new root, or -1 when they were already joined. */
  union(a: number, b: number): number {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return -1;
    if (this.size[ra] < this.size[rb]) { const t = ra; ra = rb; rb = t; }
    this.parent[rb] = ra;
    this.size[ra] += this.size[rb];
    return ra;
  }
  /** Component id of every element: 0..k-1 in order of each component's smallest element. */
  components(): { labels: Int32Array; count: number } {
    const n = this.parent.length;
    const labels = new Int32Array(n);
    const map = new Int32Array(n).fill(-1);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const r = this.find(i);
      if (map[r] < 0) map[r] = count++;
      labels[i] = map[r];
    }
    return { labels, count };
  }
}

/** Connected components of an undirected graph given as edge lists (a[e], b[e]). */
export function connectedComponents(n: number, a: ArrayLike<number>, b: ArrayLike<number>): { labels: Int32Array; count: number } {
  const uf = new UnionFind(n);
  for (let e = 0; e < a.length; e++) uf.union(a[e], b[e]);
  return uf.components();
}
