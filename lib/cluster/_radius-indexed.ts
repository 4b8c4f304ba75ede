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

interface UsearchIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  /** One query (a vector of length d) gives `{ keys, distances }` of what it found; several give `counts` and k slots each. */
  search(vectors: Float32Array, k: number, threads: number): { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
}
type UsearchIndexClass = new (o: { metric: string; dimensions: number; connectivity: number; quantization: string; expansion_add: number; expansion_search: number; multi: boolean }) => UsearchIndex;

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
  const p = { ...INDEXED_RADIUS_DEFAULTS, ...params };
  const nq = queries.length;
  const nb = base.length;
  const offsets = new Int32Array(nq + 1);
  if (nq === 0 || nb === 0) return { n: nq, offsets, indices: new Int32Array(0), distances: new Float32Array(0) };
  const u = loadUsearch();
  if (!u.mod) throw new FaceclusterError('radiusNeighborsIndexed', `the index engine usearch did not load (${u.error}); reinstall it (npm install usearch).`, 'engine');
  const Index = (u.mod as unknown as { Index: UsearchIndexClass }).Index;
  const d = base[0].length;
  const threads = p.threads > 0 ? p.threads : availableParallelism();
  const BLOCK = 65_536;
  const unit = metric === 'cosine' || unitRows({ data: flat(base, 0, Math.min(nb, 1024), d), n: Math.min(nb, 1024), d });
  const index = new Index({
    metric: unit ? 'cos' : 'l2sq', dimensions: d, connectivity: p.m, quantization: unit ? 'i8' : 'bf16',
    expansion_add: p.efConstruction, expansion_search: Math.max(p.efSearch, p.neighbors), multi: false,
  });
  for (let b = 0; b < nb; b += BLOCK) {
    const e = Math.min(nb, b + BLOCK);
    const keys = new BigUint64Array(e - b);
    for (let i = b; i < e; i++) keys[i - b] = BigInt(i);
    index.add(keys, flat(base, b, e, d), threads);
  }
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
          const dist = exact(queries[qi], base[j]);
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
