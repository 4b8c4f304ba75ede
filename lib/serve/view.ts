/**
 * What the browser app reads: the people of a store (lib/people `openPeople`) with the indexes a page needs (a
 * face id to its row, a photo to its faces, a person to its faces, each person's representative face), kept in
 * memory and read again when the store changed on disk (another `facecluster people`, a `run`, a notebook): every
 * request compares a stamp of the store's files (size and modification time) with the one it was built from.
 *
 * Faces and photos are looked up by the ids the store lists (a face id, a photo path as stored); nothing here turns
 * request text into a file path.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../store/read.ts';
import { BATCHES_DIR, FACES_FILE, MANIFEST_FILE, PHOTOS_FILE } from '../store/layout.ts';
import { CORRECTIONS_FILE } from '../people/journal.ts';
import { PEOPLE_FACES_FILE, PEOPLE_FILE, PEOPLE_META_FILE } from '../people/table.ts';
import { openPeople, type StorePeople } from '../people/people.ts';
import { representativeFaces } from '../people/representative.ts';
import type { PersonRecord } from '../people/assign.ts';

export interface StoreView {
  people: StorePeople;
  /** The stamp of the store's files this view was built from. */
  stamp: string;
  photoFolder: string;
  /** Face id -> row in `people.state.faceIds` / `people.faces`. */
  faceRow: Map<string, number>;
  /** Photo path (as stored) -> rows of its faces. */
  photoRows: Map<string, number[]>;
  /** Person id -> record. */
  persons: Map<number, PersonRecord>;
  /** Person id -> rows of its faces (sorted by face id). */
  personRows: Map<number, number[]>;
  /** Rows of faces in no person, by status group. */
  unsortedRows: number[];
  ignoredRows: number[];
  /** Person id -> representative face id. */
  representative: Map<number, string>;
}

const STAMPED = [MANIFEST_FILE, PHOTOS_FILE, FACES_FILE, BATCHES_DIR, CORRECTIONS_FILE, PEOPLE_FILE, PEOPLE_FACES_FILE, PEOPLE_META_FILE];

/** Size and modification time of the files a view depends on: equal stamps, equal views. */
export function storeStamp(storeDir: string): string {
  return STAMPED.map((name) => {
    try {
      const st = statSync(join(storeDir, name));
      return `${st.size}.${st.mtimeMs}`;
    } catch {
      return '-';
    }
  }).join('|');
}

/** Builds the view of `people` (as a correction returned them, or as read). */
export function buildView(people: StorePeople, photoFolder: string, stamp: string): StoreView {
  const { state } = people;
  const faceRow = new Map<string, number>();
  const photoRows = new Map<string, number[]>();
  const personRows = new Map<number, number[]>();
  const unsortedRows: number[] = [];
  const ignoredRows: number[] = [];
  state.faceIds.forEach((id, i) => {
    faceRow.set(id, i);
    const path = people.faces[i].path;
    (photoRows.get(path) ?? photoRows.set(path, []).get(path)!).push(i);
    const p = state.personOf[i];
    if (p >= 0) (personRows.get(p) ?? personRows.set(p, []).get(p)!).push(i);
    else if (state.status[i] === 'ignored' || state.status[i] === 'not-a-face') ignoredRows.push(i);
    else unsortedRows.push(i);
  });
  return {
    people, stamp, photoFolder, faceRow, photoRows, personRows, unsortedRows, ignoredRows,
    persons: new Map(state.persons.map((p) => [p.id, p])),
    representative: representativeFaces(people),
  };
}

/** Reads the store's people and builds their view. */
export async function loadView(storeDir: string): Promise<StoreView> {
  const stamp = storeStamp(storeDir);
  const [people, manifest] = await Promise.all([openPeople(storeDir), readManifest(storeDir)]);
  return buildView(people, manifest.photoFolder, stamp);
}

/** A view that is read again when the store's stamp changes; one read at a time. */
export class ViewCache {
  private view: StoreView | undefined;
  private loading: Promise<StoreView> | undefined;

  /** `photoFolder`: the store's, as its manifest says when the server starts (read again with the store). */
  constructor(readonly storeDir: string, private photoFolder: string) {}

  async get(): Promise<StoreView> {
    if (this.view && this.view.stamp === storeStamp(this.storeDir)) return this.view;
    if (!this.loading) {
      this.loading = loadView(this.storeDir).then(
        (v) => { this.view = v; this.photoFolder = v.photoFolder; this.loading = undefined; return v; },
        (e) => { this.loading = undefined; throw e; },
      );
    }
    return this.loading;
  }

  /** After a correction: the people it returned become the view (stamped now, after its writes). */
  set(people: StorePeople): StoreView {
    this.view = buildView(people, this.photoFolder, storeStamp(this.storeDir));
    return this.view;
  }
}
