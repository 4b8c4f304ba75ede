/**
 * The people's face index, kept with the store: an HNSW index (usearch, lib/cluster/_radius-indexed.ts) of every face
 * of the store, saved in the store folder (never in the photo folder) so that an update of a large store adds only
 * its new faces and searches them, instead of indexing the whole store again.
 *
 * Files, in the store folder:
 *   people-index.usearch   the usearch index (face vectors as int8 or bf16 codes, and the graph); keys 0, 1, 2, ...
 *   people-index.json      its record: the settings it was built with, the file's size and SHA-256, and for each
 *                          key the face id it holds and a fingerprint of that face's vector (null: removed)
 * Both are written atomically (a temporary file renamed into place), the record last.
 *
 * Keyed to the store's content, never trusted when it does not match: it is built anew when a file is missing, when
 * the record does not parse or its settings are not those of today, when the index file's size or SHA-256 is not the
 * record's (corrupt, torn or replaced), when usearch cannot read it or holds another number of faces, or when more
 * than half of its faces are gone. Otherwise a face whose id is no longer in the store, or whose vector's fingerprint
 * changed (its photo was encoded again), is removed from it, and every face of the store it does not hold is added.
 * The fingerprint is a 32-bit hash of 32 evenly spaced values of the vector: re-encoding a photo changes them all.
 *
 * The index only proposes faces: the people update decides every candidate on the full vectors (updatePeople,
 * `index`), so a kept index changes nothing but which neighbours are found.
 *
 * Cost: building is O(n log n) once (at a million 512-d faces: README "The people update at scale"); opening it
 * reads the file twice (SHA-256, then usearch) and the record, and is linear in the store's faces (ids and
 * fingerprints); each update then adds and searches its new faces only.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Neighborhoods } from '../cluster/_knn.ts';
import { addToIndex, indexCoding, INDEXED_RADIUS_DEFAULTS, newUsearchIndex, radiusSearch, type IndexCoding, type IndexedRadiusParams, type UsearchIndex } from '../cluster/_radius-indexed.ts';
import type { Metric } from '../types.ts';
import { unit } from './_person-sums.ts';

/** The index file and its record, in the store folder. */
export const FACE_INDEX_FILE = 'people-index.usearch';
export const FACE_INDEX_RECORD = 'people-index.json';
/** Version of the record's layout. */
const FORMAT = 1;

/**
 * Settings of the kept index: those of the indexed radius search ({@link INDEXED_RADIUS_DEFAULTS}) but a shorter
 * candidate list while searching. @default M 16, efConstruction 64, efSearch 128, 16 candidates first, every core.
 * The people update compares the faces the index leaves unplaced exactly (`average` join, euclidean), so a miss costs
 * time, not a join: on 10,000 new among 1,010,000 synthetic 512-d faces (bench:people -- --million ... --second, quiet,
 * the same saved index) efSearch 256 / 128 / 64 took 60.1 / 56.3 / 59.9 s (the index's asks 17.8 / 11.8 / 11.0 s, the
 * exact pass the rest), every one placing 6,171 of 6,171 and making 1,256 new people. efSearch is a search setting:
 * a saved index is kept when it changes. A heavier graph (it is built once) was not measured at a million.
 */
export const FACE_INDEX_DEFAULTS: Readonly<IndexedRadiusParams> = Object.freeze({ ...INDEXED_RADIUS_DEFAULTS, efSearch: 128 });

/**
 * Candidates asked at first by a new face that joined no person in the first search (people update, `average` join,
 * cosine rows; euclidean rows are compared exactly with every person's centroid and unassigned face instead): 1,024, which widens that search (usearch searches with a candidate list of at least what is asked). On synthetic
 * 512-d faces (bench:people -- --million --faces 100000 --new 1000 --second) the first search alone (16 candidates,
 * efSearch 256) placed 624 of 625 new faces of known people and made 105 new people where the exact search makes 121
 * (the earlier unassigned face of a new person missed); efSearch 1,024 for every face found them all in twice the time.
 */
export const FACE_INDEX_RETRY = 1024;

/** What opening the kept index did. */
export interface FaceIndexReport {
  /** `loaded`: the saved index was used; `built`: there was none; `rebuilt`: the saved one was not trusted (`reason`). */
  how: 'loaded' | 'built' | 'rebuilt';
  reason: string;
  /** Faces added to it (every face when built) and removed from it (gone or changed). */
  added: number;
  removed: number;
  /** Faces it holds now. */
  size: number;
  /** Seconds spent: checking and loading (or building), adding, searching, saving. */
  seconds: { open: number; add: number; search: number; save: number };
}

/**
 * The radius search of the people update through an index of the store's faces (see `UpdatePeopleOptions.index`):
 * for each query face (an index into the update's faces), the faces within `radius` that the index returns, as
 * indices into the update's faces, ascending, with exact distances.
 */
export interface FaceNeighbourIndex {
  /** `neighbors`: candidates asked at first (more while all are inside), which also widens the search. */
  near(queries: readonly number[], radius: number, metric: Metric, strict: boolean, neighbors?: number): Neighborhoods;
}

/** The store's kept index, opened on first use (see the file comment). */
export interface StoreFaceIndex extends FaceNeighbourIndex {
  /** What opening it did; null until it is first used. */
  report(): FaceIndexReport | null;
  /** Writes it back to the store folder when it changed (built, faces added or removed). Call under the people lock. */
  save(): void;
}

interface IndexRecord {
  format: number;
  engine: string;
  coding: IndexCoding;
  dimensions: number;
  m: number;
  efConstruction: number;
  bytes: number;
  sha256: string;
  /** Face id of each key (null: removed). */
  ids: (string | null)[];
  /** Fingerprint of each key's vector (base64 of a Uint32Array). */
  fingerprints: string;
}

/** A 32-bit hash of 32 evenly spaced values of `v` (their bits) and its length. */
export function vectorFingerprint(v: Float32Array): number {
  const bits = new Uint32Array(v.buffer, v.byteOffset, v.length);
  const step = Math.max(1, Math.floor(v.length / 32));
  let h = 0x811c9dc5 ^ v.length;
  for (let t = 0; t < v.length; t += step) h = Math.imul(h ^ bits[t], 0x01000193) >>> 0;
  return h >>> 0;
}

/** SHA-256 of a file, read in pieces. */
function fileSha256(path: string): string {
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(16 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let got; (got = readSync(fd, buf, 0, buf.length, null)) > 0;) hash.update(buf.subarray(0, got));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * The kept index of the store in `storeDir`, for the faces `faceIds` with vectors `embeddings` (the store's, in the
 * order the people update gets them). Nothing is read until the first search: a small update that searches exactly
 * never opens it. `params`: graph settings (a saved index built with others is rebuilt).
 */
export function storeFaceIndex(storeDir: string, faceIds: readonly string[], embeddings: readonly Float32Array[], params: Partial<IndexedRadiusParams> = {}): StoreFaceIndex {
  const p = { ...FACE_INDEX_DEFAULTS, ...params };
  const indexPath = join(storeDir, FACE_INDEX_FILE);
  const recordPath = join(storeDir, FACE_INDEX_RECORD);
  let index: UsearchIndex | null = null;
  let report: FaceIndexReport | null = null;
  let coding: IndexCoding | null = null;
  /** Face id and fingerprint of each key; the store row of each key (-1: none). */
  let ids: (string | null)[] = [];
  let fps = new Uint32Array(0);
  let rowOfKey = new Int32Array(0);
  let changed = false;
  const d = embeddings.length > 0 ? embeddings[0].length : 0;

  /** Builds the index of every face. */
  const build = (how: 'built' | 'rebuilt', reason: string, t0: number): void => {
    coding = indexCoding(embeddings, 'euclidean');
    index = newUsearchIndex(d, coding, p);
    addToIndex(index, Int32Array.from({ length: embeddings.length }, (_, i) => i), embeddings, p.threads);
    ids = [...faceIds];
    fps = Uint32Array.from(embeddings, vectorFingerprint);
    rowOfKey = Int32Array.from({ length: embeddings.length }, (_, i) => i);
    changed = true;
    report = { how, reason, added: embeddings.length, removed: 0, size: embeddings.length, seconds: { open: (performance.now() - t0) / 1000, add: 0, search: 0, save: 0 } };
  };

  /** The saved index when it can be trusted (see the file comment), else the reason it cannot. */
  const load = (): string => {
    if (!existsSync(indexPath) || !existsSync(recordPath)) return 'no saved index';
    let rec: IndexRecord;
    try {
      rec = JSON.parse(readFileSync(recordPath, 'utf8')) as IndexRecord;
    } catch (e) {
      return `its record ${FACE_INDEX_RECORD} does not parse (${(e as Error).message.split('\n')[0]})`;
    }
    if (rec?.format !== FORMAT || !Array.isArray(rec.ids) || typeof rec.fingerprints !== 'string') return `its record ${FACE_INDEX_RECORD} is not of format ${FORMAT}`;
    if (rec.dimensions !== d || rec.m !== p.m || rec.efConstruction !== p.efConstruction) return `it was built with other settings (d ${rec.dimensions}, M ${rec.m}, efConstruction ${rec.efConstruction}; now d ${d}, M ${p.m}, efConstruction ${p.efConstruction})`;
    const want = indexCoding(embeddings, 'euclidean');
    if (rec.coding?.metric !== want.metric || rec.coding?.quantization !== want.quantization) return `it codes the faces otherwise (${JSON.stringify(rec.coding)}; now ${JSON.stringify(want)})`;
    const bytes = statSync(indexPath).size;
    if (bytes !== rec.bytes) return `${FACE_INDEX_FILE} has ${bytes} bytes, its record says ${rec.bytes} (torn or replaced)`;
    if (fileSha256(indexPath) !== rec.sha256) return `${FACE_INDEX_FILE} does not match its record's SHA-256 (corrupt or replaced)`;
    const recFps = new Uint32Array(new Uint8Array(Buffer.from(rec.fingerprints, 'base64')).buffer);
    if (recFps.length !== rec.ids.length) return `its record has ${rec.ids.length} ids but ${recFps.length} fingerprints`;
    // which keys still hold a face of the store, unchanged
    const rowOfId = new Map<string, number>();
    faceIds.forEach((f, i) => rowOfId.set(f, i));
    const keyRows = new Int32Array(rec.ids.length).fill(-1);
    let live = 0;
    let kept = 0;
    const dead: number[] = [];
    rec.ids.forEach((id, k) => {
      if (id === null) return;
      live++;
      const r = rowOfId.get(id);
      if (r !== undefined && vectorFingerprint(embeddings[r]) === recFps[k]) { keyRows[k] = r; kept++; } else dead.push(k);
    });
    if (kept * 2 < live) return `more than half of its ${live} faces are gone or changed (${live - kept})`;
    const ix = newUsearchIndex(d, want, p);
    try {
      ix.load(indexPath);
    } catch (e) {
      return `usearch could not read ${FACE_INDEX_FILE} (${(e as Error).message.split('\n')[0]})`;
    }
    if (ix.size() !== live) return `${FACE_INDEX_FILE} holds ${ix.size()} faces, its record ${live}`;
    const t = performance.now();
    if (dead.length > 0) ix.remove(BigUint64Array.from(dead, (k) => BigInt(k)));
    index = ix;
    coding = want;
    ids = rec.ids.slice();
    for (const k of dead) ids[k] = null;
    fps = recFps;
    rowOfKey = keyRows;
    changed = dead.length > 0;
    report = { how: 'loaded', reason: '', added: 0, removed: dead.length, size: kept, seconds: { open: 0, add: (performance.now() - t) / 1000, search: 0, save: 0 } };
    return '';
  };

  /** Adds the store's faces the index does not hold (new keys after the last). */
  const catchUp = (): void => {
    const held = new Uint8Array(faceIds.length);
    for (const r of rowOfKey) if (r >= 0) held[r] = 1;
    const rows: number[] = [];
    for (let i = 0; i < faceIds.length; i++) if (!held[i]) rows.push(i);
    if (rows.length === 0) return;
    const t = performance.now();
    const first = ids.length;
    addToIndex(index!, Int32Array.from(rows, (_, k) => first + k), rows.map((i) => embeddings[i]), p.threads);
    ids = ids.concat(rows.map((i) => faceIds[i]));
    const f = new Uint32Array(first + rows.length);
    f.set(fps);
    rows.forEach((i, k) => { f[first + k] = vectorFingerprint(embeddings[i]); });
    fps = f;
    const kr = new Int32Array(first + rows.length).fill(-1);
    kr.set(rowOfKey);
    rows.forEach((i, k) => { kr[first + k] = i; });
    rowOfKey = kr;
    changed = true;
    report!.added += rows.length;
    report!.size += rows.length;
    report!.seconds.add += (performance.now() - t) / 1000;
  };

  const open = (): void => {
    if (index) return;
    const t0 = performance.now();
    const why = load();
    if (why === '') {
      report!.seconds.open = (performance.now() - t0) / 1000 - report!.seconds.add;
      catchUp();
    } else {
      build(why === 'no saved index' ? 'built' : 'rebuilt', why, t0);
    }
  };

  return {
    report: () => report,
    near(queries, radius, metric, strict, neighbors) {
      if (queries.length === 0 || faceIds.length === 0) return { n: queries.length, offsets: new Int32Array(queries.length + 1), indices: new Int32Array(0), distances: new Float32Array(0) };
      open();
      const t = performance.now();
      // the people update compares unit rows by cosine (lib/people/assign.ts)
      const vec = metric === 'cosine' ? (i: number) => unit(embeddings[i]) : (i: number) => embeddings[i];
      const nb = radiusSearch(index!, queries.map(vec), (key) => (rowOfKey[key] >= 0 ? vec(rowOfKey[key]) : null), radius, metric, strict, neighbors ? { ...p, neighbors } : p);
      // keys -> the update's faces, ascending
      const indices = new Int32Array(nb.indices.length);
      const distances = new Float32Array(nb.indices.length);
      for (let q = 0; q < queries.length; q++) {
        const from = nb.offsets[q];
        const order = Array.from({ length: nb.offsets[q + 1] - from }, (_, e) => from + e).sort((a, b) => rowOfKey[nb.indices[a]] - rowOfKey[nb.indices[b]]);
        order.forEach((e, k) => { indices[from + k] = rowOfKey[nb.indices[e]]; distances[from + k] = nb.distances[e]; });
      }
      report!.seconds.search += (performance.now() - t) / 1000;
      return { n: nb.n, offsets: nb.offsets, indices, distances };
    },
    save() {
      if (!index || !changed) return;
      const t = performance.now();
      const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
      const tmpIndex = join(storeDir, `.${FACE_INDEX_FILE}.${tag}.tmp`);
      const tmpRecord = join(storeDir, `.${FACE_INDEX_RECORD}.${tag}.tmp`);
      try {
        index.save(tmpIndex);
        const record: IndexRecord = {
          format: FORMAT, engine: 'usearch', coding: coding!, dimensions: d, m: p.m, efConstruction: p.efConstruction,
          bytes: statSync(tmpIndex).size, sha256: fileSha256(tmpIndex), ids, fingerprints: Buffer.from(fps.buffer, fps.byteOffset, fps.byteLength).toString('base64'),
        };
        writeFileSync(tmpRecord, JSON.stringify(record), { flag: 'wx' });
        renameSync(tmpIndex, indexPath);
        renameSync(tmpRecord, recordPath);
      } finally {
        for (const f of [tmpIndex, tmpRecord]) if (existsSync(f)) unlinkSync(f);
      }
      changed = false;
      report!.seconds.save += (performance.now() - t) / 1000;
    },
  };
}
