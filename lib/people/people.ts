/**
 * People of a face store, for the CLI and notebooks: read them, update them after new photos were encoded, and
 * correct them by hand. Every change takes the store's people lock (`people.lock`), appends its correction to
 * the journal (journal.ts) and rewrites the people tables (table.ts); two processes never change people at
 * once (the second waits up to `waitMs`, then is refused with a message naming the first).
 *
 * @example
 * let people = await updateStorePeople('out/store');          // after `facecluster encode`
 * await namePerson('out/store', 3, 'Ann Smith');
 * await moveFace('out/store', 'Ann_Smith/Ann_Smith_0004.jpg#0', 3);
 * people = await openPeople('out/store');
 * listPeople(people)   // [{ id: 3, name: 'Ann Smith', faces: [...], confirmedFaces: 1 }, ...]
 */
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { resolveStoreDir } from '../store/layout.ts';
import { acquireLock } from '../store/lock.ts';
import { openStore } from '../store/read.ts';
import type { StoredFace } from '../store/schema.ts';
import { updatePeople, type FaceStatus, type PeopleState, type PersonRecord, type UpdatePeopleOptions } from './assign.ts';
import { foldCorrections, type PeopleConstraints } from './constraints.ts';
import { appendCorrection, readCorrections, type Correction, type IgnoreReason } from './journal.ts';
import { readPeopleSnapshot, writePeopleTables } from './table.ts';
import { sameFaceRule } from './rule.ts';
import { embedderMixtureOptions } from '../embed/registry.ts';
import { storeFaceIndex, type FaceIndexReport } from './face-index.ts';
import type { NearbySearch } from './_nearby.ts';

/** The lock file that serialises changes to the people of a store. */
export const PEOPLE_LOCK_FILE = 'people.lock';

/** The store's identity of a face: `<photo path relative to the photo folder>#<face index>`. */
export function faceId(face: Pick<StoredFace, 'path' | 'faceIndex'>): string {
  return `${face.path}#${face.faceIndex}`;
}

/** The people of a store, with the faces they are made of. */
export interface StorePeople {
  storeDir: string;
  state: PeopleState;
  /** The store's faces, aligned with `state.faceIds`. */
  faces: StoredFace[];
  constraints: PeopleConstraints;
  /** Journal lines that did not parse (a correction torn by a kill; reported, skipped). */
  damagedCorrections: number[];
  /** What the update did with the store's kept face index (face-index.ts); absent when it did not search through it. */
  faceIndex?: FaceIndexReport;
}

/** One person, as listed. */
export interface Person extends PersonRecord {
  /** Face ids, sorted. */
  faces: string[];
  confirmedFaces: number;
}

export interface PeopleChangeOptions {
  /** How long to wait for another process changing the same store's people, ms. @default 10000 */
  waitMs: number;
}

export const PEOPLE_CHANGE_DEFAULTS: Readonly<PeopleChangeOptions> = Object.freeze({ waitMs: 10_000 });

/** What the people are computed from, besides the journal: the store's faces and the last people tables. */
interface PeopleInputs {
  store: Awaited<ReturnType<typeof openStore>>;
  faceIds: string[];
  previous: Awaited<ReturnType<typeof readPeopleSnapshot>>;
}

async function readInputs(dir: string): Promise<PeopleInputs> {
  const store = await openStore(dir);
  return { store, faceIds: store.faces.map(faceId), previous: await readPeopleSnapshot(store.dir) };
}

/** The people from `inputs` and the journal as it stands now. */
async function peopleOf(inputs: PeopleInputs, options: Partial<UpdatePeopleOptions>): Promise<StorePeople> {
  const { store, faceIds, previous } = inputs;
  const journal = await readCorrections(store.dir);
  const constraints = foldCorrections(journal.entries);
  const rule = sameFaceRule(embedderMixtureOptions(store.embedder));
  // the store's quality column (faces of stores encoded before it have none: they count as good)
  const quality = store.faces.some((f) => f.quality !== undefined) ? Float32Array.from(store.faces, (f) => f.quality ?? NaN) : null;
  const state = updatePeople(faceIds, store.embeddings, previous, constraints, { rule, quality, ...options });
  return { storeDir: store.dir, state, faces: store.faces, constraints, damagedCorrections: journal.damaged };
}

async function load(dir: string, options: Partial<UpdatePeopleOptions>): Promise<StorePeople> {
  return peopleOf(await readInputs(dir), options);
}

/**
 * The people of a store as they stand (the last run's people with every correction applied; faces encoded since
 * then have status `new`). Read-only: takes no lock, writes nothing.
 */
export async function openPeople(dir: string): Promise<StorePeople> {
  return load(dir, { placeNew: false });
}

/** Whether the store has people tables yet (a `facecluster people update` or `run` made them). */
export async function hasPeople(dir: string): Promise<boolean> {
  return (await readPeopleSnapshot(resolveStoreDir(dir))) !== null;
}

async function locked<T>(dir: string, waitMs: number, fn: string, work: (storeDir: string) => Promise<T>): Promise<T> {
  const storeDir = resolveStoreDir(dir);
  const lock = await acquireLock(storeDir, PEOPLE_LOCK_FILE, { waitMs, purpose: 'changing the people of', fn });
  try {
    return await work(storeDir);
  } finally {
    await lock.release();
  }
}

/**
 * Places the faces encoded since the last update (incremental), or re-clusters every face with `recluster`
 * (keeping corrections, ids and names), and writes the people tables. The first update of a store clusters
 * every face. Faces whose quality is below `minQuality` (default `UPDATE_PEOPLE_DEFAULTS.minQuality`) never start
 * a person (see `updatePeople`).
 */
export async function updateStorePeople(dir: string, options?: Partial<{ recluster: boolean; minQuality: number; search: NearbySearch } & PeopleChangeOptions>): Promise<StorePeople> {
  const waitMs = options?.waitMs ?? PEOPLE_CHANGE_DEFAULTS.waitMs;
  return locked(dir, waitMs, 'updateStorePeople', async (storeDir) => {
    const inputs = await readInputs(storeDir);
    // the store's face index, kept in the store folder: opened only when the update searches through an index
    const index = storeFaceIndex(storeDir, inputs.faceIds, inputs.store.embeddings);
    const people = await peopleOf(inputs, {
      recluster: options?.recluster ?? false, index,
      ...(options?.minQuality !== undefined ? { minQuality: options.minQuality } : {}),
      ...(options?.search !== undefined ? { search: options.search } : {}),
    });
    await writePeopleTables(storeDir, people.state, people.constraints.count);
    index.save();
    const report = index.report();
    return report ? { ...people, faceIndex: report } : people;
  });
}

/** Applies one correction under the lock: checks it against the people as they stand, journals it, rewrites the tables. */
async function correct(
  dir: string, fn: string, options: Partial<PeopleChangeOptions> | undefined, make: (people: StorePeople) => Correction | Correction[],
): Promise<StorePeople> {
  const waitMs = options?.waitMs ?? PEOPLE_CHANGE_DEFAULTS.waitMs;
  return locked(dir, waitMs, fn, async (storeDir) => {
    // The store and the tables are read once: under the people lock only this correction changes what the
    // people are made of (the journal), so "after" is the same inputs with the journal read again.
    const inputs = await readInputs(storeDir);
    const before = await peopleOf(inputs, { placeNew: false });
    if (before.state.persons.length === 0 && inputs.previous === null) {
      throw new FaceclusterError(fn, `the store ${JSON.stringify(storeDir)} has no people yet; run \`facecluster people <store> update\` (or \`facecluster run\`) first.`);
    }
    const made = make(before);
    for (const c of Array.isArray(made) ? made : [made]) appendCorrection(storeDir, c);
    const after = await peopleOf(inputs, { placeNew: false });
    await writePeopleTables(storeDir, after.state, after.constraints.count);
    return after;
  });
}

function personIndex(people: StorePeople): Map<number, PersonRecord> {
  return new Map(people.state.persons.map((p) => [p.id, p]));
}

function checkPerson(fn: string, param: string, people: StorePeople, id: unknown): number {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1) throw invalidParameter(fn, param, 'a person id (an integer >= 1)', id);
  if (!personIndex(people).has(id)) {
    const ids = people.state.persons.map((p) => p.id);
    throw new FaceclusterError(fn, `${param} must be the id of a person of this store (${ids.length ? `${ids.length} people, ids ${ids.slice(0, 12).join(', ')}${ids.length > 12 ? ', ...' : ''}` : 'none'}), got ${id}.`, param);
  }
  return id;
}

/** Index of `face` (a face id; `path` alone means `path#0`) in the store; throws naming the parameter. */
function checkFace(fn: string, param: string, people: StorePeople, face: unknown): number {
  if (typeof face !== 'string' || face === '') throw invalidParameter(fn, param, 'a face id ("<photo path>#<face index>")', face);
  const id = /#\d+$/.test(face) ? face : `${face}#0`;
  const i = people.state.faceIds.indexOf(id);
  if (i < 0) throw new FaceclusterError(fn, `${param} must be a face of this store ("<photo path>#<face index>", e.g. ${JSON.stringify(people.state.faceIds[0] ?? 'a/b.jpg#0')}), got ${JSON.stringify(face)}.`, param);
  return i;
}

function facesOf(people: StorePeople, id: number): string[] {
  const out: string[] = [];
  people.state.personOf.forEach((p, i) => { if (p === id) out.push(people.state.faceIds[i]); });
  return out;
}

/** Names person `id` (`null` removes the name). Names are kept for good: a named person is never removed. */
export async function namePerson(dir: string, id: number, name: string | null, options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'namePerson';
  if (name !== null && (typeof name !== 'string' || name.trim() === '' || /[\n\r\0]/.test(name))) throw invalidParameter(fn, 'name', 'a non-empty single-line string, or null', name);
  return correct(dir, fn, options, (people) => ({ op: 'name', person: checkPerson(fn, 'id', people, id), name: name === null ? null : name.trim() }));
}

/** Merges person `from` into person `into`: `into` keeps its id (and its name, else takes `from`'s). */
export async function mergePeople(dir: string, into: number, from: number, options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'mergePeople';
  return correct(dir, fn, options, (people) => {
    checkPerson(fn, 'into', people, into);
    checkPerson(fn, 'from', people, from);
    if (into === from) throw invalidParameter(fn, 'from', `a person other than into (${into})`, from);
    return { op: 'merge', from, into, faces: [...facesOf(people, into), ...facesOf(people, from)].sort() };
  });
}

/** Moves a face to person `to` (confirmed there; it never goes back to the person it left). Also un-ignores a face. */
export async function moveFace(dir: string, face: string, to: number, options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'moveFace';
  return correct(dir, fn, options, (people) => {
    const i = checkFace(fn, 'face', people, face);
    checkPerson(fn, 'to', people, to);
    const from = people.state.personOf[i];
    return { op: 'move', face: people.state.faceIds[i], from: from >= 0 ? from : null, to };
  });
}

/**
 * Moves several faces to person `to` under one lock (one journal line per face, as {@link moveFace} writes):
 * what a browser selection of faces does. Every face is checked before anything is written.
 */
export async function moveFaces(dir: string, faces: readonly string[], to: number, options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'moveFaces';
  if (!Array.isArray(faces) || faces.length === 0) throw invalidParameter(fn, 'faces', 'a non-empty array of face ids', faces);
  return correct(dir, fn, options, (people) => {
    checkPerson(fn, 'to', people, to);
    const idx = [...new Set(faces.map((f, k) => checkFace(fn, `faces[${k}]`, people, f)))];
    return idx.map((i) => ({ op: 'move' as const, face: people.state.faceIds[i], from: people.state.personOf[i] >= 0 ? people.state.personOf[i] : null, to }));
  });
}

/** Splits `faces` (faces of person `id`) off into a new person; returns the people with it (its id is the largest). */
export async function splitPerson(dir: string, id: number, faces: readonly string[], options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'splitPerson';
  if (!Array.isArray(faces) || faces.length === 0) throw invalidParameter(fn, 'faces', 'a non-empty array of face ids', faces);
  return correct(dir, fn, options, (people) => {
    checkPerson(fn, 'id', people, id);
    const ids = faces.map((f, k) => {
      const i = checkFace(fn, `faces[${k}]`, people, f);
      if (people.state.personOf[i] !== id) throw new FaceclusterError(fn, `faces[${k}] must be a face of person ${id}, got ${JSON.stringify(f)} (${people.state.personOf[i] >= 0 ? `in person ${people.state.personOf[i]}` : people.state.status[i]}).`, `faces[${k}]`);
      return people.state.faceIds[i];
    });
    if (new Set(ids).size === facesOf(people, id).length) throw new FaceclusterError(fn, `faces must leave at least one face in person ${id} (that would only rename it), got all ${ids.length}.`, 'faces');
    return { op: 'split', person: id, faces: [...new Set(ids)].sort(), newPerson: people.state.nextId };
  });
}

/** Keeps a face out of every person (`not-a-face` when the detector was wrong). `moveFace` brings it back. */
export async function ignoreFace(dir: string, face: string, reason: IgnoreReason = 'ignore', options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'ignoreFace';
  if (reason !== 'ignore' && reason !== 'not-a-face') throw invalidParameter(fn, 'reason', '"ignore" or "not-a-face"', reason);
  return correct(dir, fn, options, (people) => ({ op: 'ignore', face: people.state.faceIds[checkFace(fn, 'face', people, face)], reason }));
}

/** Ignores several faces under one lock (one journal line per face, as {@link ignoreFace} writes). */
export async function ignoreFaces(dir: string, faces: readonly string[], reason: IgnoreReason = 'ignore', options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'ignoreFaces';
  if (!Array.isArray(faces) || faces.length === 0) throw invalidParameter(fn, 'faces', 'a non-empty array of face ids', faces);
  if (reason !== 'ignore' && reason !== 'not-a-face') throw invalidParameter(fn, 'reason', '"ignore" or "not-a-face"', reason);
  return correct(dir, fn, options, (people) => {
    const idx = [...new Set(faces.map((f, k) => checkFace(fn, `faces[${k}]`, people, f)))];
    return idx.map((i) => ({ op: 'ignore' as const, face: people.state.faceIds[i], reason }));
  });
}

/**
 * Records that people `a` and `b` are not one person (a "no" to the review's "same person?"), so the question is
 * not asked again (reviewQuestions); ids are followed through later merges.
 */
export async function markDistinct(dir: string, a: number, b: number, options?: Partial<PeopleChangeOptions>): Promise<StorePeople> {
  const fn = 'markDistinct';
  return correct(dir, fn, options, (people) => {
    checkPerson(fn, 'a', people, a);
    checkPerson(fn, 'b', people, b);
    if (a === b) throw invalidParameter(fn, 'b', `a person other than a (${a})`, b);
    return { op: 'distinct', a, b };
  });
}

/** The people with their faces, largest first (ties by id). */
export function listPeople(people: StorePeople): Person[] {
  const faces = new Map<number, string[]>();
  const confirmed = new Map<number, number>();
  people.state.personOf.forEach((p, i) => {
    if (p < 0) return;
    (faces.get(p) ?? faces.set(p, []).get(p)!).push(people.state.faceIds[i]);
    if (people.state.status[i] === 'confirmed') confirmed.set(p, (confirmed.get(p) ?? 0) + 1);
  });
  return people.state.persons
    .map((p) => ({ ...p, faces: (faces.get(p.id) ?? []).sort(), confirmedFaces: confirmed.get(p.id) ?? 0 }))
    .sort((a, b) => b.faces.length - a.faces.length || a.id - b.id);
}

/** Faces by status (how many are new, unassigned, ignored, ...). */
export function faceStatusCounts(people: StorePeople): Record<FaceStatus, number> {
  const out: Record<FaceStatus, number> = { assigned: 0, confirmed: 0, unassigned: 0, new: 0, ignored: 0, 'not-a-face': 0, unsorted: 0 };
  for (const s of people.state.status) out[s]++;
  return out;
}

/**
 * A folder name per person for saved people folders: `<name> (person-<id>)` when named, `person-<id>` otherwise
 * (ids, not ranks, so a folder keeps its name across runs).
 */
export function personFolderNames(people: StorePeople): Record<number, string> {
  const out: Record<number, string> = {};
  for (const p of people.state.persons) out[p.id] = p.name ? `${p.name} (person-${p.id})` : `person-${p.id}`;
  return out;
}
