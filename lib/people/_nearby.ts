/**
 * How the people update finds the faces and people near a new face: the exact search of every pair
 * (lib/cluster/_radius-between.ts) or the indexed one (lib/cluster/_radius-indexed.ts: an HNSW index, every candidate
 * decided exactly, so only a neighbour the index does not return can be missed), chosen by the size of the search.
 * Private to lib/people.
 */
import { radiusNeighborsBetween } from '../cluster/_radius-between.ts';
import { indexedRadiusAvailable, radiusNeighborsIndexed } from '../cluster/_radius-indexed.ts';
import type { Neighborhoods } from '../cluster/_knn.ts';
import type { Metric } from '../types.ts';

/** `exact`: every pair; `index`: through an index; `auto`: the index from {@link INDEXED_SEARCH_ABOVE} pairs on. */
export type NearbySearch = 'auto' | 'exact' | 'index';
export const NEARBY_SEARCHES: readonly NearbySearch[] = ['auto', 'exact', 'index'];

/**
 * Pairs (new faces x faces or people) from which `auto` searches through an index: 200 million, where the exact search
 * takes minutes on 512-d faces whose subspace prefilter keeps most pairs (bench:people -- --million: 1,000 new faces
 * against 101,000 took 36 s of CPU). Above it the index costs less but may miss neighbours: on synthetic 512-d faces
 * it found 605 of 607 joins at 51,000 faces and 90% at 1,000,000 as an index of centroids built for the update; the
 * index of faces kept with the store (lib/people/face-index.ts) finds more (README "The people update at scale"). Below it
 * (all of LFW: 1,243 new faces x 11,181 = 14 million pairs) the search stays exact.
 */
export const INDEXED_SEARCH_ABOVE = 200_000_000;

/**
 * Radius neighbours of `queries` among `base` (see radiusNeighborsBetween for the shape), by `search`. With `auto`,
 * when the index engine does not load, the search stays exact and `warnings` says so.
 */
export function nearby(queries: readonly Float32Array[], base: readonly Float32Array[], radius: number, metric: Metric, search: NearbySearch, warnings: string[]): Neighborhoods {
  if (throughIndex(search, queries.length * base.length, warnings)) return radiusNeighborsIndexed(queries, base, radius, metric, true);
  return radiusNeighborsBetween(queries, base, radius, metric, true);
}

/**
 * Whether a search of `pairs` pairs goes through an index under `search`. With `auto`, when the index engine does not
 * load, it does not and `warnings` says so; with `index` it does (and fails there, naming usearch).
 */
export function throughIndex(search: NearbySearch, pairs: number, warnings: string[]): boolean {
  if (search === 'exact' || (search === 'auto' && pairs < INDEXED_SEARCH_ABOVE)) return false;
  const a = indexedRadiusAvailable();
  if (a.ok || search === 'index') return true;
  const w = `the index engine usearch did not load (${a.error}), so new faces were compared with every face (exact, slower); reinstall usearch (npm install usearch) for speed.`;
  if (!warnings.includes(w)) warnings.push(w);
  return false;
}
