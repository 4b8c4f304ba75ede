/**
 * A face store as files every data tool reads as they come: Apache Parquet (written by `parquet-wasm`, the Rust
 * `arrow-rs` Parquet writer compiled to WebAssembly) or CSV. DuckDB, pandas (with pyarrow or fastparquet),
 * Polars, Spark and R's arrow read the Parquet files with no extension or plug-in; the store's own `.arrow` files
 * need pyarrow, or DuckDB's community `arrow` extension, which is downloaded at run time.
 *
 * Files written into `outDir` (names fixed, nothing else is written there):
 * - `faces.parquet` / `faces.csv`: one row per face, in the store's order: `face_id` (`<path>#<face index>`,
 *   the store's face identity), `path` (relative to the photo folder), `face_index`, `x`, `y`, `width`,
 *   `height` (the box in original pixels), `score` (detection), `quality` (only when the store has quality
 *   scores), `label` (the known identity, e.g. the folder name with `--labels folder`; null otherwise),
 *   `person_id`, `person_name`, `person_status` (from the store's people, null without people or for a face in
 *   no person), `cluster` (the label of the latest clustering run, -1 noise; null without a run), and in
 *   Parquet `embedding` (list of float32, the store's main embedder's vector).
 * - `people.parquet` / `people.csv`: one row per person: `person_id`, `name`, `faces`, `confirmed_faces`,
 *   `created_at`. Written only when people are given.
 * - `embeddings.csv` (CSV only): `face_id`, `e0` .. `e<d-1>`, one row per face in the order of `faces.csv`.
 *
 * Each file is written to a temporary name in `outDir` and renamed into place, so a reader never sees half a
 * file. `outDir` must not be inside the photo folder, and is refused when it is a symbolic link.
 *
 * Cost: the store is not opened (no object per face): its faces files are read as Arrow columns
 * (`readFaceTable`, face-table.ts) and handed to the writer as slices, {@link EXPORT_BATCH} faces at a time, in
 * Parquet row groups of {@link EXPORT_ROW_GROUP} faces; memory is the faces files (2.2 GB at 1M x 512-d) plus
 * ~100 MB. Measured in README "Export" (1M x 512-d faces: 38 s, 2.7 GB).
 *
 * @example
 * await exportStore('out/store', 'out/export', { format: 'parquet', people: (await openPeople('out/store')).state });
 * // duckdb: SELECT person_name, count(*) FROM 'out/export/faces.parquet' GROUP BY ALL;
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { DataType, Field, FixedSizeList, Float32, Int32, makeData, makeVector, RecordBatch, Schema, Struct, Table, Utf8, type Vector } from 'apache-arrow';
import { FaceclusterError, invalidParameter, unknownName } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { checkOutsidePhotoFolder } from '../paths.ts';
import { ensureRealDir } from './layout.ts';
import { readFaceTable, utf8Strings, type FaceTable } from './face-table.ts';
import { writeFloat32Text } from './_float-text.ts';
import { int32Column, nullData, utf8Column } from './_arrow-columns.ts';
import { ipcStreamBytes } from './_arrow-ipc.ts';
import type { FaceStore } from './read.ts';
import { listRuns, readRun } from './runs.ts';

export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Faces per Parquet row group: 8,192 x 512-d float32 is 16 MB of vectors, below the 32 MB from which the C allocator
 * maps fresh pages for each buffer (the writer hands back each row group as one buffer; 16,384 cost 15% more CPU).
 */
export const EXPORT_ROW_GROUP = 8_192;
/**
 * Faces per Arrow batch handed to the Parquet writer (and per CSV write): 4,096 x 512-d is 8 MB, small enough for
 * the allocator to reuse memory (fresh pages cost ~4 ns a byte to fault in on the machine measured; 16,384 a
 * batch spent 1.9x the CPU in copies, 100,000 x 512-d faces, README "Export").
 */
export const EXPORT_BATCH = 4_096;

/**
 * The people of the store, as `lib/people` holds them (`(await openPeople(dir)).state` fits): the store layer
 * does not read people itself (people are built on the store, never the reverse).
 */
export interface ExportPeople {
  persons: readonly { id: number; name: string | null; createdAt?: string }[];
  /** Face ids (`<path>#<face index>`), aligned with `personOf` and `status`. */
  faceIds: readonly string[];
  /** Person id of each face, -1 for none. */
  personOf: ArrayLike<number>;
  /** Status of each face (assigned, confirmed, unassigned, new, ignored, not-a-face). */
  status?: readonly string[];
}

export interface ExportOptions {
  /** `parquet` or `csv`. @default 'parquet' — typed columns and vectors as lists; every tool reads it. */
  format: ExportFormat;
  /** The people to join to the faces (and write as `people.*`). @default null — no person columns filled. */
  people: ExportPeople | null;
  /**
   * The clustering run whose labels fill `cluster`: a run id, `latest`, or null for none.
   * @default 'latest' — the newest run, when the store has one.
   */
  run: string | null;
}

export const EXPORT_DEFAULTS: Readonly<ExportOptions> = Object.freeze({ format: 'parquet', people: null, run: 'latest' });

export interface ExportResult {
  outDir: string;
  /** Paths written, in order. */
  files: string[];
  faces: number;
  /** People written (0 without people). */
  people: number;
  /** Id of the run whose labels fill `cluster`, or null. */
  run: string | null;
  dimension: number;
}

/** A person of the export (`people.*`), with the faces counted from the people given. */
interface ExportPerson {
  id: number;
  name: string | null;
  createdAt: string;
  faces: number;
  confirmed: number;
}

/** Per-face columns joined from the people and the run, aligned with the store's faces. */
interface Joined {
  /** `<path>#<face index>` of each face. */
  faceIds: string[];
  /** Person id of each face, -1 for none. */
  personOf: Int32Array;
  /** Person names by id. */
  names: Map<number, string | null>;
  /** Status of each face in the people, or null (no people, or a face they do not list). */
  status: (string | null)[] | null;
  /** Cluster label of each face (valid where `clustered[i]` is 1), or null without a run. */
  cluster: Int32Array | null;
  clustered: Uint8Array | null;
}

/** Row of each of `ids` in `keys` (-1 when absent); no map is built when the two lists are the same. */
function rowsOf(ids: readonly string[], keys: readonly string[]): Int32Array {
  const out = new Int32Array(ids.length);
  let same = ids.length === keys.length;
  for (let i = 0; same && i < ids.length; i++) same = ids[i] === keys[i];
  if (same) {
    for (let i = 0; i < ids.length; i++) out[i] = i;
    return out;
  }
  const at = new Map<string, number>();
  keys.forEach((k, i) => at.set(k, i));
  for (let i = 0; i < ids.length; i++) out[i] = at.get(ids[i]) ?? -1;
  return out;
}

/** Joins people and the run's labels to the store's faces (by face id; a run without ids by position). */
async function joinColumns(t: FaceTable, people: ExportPeople | null, runId: string | null): Promise<{ joined: Joined; run: string | null; persons: ExportPerson[] }> {
  const n = t.length;
  const faceIds = new Array<string>(n);
  for (let i = 0; i < n; i++) faceIds[i] = `${t.paths[i]}#${t.faceIndex[i]}`;
  const personOf = new Int32Array(n).fill(-1);
  const names = new Map<number, string | null>();
  let status: (string | null)[] | null = null;
  const persons: ExportPerson[] = [];
  if (people) {
    for (const p of people.persons) names.set(p.id, p.name);
    const row = rowsOf(faceIds, people.faceIds);
    status = people.status ? new Array<string | null>(n).fill(null) : null;
    const count = new Map<number, number>();
    const confirmed = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const j = row[i];
      if (j < 0) continue;
      const p = people.personOf[j];
      const st = people.status?.[j] ?? null;
      if (status) status[i] = st;
      if (p < 0) continue;
      personOf[i] = p;
      count.set(p, (count.get(p) ?? 0) + 1);
      if (st === 'confirmed') confirmed.set(p, (confirmed.get(p) ?? 0) + 1);
    }
    for (const p of people.persons) persons.push({ id: p.id, name: p.name, createdAt: p.createdAt ?? '', faces: count.get(p.id) ?? 0, confirmed: confirmed.get(p.id) ?? 0 });
  }
  let cluster: Int32Array | null = null;
  let clustered: Uint8Array | null = null;
  let run: string | null = null;
  if (runId !== null && (runId !== 'latest' || (await listRuns(t.dir)).length > 0)) {
    const r = await readRun(t.dir, runId);
    if (r.faceIds || r.n === n) {
      run = r.id;
      cluster = new Int32Array(n);
      clustered = new Uint8Array(n);
      const row = r.faceIds ? rowsOf(faceIds, r.faceIds) : null;
      for (let i = 0; i < n; i++) {
        const j = row ? row[i] : i;
        if (j < 0) continue;
        cluster[i] = r.labels[j];
        clustered[i] = 1;
      }
    } // else a run of another face set, without ids to match: nothing to join
  }
  return { joined: { faceIds, personOf, names, status, cluster, clustered }, run, persons };
}

/** Writes `dir/name` through a temporary file (exclusive create) renamed into place; `write` fills the stream. */
async function atomicStream(dir: string, name: string, write: (out: NodeJS.WritableStream & Writable) => Promise<void>): Promise<string> {
  const target = join(dir, name);
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const out = createWriteStream(tmp, { flags: 'wx' });
  try {
    await once(out, 'open');
    await write(out);
    if (!out.writableFinished) {
      out.end();
      await once(out, 'finish');
    }
    await rename(tmp, target);
  } catch (e) {
    out.destroy();
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  return target;
}

/** The same table for every batch: each column nullable, whatever nulls a batch happens to hold. */
function tableOf(columns: Record<string, Vector>): Table {
  const names = Object.keys(columns);
  const fields = names.map((k) => new Field(k, columns[k].type, true));
  const length = columns[names[0]].length;
  const children = names.map((k) => {
    const d = columns[k].data;
    if (d.length !== 1) throw new FaceclusterError('exportStore', `column ${k} must be one piece, got ${d.length}.`); // (a slice of one file is)
    return d[0];
  });
  const schema = new Schema(fields);
  return new Table(schema, new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children })));
}

/** Arrow columns of faces `from..to`: the store's own columns (slices of faces.arrow) and the joined ones. */
function facesTable(col: (name: string, type: DataType) => Vector, j: Joined, quality: boolean, embeddingType: DataType, from: number, to: number): Table {
  const m = to - from;
  const personOf = j.personOf.subarray(from, to);
  const cluster = j.cluster?.subarray(from, to) ?? new Int32Array(m);
  const clustered = j.clustered?.subarray(from, to) ?? null;
  return tableOf({
    face_id: utf8Column(m, (i) => j.faceIds[from + i]),
    path: col('path', new Utf8()),
    face_index: col('faceIndex', new Int32()),
    x: col('x', new Float32()),
    y: col('y', new Float32()),
    width: col('width', new Float32()),
    height: col('height', new Float32()),
    score: col('score', new Float32()),
    detector: col('detector', new Utf8()),
    ...(quality ? { quality: col('quality', new Float32()) } : {}),
    label: col('label', new Utf8()),
    person_id: int32Column(personOf, (i) => personOf[i] >= 0),
    person_name: utf8Column(m, (i) => (personOf[i] >= 0 ? (j.names.get(personOf[i]) ?? null) : null)),
    person_status: utf8Column(m, (i) => j.status?.[from + i] ?? null),
    cluster: int32Column(cluster, (i) => clustered !== null && clustered[i] === 1),
    embedding: col('embedding', embeddingType),
  });
}

function peopleTable(persons: readonly ExportPerson[]): Table {
  return tableOf({
    person_id: makeVector(Int32Array.from(persons, (p) => p.id)),
    name: utf8Column(persons.length, (i) => persons[i].name),
    faces: makeVector(Int32Array.from(persons, (p) => p.faces)),
    confirmed_faces: makeVector(Int32Array.from(persons, (p) => p.confirmed)),
    created_at: utf8Column(persons.length, (i) => persons[i].createdAt || null),
  });
}

/**
 * Writes `tables()` (Arrow tables of {@link EXPORT_BATCH} rows) as one Parquet file, in row groups of
 * {@link EXPORT_ROW_GROUP} rows.
 */
async function writeParquet(out: Writable, tables: () => Generator<Table>, vectorColumns: string[]): Promise<void> {
  const pq = await import('parquet-wasm/node');
  let builder = new pq.WriterPropertiesBuilder().setCompression(pq.Compression.SNAPPY).setMaxRowGroupSize(EXPORT_ROW_GROUP).setCreatedBy('facecluster');
  // Dictionary encoding, compression and min/max statistics of float vectors cost time and save nothing (no two
  // faces share a vector, random float bits do not compress, no query filters on a vector's min).
  for (const c of vectorColumns) {
    for (const path of [`${c}.list.item`, `${c}.item`, c]) {
      builder = builder
        .setColumnDictionaryEnabled(path, false)
        .setColumnCompression(path, pq.Compression.UNCOMPRESSED)
        .setColumnStatisticsEnabled(path, pq.EnabledStatistics.None);
    }
  }
  const props = builder.build();
  const it = tables();
  const batches = new ReadableStream({
    async pull(ctrl) {
      // Yield to the event loop first: the writer pulls the next batch as soon as it has the last one, and
      // without a macrotask turn the file stream's writes never complete (everything piles up in memory).
      await new Promise((r) => setImmediate(r));
      const next = it.next();
      if (next.done) {
        ctrl.close();
        return;
      }
      const wasmTable = pq.Table.fromIPCStream(ipcStreamBytes(next.value)); // copied into wasm memory
      for (const b of wasmTable.recordBatches()) ctrl.enqueue(b);
      wasmTable.free(); // the batches hold their own references to the data
    },
  });
  const bytes = await pq.transformParquetStream(batches, props);
  await bytes.pipeTo(Writable.toWeb(out) as WritableStream<Uint8Array>);
}

/** A CSV text field (RFC 4180): quoted when it holds a comma, quote or line break; null is empty. */
function csvText(v: string | null): string {
  if (v === null) return '';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A number for CSV: integers as they are, floats with 9 significant digits (float32 reads back exactly). */
function csvNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)));
}

async function writeCsv(out: Writable, header: string[], chunks: () => Generator<string>): Promise<void> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${header.join(',')}\n`);
  for (const text of chunks()) await write(text);
}

/**
 * `embeddings.csv`: a header `face_id,e0..e<d-1>`, then one line per face, written as bytes into one buffer kept
 * from batch to batch (each write awaited before the buffer is filled again).
 */
async function writeVectorsCsv(out: Writable, dimension: number, n: number, faceIds: readonly string[], vectors: (from: number, to: number) => Vector): Promise<void> {
  const write = (bytes: Uint8Array) => new Promise<void>((done, fail) => out.write(bytes, (e) => (e ? fail(e) : done())));
  await write(Buffer.from(`face_id,${Array.from({ length: dimension }, (_, k) => `e${k}`).join(',')}\n`));
  let buf = Buffer.alloc(0);
  for (let from = 0; from < n; from += EXPORT_BATCH) {
    const to = Math.min(n, from + EXPORT_BATCH);
    const values = vectors(from, to).data[0].children[0].values as Float32Array; // rows from..to (Arrow slices the buffer itself)
    let at = 0;
    for (let i = from; i < to; i++) {
      const id = csvText(faceIds[i]);
      const need = at + 3 * id.length + 1 + dimension * 49 + 1; // a UTF-16 unit is at most 3 UTF-8 bytes
      if (need > buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(need, 2 * buf.length, 1 << 20));
        buf.copy(grown, 0, 0, at);
        buf = grown;
      }
      at += buf.write(id, at, 'utf8');
      const row = (i - from) * dimension;
      for (let k = 0; k < dimension; k++) {
        buf[at++] = 44; // ','
        at = writeFloat32Text(buf, at, values[row + k]);
      }
      buf[at++] = 10; // '\n'
    }
    await write(buf.subarray(0, at));
  }
}

/** Column `name` of faces `from..to`; nulls when no faces file of the store has it (written before it existed). */
function storeColumn(t: FaceTable, name: string, type: DataType, from: number, to: number): Vector {
  return t.has(name) ? t.column(name, from, to) : makeVector(nullData(type, to - from));
}

/**
 * Writes the store's faces (and people, when given) into `outDir` as Parquet or CSV files (see the file header
 * for the columns). `store` is a store folder (or an opened store: its folder is read again, column by column);
 * `outDir` is created when missing; it must not be inside the store's photo folder.
 */
export async function exportStore(store: string | FaceStore, outDir: string, options?: Partial<ExportOptions>): Promise<ExportResult> {
  const fn = 'exportStore';
  const o = resolveOptions(fn, EXPORT_DEFAULTS, options);
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw unknownName(fn, 'format', o.format, EXPORT_FORMATS);
  if (typeof outDir !== 'string' || outDir === '') throw invalidParameter(fn, 'outDir', 'a folder path', outDir);
  if (o.people !== null && (typeof o.people !== 'object' || !Array.isArray(o.people.faceIds) || o.people.faceIds.length !== o.people.personOf?.length)) {
    throw invalidParameter(fn, 'people', 'people with one person id per face id', o.people);
  }
  const storeDir = typeof store === 'string' ? store : store !== null && typeof store === 'object' && typeof store.dir === 'string' ? store.dir : null;
  if (storeDir === null) throw invalidParameter(fn, 'store', 'a store folder or an opened store', store);
  const t = await readFaceTable(storeDir);
  checkOutsidePhotoFolder(fn, 'outDir', outDir, t.manifest.photoFolder || undefined);
  const dir = resolve(outDir);
  await ensureRealDir(dir, fn); // refuses a link as the folder itself
  const n = t.length;
  const dimension = t.dimension;
  const { joined: j, run, persons } = await joinColumns(t, o.people, o.run);
  const quality = n > 0 && t.has('quality') && t.column('quality', 0, n).nullCount < n;
  const batches = function* <T>(make: (from: number, to: number) => T): Generator<T> {
    for (let from = 0; from < n || (n === 0 && from === 0); from += EXPORT_BATCH) {
      yield make(from, Math.min(n, from + EXPORT_BATCH));
      if (n === 0) return;
    }
  };
  const col = (name: string, type: DataType, from: number, to: number) => storeColumn(t, name, type, from, to);
  const embeddingType = new FixedSizeList(dimension, new Field('item', new Float32(), false));
  const files: string[] = [];
  if (o.format === 'parquet') {
    const table = (from: number, to: number) => facesTable((name, type) => col(name, type, from, to), j, quality, embeddingType, from, to);
    files.push(await atomicStream(dir, 'faces.parquet', (out) => writeParquet(out, () => batches(table), ['embedding'])));
    if (o.people) files.push(await atomicStream(dir, 'people.parquet', (out) => writeParquet(out, function* () { yield peopleTable(persons); }, [])));
  } else {
    const header = ['face_id', 'path', 'face_index', 'x', 'y', 'width', 'height', 'score', ...(quality ? ['quality'] : []), 'label', 'person_id', 'person_name', 'person_status', 'cluster'];
    files.push(
      await atomicStream(dir, 'faces.csv', (out) =>
        writeCsv(out, header, () =>
          batches((a, b) => {
            const nums = ['faceIndex', 'x', 'y', 'width', 'height', 'score'].map((c) => col(c, c === 'faceIndex' ? new Int32() : new Float32(), a, b).toArray() as Float32Array);
            const q = quality ? col('quality', new Float32(), a, b) : null;
            const labels = utf8Strings(col('label', new Utf8(), a, b));
            let text = '';
            for (let i = a; i < b; i++) {
              const k = i - a;
              const p = j.personOf[i];
              const qv = q?.get(k);
              text += `${csvText(j.faceIds[i])},${csvText(t.paths[i])},${nums.map((c) => csvNumber(c[k])).join(',')},${q ? (qv === null || qv === undefined ? '' : csvNumber(qv)) + ',' : ''}`;
              text += `${csvText(labels[k])},${p >= 0 ? p : ''},${csvText(p >= 0 ? (j.names.get(p) ?? null) : null)},${csvText(j.status?.[i] ?? null)},${j.clustered?.[i] ? j.cluster![i] : ''}\n`;
            }
            return text;
          }),
        ),
      ),
    );
    files.push(await atomicStream(dir, 'embeddings.csv', (out) => writeVectorsCsv(out, dimension, n, j.faceIds, (a, b) => col('embedding', embeddingType, a, b))));
    if (o.people) {
      files.push(
        await atomicStream(dir, 'people.csv', (out) =>
          writeCsv(out, ['person_id', 'name', 'faces', 'confirmed_faces', 'created_at'], function* () {
            yield persons.map((p) => `${p.id},${csvText(p.name)},${p.faces},${p.confirmed},${csvText(p.createdAt || null)}\n`).join('');
          }),
        ),
      );
    }
  }
  return { outDir: dir, files, faces: n, people: persons.length, run, dimension };
}
