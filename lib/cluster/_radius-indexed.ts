/**
 * Radius neighbours between two sets through an approximate index: for each row q of `queries`, the rows of `base`
 * within a distance, as {@link radiusNeighborsBetween} finds them, but found through an HNSW index over `base`
 * (Malkov & Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small
 * World graphs", IEEE TPAMI 2020; the usearch engine of lib/cluster/_knn.ts) instead of a scan of every pair.
 *
 * 1. `base` is indexed (usearch; int8 codes searched by cosine when every row is a unit vector, else bf16 codes by
 *    squared euclidean distance: the codes only choose candidates);
 * 2. each query asks for its `neighbors` nearest rows; a query all of whose candidates turn out inside the radius
 *    asks again for four times as many, until one falls outside (or the whole base was returned), so a query with
 *    many neighbours (a new face of a person with many faces) is not cut at `neighbors`;
 * 3. every candidate is decided on the full rows in float64, by the same test as radiusNeighborsBetween.
 * So what it returns is always right (no pair outside the radius, distances exact); only a neighbour the index
 * does not return is missed. Recall against the exact search, measured: see {@link INDEXED_RADIUS_DEFAULTS}.
 * Cost O(|base| log |base|) to build, O(|queries| log |base|) to search, against the exact |queries| x |base|.
 *
 * Private: inputs are assumed valid (same width; unit rows for cosine).
 */
import { availableParallelism } from 'node:os';
import { FaceclusterError } from '../errors.ts';
import type { Metric } from '../types.ts';
import { loadUsearch, unitRows, type Neighborhoods } from './_knn.ts';
import { vectorDistance } from './_input.ts';

/** Settings of the indexed radius search. */
export interface IndexedRadiusParams {
  /** Candidates asked of the index per query at first (more when they are all inside the radius). */
  neighbors: number;
  /** HNSW graph degree M. */
  m: number;
  /** Candidate list size while building. */
  efConstruction: number;
  /** Candidate list size while searching (raised to at least the candidates asked). */
  efSearch: number;
  /** Threads of the build and the search; 0: every core. */
  threads: number;
}

/**
 * 16 candidates, M 16, efConstruction 64, efSearch 256, on every core. Measured against the exact search
 * (radiusNeighborsBetween) through the people update (bench:people): on all of LFW (the last 10% of the faces placed
 * among the people of the first 90%, both arrival orders) the same people; on 1,000 new synthetic 512-d faces among
 * 51,000 (`-- --million --faces 50000 --new 1000 --search index --compare`), 605 of the 607 new faces of known people
 * placed in their person as the exact search places 607 (efSearch 64: 587; M 32 and efConstruction 128: 607, with
 * twice the build time). At a million faces: README "The people update at scale". With threads > 1 usearch inserts in
 * an order that varies from run to run; what is found is then the same up to the index's recall.
 */
export const INDEXED_RADIUS_DEFAULTS: Readonly<IndexedRadiusParams> = Object.freeze({ neighbors: 16, m: 16, efConstruction: 64, efSearch: 256, threads: 0 });

/** The usearch index, as far as it is used here (see node_modules/usearch/javascript/usearch.ts). */
export interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  /** One query (a vector of length d) gives `{ keys, distances }` of what it found; several give `counts` and k slots each. */
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
  remove(keys: BigUint64Array): number[];
  size(): number;
  save(path: string): void;
  load(path: string): void;
}
type UsearchIndexClass = new (o: { metric: string; dimensions: number; connectivity: number; quantization: string; expansion_add: number; expansion_search: number; multi: boolean }) => UsearchIndex;

/** How rows are coded in the index: int8 searched by cosine (unit rows), else bf16 by squared euclidean distance. */
export interface IndexCoding {
  metric: 'cos' | 'l2sq';
  quantization: 'i8' | 'bf16';
}

/** The coding for rows like `sample` (unit rows or the cosine metric: int8 by cosine; else bf16): see the file comment. */
export function indexCoding(sample: readonly Float32Array[], metric: Metric): IndexCoding {
  const n = Math.min(sample.length, 1024);
  const d = n > 0 ? sample[0].length : 0;
  const unit = metric === 'cosine' || (n > 0 && unitRows({ data: flat(sample, 0, n, d), n, d }));
  return unit ? { metric: 'cos', quantization: 'i8' } : { metric: 'l2sq', quantization: 'bf16' };
}

/** An empty index of `d`-dimensional rows coded by `coding`, with the graph settings of `params`. Throws when usearch does not load. */
export function newUsearchIndex(d: number, coding: IndexCoding, params: Partial<IndexedRadiusParams> = {}): UsearchIndex {
  const p = { ...INDEXED_RADIUS_DEFAULTS, ...params };
  const u = loadUsearch();
  if (!u.mod) throw new FaceclusterError('radiusNeighborsIndexed', `the index engine usearch did not load (${u.error}); reinstall it (npm install usearch).`, 'engine');
  const Index = (u.mod as unknown as { Index: UsearchIndexClass }).Index;
  return new Index({
    metric: coding.metric, dimensions: d, connectivity: p.m, quantization: coding.quantization,
    expansion_add: p.efConstruction, expansion_search: Math.max(p.efSearch, p.neighbors), multi: false,
  });
}

/** Rows added per call to usearch (bounds the flat copy). */
const BLOCK = 65_536;

/** Adds `rows[i]` under key `keys[i]` for each i, in blocks, on `threads` (0: every core). */
export function addToIndex(index: UsearchIndex, keys: ArrayLike<number>, rows: readonly Float32Array[], threads = 0): void {
  const n = rows.length;
  if (n === 0) return;
  const d = rows[0].length;
  const th = threads > 0 ? threads : availableParallelism();
  for (let b = 0; b < n; b += BLOCK) {
    const e = Math.min(n, b + BLOCK);
    const k = new BigUint64Array(e - b);
    for (let i = b; i < e; i++) k[i - b] = BigInt(keys[i]);
    index.add(k, flat(rows, b, e, d), th);
  }
}

/** Whether the index engine (usearch) loads here; the reason when it does not. */
export function indexedRadiusAvailable(): { ok: boolean; error: string } {
  const u = loadUsearch();
  return { ok: u.mod !== null, error: u.error };
}

/** Rows copied into one flat Float32Array. */
function flat(rows: readonly Float32Array[], from: number, to: number, d: number): Float32Array {
  const out = new Float32Array((to - from) * d);
  for (let i = from; i < to; i++) out.set(rows[i], (i - from) * d);
  return out;
}

/**
 * For each row q of `queries`, the rows of `base` at distance `<= radius` (or `< radius` with `strict`) that the
 * index returns (see the file comment), in the shape of radiusNeighborsBetween (indices into `base`, ascending,
 * with their exact distances). Throws when usearch does not load.
 */
export function radiusNeighborsIndexed(queries: readonly Float32Array[], base: readonly Float32Array[], radius: number, metric: Metric, strict = false, params: Partial<IndexedRadiusParams> = {}): Neighborhoods {
  const nq = queries.length;
  const nb = base.length;
  if (nq === 0 || nb === 0) return { n: nq, offsets: new Int32Array(nq + 1), indices: new Int32Array(0), distances: new Float32Array(0) };
  const index = newUsearchIndex(base[0].length, indexCoding(base, metric), params);
  addToIndex(index, Int32Array.from({ length: nb }, (_, i) => i), base, params.threads ?? INDEXED_RADIUS_DEFAULTS.threads);
  return radiusSearch(index, queries, (key) => base[key], radius, metric, strict, params);
}

/**
 * Steps 2 and 3 of the file comment on an index built already (by {@link radiusNeighborsIndexed}, or kept with a store:
 * lib/people/face-index.ts): for each query, the keys of `index` whose row (`rowOf(key)`; null: a key to pass over)
 * is within `radius`, with exact distances, keys ascending.
 */
export function radiusSearch(index: UsearchIndex, queries: readonly Float32Array[], rowOf: (key: number) => Float32Array | null, radius: number, metric: Metric, strict = false, params: Partial<IndexedRadiusParams> = {}): Neighborhoods {
  const p = { ...INDEXED_RADIUS_DEFAULTS, ...params };
  const nq = queries.length;
  const nb = index.size();
  const offsets = new Int32Array(nq + 1);
  if (nq === 0 || nb === 0) return { n: nq, offsets, indices: new Int32Array(0), distances: new Float32Array(0) };
  const d = queries[0].length;
  const threads = p.threads > 0 ? p.threads : availableParallelism();
  const exact = (a: Float32Array, b: Float32Array): number => vectorDistance(a, b, metric);
  const inside = (dist: number): boolean => (strict ? dist < radius : dist <= radius);
  const found: { j: number; dist: number }[][] = Array.from({ length: nq }, () => []);
  // queries still asking, and how many candidates to ask for
  let open = Array.from({ length: nq }, (_, i) => i);
  for (let k = Math.min(p.neighbors, nb); open.length > 0; k = Math.min(4 * k, nb)) {
    const again: number[] = [];
    for (let b = 0; b < open.length; b += BLOCK) {
      const part = open.slice(b, b + BLOCK);
      const rows = new Float32Array(part.length * d);
      part.forEach((qi, r) => rows.set(queries[qi], r * d));
      const res = index.search(rows, k, threads);
      part.forEach((qi, r) => {
        const got = res.counts ? Number(res.counts[r]) : res.keys.length; // one query: no counts (see UsearchIndex)
        const list: { j: number; dist: number }[] = [];
        let allInside = got > 0;
        for (let t = 0; t < got; t++) {
          const j = Number(res.keys[r * k + t]);
          const row = rowOf(j);
          if (row === null) continue;
          const dist = exact(queries[qi], row);
          if (inside(dist)) list.push({ j, dist }); else allInside = false;
        }
        found[qi] = list;
        if (allInside && got === k && k < nb) again.push(qi);
      });
    }
    if (k >= nb) break;
    open = again;
  }
  const idx: number[] = [];
  const dist: number[] = [];
  for (let qi = 0; qi < nq; qi++) {
    found[qi].sort((a, b) => a.j - b.j);
    for (const f of found[qi]) { idx.push(f.j); dist.push(f.dist); }
    offsets[qi + 1] = idx.length;
  }
  return { n: nq, offsets, indices: Int32Array.from(idx), distances: Float32Array.from(dist) };
}
