/**
 * People from faces, kept stable across runs: a pure function from (the faces now in the store, the people of
 * the last run, the corrections) to the people now.
 *
 * Incremental (default). Faces keep the person they had; corrections are enforced (confirmed faces in their
 * person, ignored faces out, a face never in a person it was moved away from). New faces then:
 * 1. join an existing person under the rule of the default clustering ({@link sameFaceRule}: its own "same
 *    person" distance, the collection's threshold recorded by the last full clustering, no new constant), by the
 *    rule's join criterion: `neighbours` (Chinese Whispers: the person with the most faces closer than the
 *    threshold, ties to the nearest; repeated until nothing changes, so a chain of new faces reaches its person)
 *    or `average` (average linkage: the person whose root mean squared distance is below it, the smallest);
 * 2. the rest, with the earlier unassigned faces they touch, are clustered by the default method at the same
 *    threshold; groups of at least `minFaces` become new people.
 * Cost: a radius search of the new faces against the people (and the unassigned faces), exact pair by pair
 * (lib/cluster/_radius-between.ts, SIMD with a subspace prefilter) or, for large stores, through an index
 * (lib/cluster/_radius-indexed.ts; see `search`; an index of the faces kept with the store: `index`,
 * lib/people/face-index.ts), plus clustering the few left over; the full clustering costs all faces x all faces.
 *
 * Re-cluster (`recluster: true`): the default method clusters every face that is not ignored; each cluster goes
 * to the person most of its faces are in (confirmed there, or there in the last run: so ids and names survive),
 * a person taking one cluster unless its confirmed faces are in several; a cluster no person claims becomes a new
 * person. Confirmed faces never move; a face never joins a person it was moved or split away from.
 *
 * Faces too poor to recognise (quality below `minQuality`) never make a person: see {@link UpdatePeopleOptions.minQuality}.
 *
 * Either way ids never change: a new person gets the next id never used; a person left with no face is kept
 * when it has a name, removed otherwise; ids retired by a merge are never reused.
 */
import { personCentroids, unit } from './_person-sums.ts';
import { invalidParameter } from '../errors.ts';
import { checkInteger, checkNumber, resolveOptions } from '../options.ts';
import { settlePoorFaces } from './poor-faces.ts';
import { allowedIn, rootPerson, type PeopleConstraints } from './constraints.ts';
import { sameFaceRule, type SameFaceRule } from './rule.ts';
import { nearby, NEARBY_SEARCHES, throughIndex, type NearbySearch } from './_nearby.ts';
import { FACE_INDEX_RETRY, type FaceNeighbourIndex } from './face-index.ts';
import type { Neighborhoods } from '../cluster/_knn.ts';
import { vectorDistance } from '../cluster/_input.ts';

/** One person: a stable id, an optional name, when it was first made. */
export interface PersonRecord {
  id: number;
  name: string | null;
  /** ISO 8601 time the person was first made. */
  createdAt: string;
}

/** What the last run left (read from the store's people tables). */
export interface PeopleSnapshot {
  persons: PersonRecord[];
  /** Face id -> person id, for the faces that were in a person. */
  assignment: Map<string, number>;
  /** Every face id the last run saw (in a person or not). */
  known: Set<string>;
  /** The next id to give (ids below were given once and are never reused). */
  nextId: number;
  /** The rule's threshold when the people were last clustered in full. */
  threshold?: number;
  /** The rule's method then (its threshold is reused only by the same method). */
  method?: string;
  /** Faces that were unsorted (too poor to recognise): placed again when they pass the bar now. */
  unsorted?: Set<string>;
}

/**
 * Where a face stands; `new`: not placed yet (only with `placeNew: false`); `unsorted`: too poor to recognise
 * (quality below `minQuality`) and close to no person's good faces.
 */
export type FaceStatus = 'assigned' | 'confirmed' | 'unassigned' | 'new' | 'ignored' | 'not-a-face' | 'unsorted';

export interface PeopleUpdateSummary {
  faces: number;
  /** Faces the last run had not seen. */
  newFaces: number;
  /** New faces that joined an existing person. */
  joined: number;
  /** New people made this run. */
  newPeople: number;
  /** Faces of the last run that are gone (their photo was removed or changed). */
  droppedFaces: number;
  /** People removed because they were left with no face and no name. */
  removedPeople: number;
  unassigned: number;
  ignored: number;
  /** Faces too poor to recognise that are in no person (status `unsorted`). */
  unsorted: number;
  /** Faces too poor to recognise that joined a person (close to its good faces). */
  poorJoined: number;
  /** What the clustering of this update said about its own evidence (auto's weak-evidence sentence), if anything. */
  warnings?: string[];
}

/** The people now. */
export interface PeopleState {
  /** Sorted by id. */
  persons: PersonRecord[];
  /** The faces, as given. */
  faceIds: string[];
  /** Person id of each face, -1 for none (unassigned or ignored). */
  personOf: Int32Array;
  status: FaceStatus[];
  nextId: number;
  rule: { method: string; threshold: number; metric: string };
  summary: PeopleUpdateSummary;
}

export interface UpdatePeopleOptions {
  /** Cluster every face again (keeping corrections, ids and names) instead of placing only new faces. @default false */
  recluster: boolean;
  /** Place new faces (joining people, making new ones). false: only enforce corrections. @default true */
  placeNew: boolean;
  /**
   * Fewest faces for a new person; smaller groups stay unassigned until more photos of them come.
   * @default 2 — a person seen once is not yet a "person" in a People view; at 2, every identity the default
   * clustering finds twice is one, so the people keep the clustering's BCubed F (faces left unassigned count
   * as people of one, as the clustering's own clusters of one do).
   */
  minFaces: number;
  /** Time stamp for people made now (ISO 8601). @default '' — the current time */
  now: string;
  /** What "the same person" means. @default null — {@link sameFaceRule}, the default clustering's. */
  rule: SameFaceRule | null;
  /**
   * Each face's quality score (`faceQuality`, the store's `quality` column), aligned with `faceIds`; NaN for a face
   * with none. @default null — no scores: every face counts as good
   */
  quality: Float32Array | null;
  /**
   * The bar: a face whose quality is below it is *poor* and never makes a person: a person needs `minFaces` good faces
   * (a group the rule makes with fewer is no person, and an unnamed person left with fewer after the bar was raised is
   * dissolved). A poor face is in a person only when the rule put it there with that person's good faces, or when it is
   * clearly close to them afterwards (`poorJoinFactor`, lib/people/poor-faces.ts); otherwise it is `unsorted`. Faces
   * moved into a person by hand count as good and stay there whatever their score. 0 turns the bar off.
   * @default {@link QUALITY_BAR} (measured by `npm run bench:quality -- --people`; see there)
   */
  minQuality: number;
  /**
   * How close is "clearly close" for a face below the bar: it joins a person when its root mean squared distance to
   * the person's good faces is below this share of the collection's threshold (the rule's own test is 1). 0: poor
   * faces never join; they are all unsorted.
   * @default {@link POOR_JOIN_FACTOR} (measured by `npm run bench:quality -- --people`)
   */
  poorJoinFactor: number;
  /**
   * A person keeps its poor faces only when at least this share of its faces is good; below it, its poor faces leave it
   * (and may join a person whose good faces they are clearly close to). Breaks up a crowd of poor faces that the
   * clustering joined to a few good ones. @default {@link MIN_GOOD_SHARE} (measured by `npm run bench:quality -- --people`)
   */
  minGoodShare: number;
  /**
   * How new faces find the people and faces near them: `exact` compares every pair; `index` goes through an HNSW
   * index (every candidate decided exactly: a neighbour the index does not return is the only possible difference);
   * `auto` uses the index from `INDEXED_SEARCH_ABOVE` pairs (lib/people/_nearby.ts) on.
   * @default 'auto' — exact on all of LFW (14 million pairs), where `index` gives the same people too; at 1,000,000
   * synthetic faces the index of centroids built for the update found 90% of the joins the exact search finds, the
   * index of faces kept with the store (`index`) more (README "The people update at scale").
   */
  search: NearbySearch;
  /**
   * An index of the store's faces kept between updates (lib/people/face-index.ts, `storeFaceIndex`: what
   * `updateStorePeople` passes), used where `search` goes through an index. The new faces are then searched among
   * the faces, not the people's centroids: under `average` a person can pass only if one of its faces is within the
   * threshold (the mean of the squared distances is at least their minimum), so the candidates are the people of
   * the faces found, each decided exactly as by the exact search; under `neighbours` the faces found are the
   * neighbours. Under `average` (euclidean), a new face that joins no one through the index is then compared exactly
   * with every person's centroid and every earlier unassigned face (what the index may have missed). @default null — for an update through an index, one of the people's centroids (and unassigned faces)
   * is built for it and dropped
   */
  index: FaceNeighbourIndex | null;
}

/**
 * The default bar of `minQuality`, with {@link MIN_GOOD_SHARE} and {@link POOR_JOIN_FACTOR}: the setting with the
 * fewest junk people (people of 3 or more faces, no photo folder holding more than half of them) on 120faces, pins,
 * families and celeba together, among those that keep on each the share of the largest faces in their right person
 * (a person more than half of whose good faces come from the face's own folder) within 1 point and auto's BCubed F
 * within 0.005 (`npm run bench:quality -- --people`; grid: bars 0.2-0.7, shares 0-0.5, factors 1, 0.85, 0).
 * Junk people 1 / 3 / 66 / 16 -> 0 / 1 / 55 / 2 (with auto's cut steered by the good faces). Held out one at a time,
 * the other three pick the same for 120faces, pins and families, 0.7 / 0.5 / 0 for celeba (README "Faces too poor to
 * recognise").
 */
export const QUALITY_BAR = 0.6;

/**
 * The default of `poorJoinFactor` (see there), measured with {@link QUALITY_BAR}: 0, poor faces outside a person stay
 * unsorted. At 1 many of those that join afterwards join the wrong person (pins 14 joined, 1 of them right; families
 * 129, 3 right; celeba 20, 14 right) and junk grows (pins 1 -> 3, families 55 -> 59, celeba 2 -> 3).
 */
export const POOR_JOIN_FACTOR = 0;

/**
 * The default of `minGoodShare` (see there), measured with {@link QUALITY_BAR}: 0.5. It breaks up crowds of poor faces
 * around a few good ones (junk people with 0 instead: pins 2, families 57, celeba 2; with 0.5: 1, 55, 2).
 */
export const MIN_GOOD_SHARE = 0.5;

export const UPDATE_PEOPLE_DEFAULTS: Readonly<UpdatePeopleOptions> = Object.freeze({ recluster: false, placeNew: true, minFaces: 2, now: '', rule: null, quality: null, minQuality: QUALITY_BAR, poorJoinFactor: POOR_JOIN_FACTOR, minGoodShare: MIN_GOOD_SHARE, search: 'auto', index: null });

/**
 * The people now, from the faces (`faceIds[i]` with `embeddings[i]`), the last run's `previous` people (null on
 * the first run) and the folded corrections. Pure: nothing is read or written.
 */
export function updatePeople(
  faceIds: readonly string[],
  embeddings: readonly Float32Array[],
  previous: PeopleSnapshot | null,
  constraints: PeopleConstraints,
  options?: Partial<UpdatePeopleOptions>,
): PeopleState {
  const fn = 'updatePeople';
  const o = resolveOptions(fn, UPDATE_PEOPLE_DEFAULTS, options);
  checkInteger(fn, 'minFaces', o.minFaces, 1);
  checkNumber(fn, 'minQuality', o.minQuality, 0, 1);
  checkNumber(fn, 'poorJoinFactor', o.poorJoinFactor, 0, 1);
  checkNumber(fn, 'minGoodShare', o.minGoodShare, 0, 1);
  if (!NEARBY_SEARCHES.includes(o.search)) throw invalidParameter(fn, 'search', `one of ${NEARBY_SEARCHES.join(', ')}`, o.search);
  if (o.index !== null && typeof o.index?.near !== 'function') throw invalidParameter(fn, 'index', 'null or a face index (storeFaceIndex)', o.index);
  if (o.quality !== null && (!(o.quality instanceof Float32Array) || o.quality.length !== faceIds.length)) {
    throw invalidParameter(fn, 'quality', `null or a Float32Array with one score per face id (${faceIds.length})`, o.quality);
  }
  if (!Array.isArray(faceIds)) throw invalidParameter(fn, 'faceIds', 'an array of face ids', faceIds);
  if (!Array.isArray(embeddings) || embeddings.length !== faceIds.length) {
    throw invalidParameter(fn, 'embeddings', `an array with one embedding per face id (${faceIds.length})`, embeddings);
  }
  const dim = embeddings.length ? embeddings[0]?.length : 0;
  for (let i = 0; i < embeddings.length; i++) {
    if (!(embeddings[i] instanceof Float32Array) || embeddings[i].length !== dim) throw invalidParameter(fn, `embeddings[${i}]`, `a Float32Array of length ${dim}`, embeddings[i]);
  }
  const now = o.now || new Date().toISOString();
  const n = faceIds.length;
  const rule = o.rule ?? sameFaceRule();
  // The collection's threshold: the last full clustering's (same method), else that of a full clustering now.
  let threshold = previous?.threshold !== undefined && previous.method === rule.method ? previous.threshold : undefined;
  const personOf = new Int32Array(n).fill(-1);
  const status: FaceStatus[] = new Array(n).fill('unassigned');
  const placed = new Uint8Array(n); // 1: in a person (fixed for this run's placement)
  const active: number[] = []; // faces not ignored
  const current = new Set(faceIds);
  let newFaces = 0;
  const quality = o.quality;
  /** Below the bar (a face with no score counts as good). */
  const poor = (i: number) => quality !== null && quality[i] < o.minQuality;

  for (let i = 0; i < n; i++) {
    const id = faceIds[i];
    if (previous && !previous.known.has(id)) newFaces++;
    const ignored = constraints.ignored.get(id);
    if (ignored) {
      status[i] = ignored === 'not-a-face' ? 'not-a-face' : 'ignored';
      continue;
    }
    active.push(i);
    const confirmed = constraints.confirmed.get(id);
    if (confirmed !== undefined) {
      personOf[i] = rootPerson(constraints, confirmed);
      status[i] = 'confirmed';
      placed[i] = 1;
      continue;
    }
    if (!o.recluster && previous) {
      const p = previous.assignment.get(id);
      if (p !== undefined && allowedIn(constraints, id, p)) {
        personOf[i] = rootPerson(constraints, p);
        status[i] = 'assigned';
        placed[i] = 1;
      }
    }
  }
  const droppedFaces = previous ? [...previous.known].filter((f) => !current.has(f)).length : 0;

  // People that exist before placing: earlier ones not merged away, those corrections made or named.
  const persons = new Map<number, PersonRecord>();
  const ensure = (id: number, createdAt?: string) => {
    if (!persons.has(id)) persons.set(id, { id, name: constraints.names.get(id) ?? null, createdAt: createdAt ?? constraints.created.get(id) ?? now });
  };
  for (const p of previous?.persons ?? []) if (rootPerson(constraints, p.id) === p.id) ensure(p.id, p.createdAt);
  for (const id of constraints.names.keys()) if (rootPerson(constraints, id) === id) ensure(id);
  for (let i = 0; i < n; i++) if (personOf[i] >= 0) ensure(personOf[i]);
  // (a loop, not Math.max(...ids): a spread of 100,000+ ids overflows the call stack)
  let nextId = Math.max(previous?.nextId ?? 1, constraints.maxId + 1);
  for (const k of persons.keys()) if (k + 1 > nextId) nextId = k + 1;
  const newGroups: number[][] = [];
  let joined = 0;
  let warnings: string[] = [];

  if (o.recluster || (o.placeNew && previous === null)) {
    // A re-cluster, or the first run (nothing to place faces into): the default method clusters every face.
    const all = active.length > 0 ? rule.clusterAll(active.map((i) => embeddings[i]), active.map((i) => !poor(i))) : { labels: new Int32Array(0), threshold: previous?.threshold ?? NaN };
    threshold = all.threshold;
    warnings = 'warnings' in all && all.warnings ? all.warnings : [];
    reclusterInto(all.labels, active, faceIds, previous, constraints, personOf, status, placed, persons, newGroups, o.minFaces);
  } else if (o.placeNew) {
    // new faces, and faces unsorted last time that pass the bar now (it was lowered)
    const isNew = (i: number) => !previous || !previous.known.has(faceIds[i]) || (previous.unsorted?.has(faceIds[i]) === true && !poor(i));
    const queries = active.filter((i) => !placed[i] && isNew(i));
    if (queries.length > 0 && threshold === undefined) threshold = rule.clusterAll(active.map((i) => embeddings[i]), active.map((i) => !poor(i))).threshold;
    const place = rule.join === 'average' ? placeByAverage : placeByNeighbours;
    if (queries.length > 0) joined = place(queries, active, embeddings, faceIds, constraints, rule, threshold!, personOf, status, placed, newGroups, o.minFaces, o.search, warnings, o.index);
  } else {
    for (const i of active) if (!placed[i] && previous?.known.has(faceIds[i]) !== true) status[i] = 'new';
    for (const i of active) if (!placed[i] && status[i] !== 'new' && previous?.unsorted?.has(faceIds[i]) && poor(i)) status[i] = 'unsorted';
  }

  // Faces too poor to recognise never make a person: a group of the rule with fewer than `minFaces` good faces (faces
  // placed by hand count as good) is no person; its poor faces are unsorted, its good faces unassigned.
  const poorMask = quality === null ? null : Uint8Array.from(faceIds, (_, i) => (poor(i) ? 1 : 0));
  if (poorMask && o.placeNew) {
    for (let k = newGroups.length - 1; k >= 0; k--) {
      if (newGroups[k].filter((i) => !poorMask[i] || status[i] === 'confirmed').length >= o.minFaces) continue;
      for (const i of newGroups[k]) status[i] = poorMask[i] ? 'unsorted' : 'unassigned';
      newGroups.splice(k, 1);
    }
  }

  // New people, largest group first (ties: the group whose first face id sorts first), get the next ids.
  newGroups.sort((a, b) => b.length - a.length || (faceIds[a[0]] < faceIds[b[0]] ? -1 : 1));
  for (const g of newGroups) {
    const id = nextId++;
    persons.set(id, { id, name: null, createdAt: now });
    for (const i of g) { personOf[i] = id; status[i] = 'assigned'; }
  }

  // ... and the people now: see settlePoorFaces (poor-faces.ts).
  let poorJoined = 0;
  if (poorMask && o.placeNew) {
    poorJoined = settlePoorFaces(poorMask, active, embeddings, faceIds, constraints, persons, personOf, status, {
      minFaces: o.minFaces, minGoodShare: o.minGoodShare, metric: rule.metric, joinDistance: (threshold ?? previous?.threshold ?? NaN) * o.poorJoinFactor,
    });
  }

  // A person with no face left is kept when named, removed otherwise.
  const faceCount = new Map<number, number>();
  for (let i = 0; i < n; i++) if (personOf[i] >= 0) faceCount.set(personOf[i], (faceCount.get(personOf[i]) ?? 0) + 1);
  let removedPeople = 0;
  for (const [id, p] of persons) {
    if (!faceCount.has(id) && p.name === null) { persons.delete(id); removedPeople++; }
  }
  let unassigned = 0;
  let ignored = 0;
  let unsorted = 0;
  for (const s of status) { if (s === 'unassigned' || s === 'new') unassigned++; else if (s === 'ignored' || s === 'not-a-face') ignored++; else if (s === 'unsorted') unsorted++; }
  return {
    persons: [...persons.values()].sort((a, b) => a.id - b.id),
    faceIds: [...faceIds],
    personOf,
    status,
    nextId,
    rule: { method: rule.method, threshold: threshold ?? previous?.threshold ?? NaN, metric: rule.metric },
    summary: { faces: n, newFaces: previous ? newFaces : n, joined, newPeople: newGroups.length, droppedFaces, removedPeople, unassigned, ignored, unsorted, poorJoined, ...(warnings.length ? { warnings } : {}) },
  };
}


type Placer = (
  queries: number[], active: number[], embeddings: readonly Float32Array[], faceIds: readonly string[], constraints: PeopleConstraints,
  rule: SameFaceRule, threshold: number, personOf: Int32Array, status: FaceStatus[], placed: Uint8Array, newGroups: number[][], minFaces: number,
  search: NearbySearch, warnings: string[], index: FaceNeighbourIndex | null,
) => number;

/**
 * With a kept face index, when this update's search goes through an index (`search`, pairs of new faces x faces): the
 * neighbours of each query face among all faces, as indices into the update's faces; else null.
 */
function keptNeighbours(index: FaceNeighbourIndex | null, search: NearbySearch, queries: number[], active: number[], threshold: number, metric: SameFaceRule['metric'], warnings: string[]): Neighborhoods | null {
  if (index === null || !throughIndex(search, queries.length * active.length, warnings)) return null;
  return index.near(queries, threshold, metric, true);
}

/**
 * Steps 1 and 2 of the incremental placement (see the file comment) for the `neighbours` criterion. Returns how many
 * new faces joined a person.
 */
const placeByNeighbours: Placer = (queries, active, embeddings, faceIds, constraints, rule, threshold, personOf, status, placed, newGroups, minFaces, search, warnings, index) => {
  const rows = (idx: number[]) => idx.map((i) => (rule.metric === 'cosine' ? unit(embeddings[i]) : embeddings[i]));
  const kept = keptNeighbours(index, search, queries, active, threshold, rule.metric, warnings);
  const nb = kept ? amongActive(kept, active, embeddings.length) : nearby(rows(queries), rows(active), threshold, rule.metric, search, warnings);
  // Graph over the faces touched by a new face: neighbours (face index, distance) of each.
  const adj = new Map<number, { j: number; d: number }[]>();
  const link = (a: number, b: number, d: number) => {
    let l = adj.get(a);
    if (!l) adj.set(a, (l = []));
    l.push({ j: b, d });
  };
  const isQuery = new Set(queries);
  for (let k = 0; k < queries.length; k++) {
    const a = queries[k];
    for (let e = nb.offsets[k]; e < nb.offsets[k + 1]; e++) {
      const b = active[nb.indices[e]];
      if (a === b) continue;
      link(a, b, nb.distances[e]);
      if (!isQuery.has(b)) link(b, a, nb.distances[e]); // an earlier face: the reverse edge (query pairs come twice)
    }
  }
  // 1. Join people, repeating while faces join (a chain of new faces reaches its person).
  let joined = 0;
  const open = new Set<number>();
  for (const i of adj.keys()) if (!placed[i]) open.add(i);
  for (let changed = true; changed;) {
    changed = false;
    for (const i of [...open].sort((a, b) => a - b)) {
      const votes = new Map<number, { count: number; nearest: number }>();
      for (const { j, d } of adj.get(i)!) {
        if (!placed[j]) continue;
        const p = personOf[j];
        if (!allowedIn(constraints, faceIds[i], p)) continue;
        const v = votes.get(p);
        if (v) { v.count++; v.nearest = Math.min(v.nearest, d); } else votes.set(p, { count: 1, nearest: d });
      }
      let best = -1;
      let bestV = { count: 0, nearest: Infinity };
      for (const [p, v] of votes) {
        if (v.count > bestV.count || (v.count === bestV.count && (v.nearest < bestV.nearest || (v.nearest === bestV.nearest && p < best)))) { best = p; bestV = v; }
      }
      if (best < 0) continue;
      personOf[i] = best;
      status[i] = 'assigned';
      placed[i] = 1;
      open.delete(i);
      if (isQuery.has(i)) joined++;
      changed = true;
    }
  }
  // 2. What is left (new faces and the earlier unassigned faces they touch) is clustered by the default method.
  const rest = [...open, ...queries.filter((i) => !placed[i] && !adj.has(i))];
  clusterRest(rest, embeddings, rule, threshold, newGroups, minFaces);
  return joined;
};

/** Neighbourhoods over all faces restricted to the `active` ones, as positions in `active`. */
function amongActive(nb: Neighborhoods, active: number[], n: number): Neighborhoods {
  const at = new Int32Array(n).fill(-1);
  active.forEach((i, k) => { at[i] = k; });
  const offsets = new Int32Array(nb.n + 1);
  const idx: number[] = [];
  const dist: number[] = [];
  for (let q = 0; q < nb.n; q++) {
    for (let e = nb.offsets[q]; e < nb.offsets[q + 1]; e++) if (at[nb.indices[e]] >= 0) { idx.push(at[nb.indices[e]]); dist.push(nb.distances[e]); }
    offsets[q + 1] = idx.length;
  }
  return { n: nb.n, offsets, indices: Int32Array.from(idx), distances: Float32Array.from(dist) };
}

/** Step 2: the faces left over are clustered at the collection's threshold; groups of `minFaces` become people. */
function clusterRest(rest: number[], embeddings: readonly Float32Array[], rule: SameFaceRule, threshold: number, newGroups: number[][], minFaces: number): void {
  if (rest.length === 0) return;
  rest.sort((a, b) => a - b);
  const labels = rule.clusterAt(rest.map((i) => embeddings[i]), threshold);
  const groups = new Map<number, number[]>();
  rest.forEach((i, k) => {
    if (labels[k] < 0) return;
    (groups.get(labels[k]) ?? groups.set(labels[k], []).get(labels[k])!).push(i);
  });
  for (const g of groups.values()) if (g.length >= minFaces) newGroups.push(g);
}

/**
 * Steps 1 and 2 for the `average` criterion: a new face joins the person whose root mean squared distance to it
 * (average linkage on squared distances; 1 - mean cosine similarity for cosine) is below the threshold, the
 * smallest winning. Each person is its count, the sum of its faces and of their squared norms, so the test is
 * O(d) per person; only people whose centroid is within the threshold can pass (the mean squared distance is the
 * squared distance to the centroid plus the person's spread), found by the same exact radius search; with a kept
 * face index, only people one of whose faces is within the threshold can pass (the mean squared distance is at least
 * the smallest), found through it. Leftover new faces are clustered with the earlier unassigned faces within the
 * threshold of them.
 */
const placeByAverage: Placer = (queries, active, embeddings, faceIds, constraints, rule, threshold, personOf, status, placed, newGroups, minFaces, search, warnings, index) => {
  const cosine = rule.metric === 'cosine';
  const row = (i: number) => (cosine ? unit(embeddings[i]) : embeddings[i]);
  const d = embeddings[queries[0]].length;
  // linkage^2 = |q - c|^2 + spread (euclidean); 1 - q.c (cosine, unit rows)
  const { ids, index: entry, centroids, spread } = personCentroids(active.filter((i) => placed[i]), personOf, row, d);
  const qRows = queries.map(row);
  let joined = 0;
  const linkage = (k: number, dist: number) => (cosine ? dist : Math.sqrt(dist * dist + spread[k]));
  // candidates: with a kept face index, the people of the faces within the threshold (necessary: the mean squared
  // distance is at least the smallest); else centroids within the threshold (euclidean: necessary, as spread >= 0);
  // cosine: every person
  const faceNb = keptNeighbours(index, search, queries, active, threshold, rule.metric, warnings);
  const nb = faceNb || cosine ? null : nearby(qRows, centroids, threshold, rule.metric, search, warnings);
  const inPerson = Uint8Array.from(placed); // the people as they were before this step (what personCentroids holds)
  /** The person of query `qi` (an entry of personCentroids), or -1, from its candidates. */
  const decide = (qi: number, cand: Neighborhoods | null, at: number): number => {
    const i = queries[qi];
    let best = -1;
    let bestLink = threshold;
    const visit = (k: number, dist: number) => {
      const link = linkage(k, dist);
      if (link < bestLink && allowedIn(constraints, faceIds[i], ids[k])) { best = k; bestLink = link; }
    };
    if (faceNb && cand) {
      const seen = new Set<number>();
      for (let e = cand.offsets[at]; e < cand.offsets[at + 1]; e++) {
        const j = cand.indices[e];
        const k = inPerson[j] ? entry.get(personOf[j]) : undefined;
        if (k === undefined || seen.has(k)) continue;
        seen.add(k);
        visit(k, vectorDistance(qRows[qi], centroids[k], rule.metric));
      }
    } else if (nb) for (let e = nb.offsets[qi]; e < nb.offsets[qi + 1]; e++) visit(nb.indices[e], nb.distances[e]);
    else for (let k = 0; k < centroids.length; k++) { let dot = 0; for (let t = 0; t < d; t++) dot += qRows[qi][t] * centroids[k][t]; visit(k, 1 - dot); }
    return best;
  };
  const join = (qi: number, k: number) => {
    const i = queries[qi];
    personOf[i] = ids[k];
    status[i] = 'assigned';
    placed[i] = 1;
    joined++;
  };
  let leftQ: number[] = [];
  queries.forEach((_, qi) => { const k = decide(qi, faceNb, qi); if (k < 0) leftQ.push(qi); else join(qi, k); });
  const isQuery = new Set(queries);
  // with a kept index, the faces that joined no one are looked at again, since the index may have missed their person
  // or their earlier unassigned faces (step 2). Euclidean: exactly, against every person's centroid (a person passes
  // only if its centroid is within the threshold) and every earlier unassigned face, in one scan (SIMD; O(left x
  // (people + unassigned) x d)). Cosine: the index asked again, wider (FACE_INDEX_RETRY).
  let exactNear: Set<number> | null = null;
  if (faceNb && index && leftQ.length > 0 && !cosine) {
    const pool = active.filter((i) => !placed[i] && !isQuery.has(i));
    const nPeople = centroids.length;
    const hits = nearby(leftQ.map((qi) => qRows[qi]), centroids.concat(pool.map(row)), threshold, rule.metric, 'exact', warnings);
    const still: number[] = [];
    exactNear = new Set();
    leftQ.forEach((qi, r) => {
      let best = -1;
      let bestLink = threshold;
      for (let e = hits.offsets[r]; e < hits.offsets[r + 1]; e++) {
        const k = hits.indices[e];
        if (k >= nPeople) continue;
        const link = linkage(k, hits.distances[e]);
        if (link < bestLink && allowedIn(constraints, faceIds[queries[qi]], ids[k])) { best = k; bestLink = link; }
      }
      if (best >= 0) { join(qi, best); return; }
      still.push(qi);
      for (let e = hits.offsets[r]; e < hits.offsets[r + 1]; e++) if (hits.indices[e] >= nPeople) exactNear!.add(pool[hits.indices[e] - nPeople]);
    });
    leftQ = still;
  }
  let leftNb = faceNb;
  let leftAt = (qi: number) => qi;
  if (faceNb && index && leftQ.length > 0 && exactNear === null) {
    const again = index.near(leftQ.map((qi) => queries[qi]), threshold, rule.metric, true, FACE_INDEX_RETRY);
    const pos = new Map(leftQ.map((qi, r) => [qi, r]));
    const still: number[] = [];
    for (const qi of leftQ) { const k = decide(qi, again, pos.get(qi)!); if (k < 0) still.push(qi); else join(qi, k); }
    leftQ = still;
    leftNb = again;
    leftAt = (qi) => pos.get(qi)!;
  }
  const left = leftQ.map((qi) => queries[qi]);
  // 2. the new faces left, with the earlier unassigned faces within the threshold of them
  const near = new Set<number>(left);
  if (exactNear) {
    for (const j of exactNear) near.add(j);
  } else if (faceNb) {
    const isActive = new Uint8Array(embeddings.length);
    for (const i of active) isActive[i] = 1;
    for (const qi of leftQ) {
      const r = leftAt(qi);
      for (let e = leftNb!.offsets[r]; e < leftNb!.offsets[r + 1]; e++) {
        const j = leftNb!.indices[e];
        if (isActive[j] && !placed[j] && !isQuery.has(j)) near.add(j);
      }
    }
  } else {
    const pool = active.filter((i) => !placed[i] && !isQuery.has(i));
    if (left.length > 0 && pool.length > 0) {
      const nb2 = nearby(left.map(row), pool.map(row), threshold, rule.metric, search, warnings);
      for (let e = 0; e < nb2.indices.length; e++) near.add(pool[nb2.indices[e]]);
    }
  }
  clusterRest([...near], embeddings, rule, threshold, newGroups, minFaces);
  return joined;
};

/** The re-cluster mode (see the file comment): `labels` are the default clustering of the `active` faces. */
function reclusterInto(
  labels: Int32Array, active: number[], faceIds: readonly string[], previous: PeopleSnapshot | null, constraints: PeopleConstraints,
  personOf: Int32Array, status: FaceStatus[], placed: Uint8Array, persons: Map<number, PersonRecord>, newGroups: number[][], minFaces: number,
): void {
  if (active.length === 0) return;
  const clusters = new Map<number, number[]>();
  active.forEach((i, k) => {
    if (labels[k] < 0) return;
    (clusters.get(labels[k]) ?? clusters.set(labels[k], []).get(labels[k])!).push(i);
  });
  // Each cluster goes to the person most of its faces are in: confirmed there, or there in the last run. A person
  // takes one cluster, or more when its confirmed faces are in them (the rule split what the user joined).
  const list = [...clusters.values()];
  const pairs: { c: number; p: number; score: number; confirmed: number }[] = [];
  list.forEach((members, c) => {
    const score = new Map<number, { score: number; confirmed: number }>();
    const bump = (p: number, confirmed: number) => {
      const v = score.get(p) ?? score.set(p, { score: 0, confirmed: 0 }).get(p)!;
      v.score++;
      v.confirmed += confirmed;
    };
    for (const i of members) {
      if (placed[i]) { bump(personOf[i], 1); continue; }
      const was = previous?.assignment.get(faceIds[i]);
      if (was === undefined) continue;
      const p = rootPerson(constraints, was);
      if (persons.has(p)) bump(p, 0);
    }
    for (const [p, v] of score) pairs.push({ c, p, ...v });
  });
  pairs.sort((a, b) => b.score - a.score || b.confirmed - a.confirmed || a.p - b.p || a.c - b.c);
  const target = new Map<number, number>();
  const taken = new Set<number>();
  for (const { c, p, confirmed } of pairs) {
    if (target.has(c) || (taken.has(p) && confirmed === 0)) continue;
    target.set(c, p);
    taken.add(p);
  }
  list.forEach((members, c) => {
    const p = target.get(c);
    if (p !== undefined) {
      for (const i of members) {
        if (placed[i] || !allowedIn(constraints, faceIds[i], p)) continue;
        personOf[i] = p;
        status[i] = 'assigned';
      }
      return;
    }
    const free = members.filter((i) => !placed[i]);
    if (free.length >= minFaces) newGroups.push(free);
  });
}

/** The snapshot the next {@link updatePeople} starts from (what the people tables hold), from a state. */
export function snapshotOf(state: PeopleState): PeopleSnapshot {
  const assignment = new Map<string, number>();
  const known = new Set<string>();
  const unsorted = new Set<string>();
  state.faceIds.forEach((f, i) => {
    if (state.status[i] !== 'new') known.add(f);
    if (state.status[i] === 'unsorted') unsorted.add(f);
    if (state.personOf[i] >= 0) assignment.set(f, state.personOf[i]);
  });
  return { persons: state.persons.map((p) => ({ ...p })), assignment, known, nextId: state.nextId, threshold: state.rule.threshold, method: state.rule.method, unsorted };
}
