/**
 * People from faces, kept stable across runs: a pure function from (the faces now in the store, the people of
 * the last run, the corrections) to the people now.
 *
 * Incremental (default). Faces keep the person they had; corrections are enforced (confirmed faces in their
 * person, ignored faces out, a face never in a person it was moved away from). New faces then:
 * 1. join an existing person when they have a neighbour in it, i.e. a face of it closer than the rule's
 *    threshold ({@link sameFaceRule}: the default clustering's own "same person" distance, no new constant);
 *    the person with the most such neighbours wins (ties: the nearest). Repeated until nothing changes, so a
 *    chain of new faces reaches its person as it would in the full clustering.
 * 2. the rest, with the earlier unassigned faces they touch, are clustered by the default method; groups of at
 *    least `minFaces` become new people.
 * Cost: new faces x all faces distances (exact, SIMD), plus clustering the few left over; the full clustering
 * costs all faces x all faces.
 *
 * Re-cluster (`recluster: true`): the default method clusters every face that is not ignored; each cluster goes
 * to the person most of its faces are in (confirmed there, or there in the last run: so ids and names survive),
 * a person taking one cluster unless its confirmed faces are in several; a cluster no person claims becomes a new
 * person. Confirmed faces never move; a face never joins a person it was moved or split away from.
 *
 * Either way ids never change: a new person gets the next id never used; a person left with no face is kept
 * when it has a name, removed otherwise; ids retired by a merge are never reused.
 */
import { radiusNeighborsBetween } from '../cluster/_radius-between.ts';
import { invalidParameter } from '../errors.ts';
import { checkInteger, resolveOptions } from '../options.ts';
import { allowedIn, rootPerson, type PeopleConstraints } from './constraints.ts';
import { sameFaceRule } from './rule.ts';

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
}

/** Where a face stands. */
/** Where a face stands; `new`: not placed yet (only with `placeNew: false`). */
export type FaceStatus = 'assigned' | 'confirmed' | 'unassigned' | 'new' | 'ignored' | 'not-a-face';

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
}

export const UPDATE_PEOPLE_DEFAULTS: Readonly<UpdatePeopleOptions> = Object.freeze({ recluster: false, placeNew: true, minFaces: 2, now: '' });

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
  const rule = sameFaceRule(embeddings, o.recluster ? undefined : previous?.threshold);
  const personOf = new Int32Array(n).fill(-1);
  const status: FaceStatus[] = new Array(n).fill('unassigned');
  const placed = new Uint8Array(n); // 1: in a person (fixed for this run's placement)
  const active: number[] = []; // faces not ignored
  const current = new Set(faceIds);
  let newFaces = 0;

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
  let nextId = Math.max(previous?.nextId ?? 1, constraints.maxId + 1, ...[...persons.keys()].map((k) => k + 1));
  const newGroups: number[][] = [];
  let joined = 0;

  if (o.recluster || (o.placeNew && previous === null)) {
    // A re-cluster, or the first run (nothing to place faces into): the default method clusters every face.
    reclusterInto(active, embeddings, faceIds, previous, constraints, rule, personOf, status, placed, persons, newGroups, o.minFaces);
  } else if (o.placeNew) {
    const isNew = (i: number) => !previous || !previous.known.has(faceIds[i]);
    const queries = active.filter((i) => !placed[i] && isNew(i));
    joined = placeIncrementally(queries, active, embeddings, faceIds, constraints, rule, personOf, status, placed, newGroups, o.minFaces);
  } else {
    for (const i of active) if (!placed[i] && previous?.known.has(faceIds[i]) !== true) status[i] = 'new';
  }

  // New people, largest group first (ties: the group whose first face id sorts first), get the next ids.
  newGroups.sort((a, b) => b.length - a.length || (faceIds[a[0]] < faceIds[b[0]] ? -1 : 1));
  for (const g of newGroups) {
    const id = nextId++;
    persons.set(id, { id, name: null, createdAt: now });
    for (const i of g) { personOf[i] = id; status[i] = 'assigned'; }
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
  for (const s of status) { if (s === 'unassigned' || s === 'new') unassigned++; else if (s === 'ignored' || s === 'not-a-face') ignored++; }
  return {
    persons: [...persons.values()].sort((a, b) => a.id - b.id),
    faceIds: [...faceIds],
    personOf,
    status,
    nextId,
    rule: { method: rule.method, threshold: rule.threshold, metric: rule.metric },
    summary: { faces: n, newFaces: previous ? newFaces : n, joined, newPeople: newGroups.length, droppedFaces, removedPeople, unassigned, ignored },
  };
}

type Rule = ReturnType<typeof sameFaceRule>;

/** `v` scaled to unit length (a copy), for the cosine metric. */
function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let t = 0; t < v.length; t++) s += v[t] * v[t];
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Float32Array.from(v, (x) => x * inv);
}

/** Steps 1 and 2 of the incremental placement (see the file comment). Returns how many new faces joined a person. */
function placeIncrementally(
  queries: number[], active: number[], embeddings: readonly Float32Array[], faceIds: readonly string[], constraints: PeopleConstraints,
  rule: Rule, personOf: Int32Array, status: FaceStatus[], placed: Uint8Array, newGroups: number[][], minFaces: number,
): number {
  if (queries.length === 0) return 0;
  const rows = (idx: number[]) => idx.map((i) => (rule.metric === 'cosine' ? unit(embeddings[i]) : embeddings[i]));
  const q = rows(queries);
  const base = rows(active);
  const nb = radiusNeighborsBetween(q, base, rule.threshold, rule.metric, true);
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
  const rest = [...open, ...queries.filter((i) => !placed[i] && !adj.has(i))].sort((a, b) => a - b);
  if (rest.length === 0) return joined;
  const labels = rule.cluster(rest.map((i) => embeddings[i]));
  const groups = new Map<number, number[]>();
  rest.forEach((i, k) => {
    if (labels[k] < 0) return;
    (groups.get(labels[k]) ?? groups.set(labels[k], []).get(labels[k])!).push(i);
  });
  for (const g of groups.values()) if (g.length >= minFaces) newGroups.push(g);
  return joined;
}

/** The re-cluster mode (see the file comment). */
function reclusterInto(
  active: number[], embeddings: readonly Float32Array[], faceIds: readonly string[], previous: PeopleSnapshot | null, constraints: PeopleConstraints,
  rule: Rule, personOf: Int32Array, status: FaceStatus[], placed: Uint8Array, persons: Map<number, PersonRecord>, newGroups: number[][], minFaces: number,
): void {
  if (active.length === 0) return;
  const labels = rule.cluster(active.map((i) => embeddings[i]));
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
  state.faceIds.forEach((f, i) => {
    if (state.status[i] !== 'new') known.add(f);
    if (state.personOf[i] >= 0) assignment.set(f, state.personOf[i]);
  });
  return { persons: state.persons.map((p) => ({ ...p })), assignment, known, nextId: state.nextId, threshold: state.rule.threshold };
}
