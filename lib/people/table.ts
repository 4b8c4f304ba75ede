/**
 * The people tables in the face store, Apache Arrow IPC like the rest of it (readable from pandas, pyarrow,
 * DuckDB):
 *
 * - `people.arrow`: one row per person: `personId` (Int32), `name` (Utf8, null when unnamed), `createdAt` (Utf8,
 *   ISO 8601), `faces` (Int32), `confirmedFaces` (Int32).
 * - `people-faces.arrow`: one row per face of the store: `faceId` (Utf8, `<photo path>#<face index>`, the
 *   store's own face identity), `personId` (Int32, -1 for none), `status` (Utf8: assigned, confirmed,
 *   unassigned, new (not placed yet), ignored, not-a-face, unsorted (too poor to recognise, in no person)).
 * - `people.json`: `nextId` (ids below were given once and are never reused), the rule (method, threshold),
 *   the number of corrections applied, and when.
 *
 * The tables are derived (faces + corrections journal + the previous tables) and each file is replaced
 * atomically; `corrections.jsonl` (journal.ts) is the record of what a person decided.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeVector, Table, tableFromIPC, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { FaceclusterError } from '../errors.ts';
import { atomicWrite } from '../store/layout.ts';
import type { FaceStatus, PeopleSnapshot, PeopleState, PersonRecord } from './assign.ts';

export const PEOPLE_FILE = 'people.arrow';
export const PEOPLE_FACES_FILE = 'people-faces.arrow';
export const PEOPLE_META_FILE = 'people.json';

/** `people.json`. */
export interface PeopleMeta {
  format: 'facecluster-people';
  formatVersion: 1;
  nextId: number;
  rule: { method: string; threshold: number; metric: string };
  /** Corrections in the journal when the tables were written. */
  corrections: number;
  updatedAt: string;
}

/** Writes the people tables of `state` into the store folder (each file atomically; the meta file last). */
export async function writePeopleTables(storeDir: string, state: PeopleState, corrections: number): Promise<void> {
  const count = new Map<number, number>();
  const confirmed = new Map<number, number>();
  state.personOf.forEach((p, i) => {
    if (p < 0) return;
    count.set(p, (count.get(p) ?? 0) + 1);
    if (state.status[i] === 'confirmed') confirmed.set(p, (confirmed.get(p) ?? 0) + 1);
  });
  const people = new Table({
    personId: makeVector(Int32Array.from(state.persons, (p) => p.id)),
    name: vectorFromArray(state.persons.map((p) => p.name), new Utf8()),
    createdAt: vectorFromArray(state.persons.map((p) => p.createdAt), new Utf8()),
    faces: makeVector(Int32Array.from(state.persons, (p) => count.get(p.id) ?? 0)),
    confirmedFaces: makeVector(Int32Array.from(state.persons, (p) => confirmed.get(p.id) ?? 0)),
  });
  const faces = new Table({
    faceId: vectorFromArray(state.faceIds, new Utf8()),
    personId: makeVector(Int32Array.from(state.personOf)),
    status: vectorFromArray(state.status, new Utf8()),
  });
  await atomicWrite(storeDir, PEOPLE_FACES_FILE, tableToIPC(faces, 'file'));
  await atomicWrite(storeDir, PEOPLE_FILE, tableToIPC(people, 'file'));
  const meta: PeopleMeta = { format: 'facecluster-people', formatVersion: 1, nextId: state.nextId, rule: state.rule, corrections, updatedAt: new Date().toISOString() };
  await atomicWrite(storeDir, PEOPLE_META_FILE, `${JSON.stringify(meta, null, 2)}\n`);
}

/** The people tables of a store as the last run left them; null when it has none yet. */
export async function readPeopleSnapshot(storeDir: string): Promise<PeopleSnapshot | null> {
  const fn = 'readPeople';
  if (!existsSync(join(storeDir, PEOPLE_FILE)) || !existsSync(join(storeDir, PEOPLE_FACES_FILE))) return null;
  const people = tableFromIPC(await readFile(join(storeDir, PEOPLE_FILE)));
  const faces = tableFromIPC(await readFile(join(storeDir, PEOPLE_FACES_FILE)));
  const col = (t: Table, name: string, file: string) => {
    const c = t.getChild(name);
    if (!c) throw new FaceclusterError(fn, `${join(storeDir, file)} has no column ${JSON.stringify(name)}; it is not a facecluster people table.`);
    return c.toArray() as ArrayLike<unknown>;
  };
  const ids = col(people, 'personId', PEOPLE_FILE) as Int32Array;
  const names = col(people, 'name', PEOPLE_FILE) as (string | null)[];
  const created = col(people, 'createdAt', PEOPLE_FILE) as string[];
  const persons: PersonRecord[] = [];
  for (let i = 0; i < people.numRows; i++) persons.push({ id: ids[i], name: names[i] ?? null, createdAt: String(created[i]) });
  const faceIds = col(faces, 'faceId', PEOPLE_FACES_FILE) as string[];
  const personIds = col(faces, 'personId', PEOPLE_FACES_FILE) as Int32Array;
  const assignment = new Map<string, number>();
  const known = new Set<string>();
  const statuses = col(faces, 'status', PEOPLE_FACES_FILE) as string[];
  const unsorted = new Set<string>();
  for (let i = 0; i < faces.numRows; i++) {
    const f = String(faceIds[i]);
    if (statuses[i] === 'new') continue; // seen by a correction, not placed yet: still new
    known.add(f);
    if (statuses[i] === 'unsorted') unsorted.add(f);
    if (personIds[i] >= 0) assignment.set(f, personIds[i]);
  }
  let nextId = Math.max(1, ...persons.map((p) => p.id + 1));
  let threshold: number | undefined;
  let method: string | undefined;
  if (existsSync(join(storeDir, PEOPLE_META_FILE))) {
    const meta = JSON.parse(await readFile(join(storeDir, PEOPLE_META_FILE), 'utf8')) as PeopleMeta;
    if (Number.isInteger(meta.nextId)) nextId = Math.max(nextId, meta.nextId);
    if (typeof meta.rule?.threshold === 'number') threshold = meta.rule.threshold;
    if (typeof meta.rule?.method === 'string') method = meta.rule.method;
  }
  return { persons, assignment, known, nextId, unsorted, ...(threshold !== undefined ? { threshold, method } : {}) };
}

/** The statuses a face can have, for readers of `people-faces.arrow`. */
export const FACE_STATUSES: readonly FaceStatus[] = ['assigned', 'confirmed', 'unassigned', 'new', 'ignored', 'not-a-face', 'unsorted'];
