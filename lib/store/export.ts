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
 * Cost: one pass over the store; Parquet is written in row groups of {@link EXPORT_ROW_GROUP} faces, so memory
 * beyond the opened store stays under ~50 MB. Measured in README "Export".
 *
 * @example
 * const store = await openStore('out/store');
 * await exportStore(store, 'out/export', { format: 'parquet', people: (await openPeople('out/store')).state });
 * // duckdb: SELECT person_name, count(*) FROM 'out/export/faces.parquet' GROUP BY ALL;
 */
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Field, FixedSizeList, Float32, Int32, makeData, makeVector, Table, tableToIPC, Utf8, type Vector } from 'apache-arrow';
import { FaceclusterError, invalidParameter, unknownName } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { checkOutsidePhotoFolder } from '../paths.ts';
import { ensureRealDir } from './layout.ts';
import type { FaceStore } from './read.ts';
import { listRuns, readRun } from './runs.ts';

export const EXPORT_FORMATS = ['parquet', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Faces per Parquet row group (and per CSV write): 16,384 x 512-d float32 is 32 MB of vectors. */
export const EXPORT_ROW_GROUP = 16_384;

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

/** The face id the people tables and runs use: `<path>#<face index>`. */
function faceKey(f: { path: string; faceIndex: number }): string {
  return `${f.path}#${f.faceIndex}`;
}

interface FaceColumns {
  faceIds: string[];
  personId: (number | null)[];
  personName: (string | null)[];
  personStatus: (string | null)[];
  cluster: (number | null)[];
  quality: (number | null)[] | null;
}

/** Joins people and the run's labels to the store's faces (by face id; a run without ids by position). */
async function joinColumns(store: FaceStore, people: ExportPeople | null, runId: string | null): Promise<{ cols: FaceColumns; run: string | null; persons: { id: number; name: string | null; createdAt: string; faces: number; confirmed: number }[] }> {
  const n = store.faces.length;
  const faceIds = store.faces.map(faceKey);
  const personId: (number | null)[] = new Array(n).fill(null);
  const personName: (string | null)[] = new Array(n).fill(null);
  const personStatus: (string | null)[] = new Array(n).fill(null);
  const persons: { id: number; name: string | null; createdAt: string; faces: number; confirmed: number }[] = [];
  if (people) {
    const names = new Map(people.persons.map((p) => [p.id, p.name]));
    const row = new Map<string, number>();
    people.faceIds.forEach((id, i) => row.set(id, i));
    const count = new Map<number, number>();
    const confirmed = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const j = row.get(faceIds[i]);
      if (j === undefined) continue;
      const p = people.personOf[j];
      personStatus[i] = people.status?.[j] ?? null;
      if (p < 0) continue;
      personId[i] = p;
      personName[i] = names.get(p) ?? null;
      count.set(p, (count.get(p) ?? 0) + 1);
      if (people.status?.[j] === 'confirmed') confirmed.set(p, (confirmed.get(p) ?? 0) + 1);
    }
    for (const p of people.persons) persons.push({ id: p.id, name: p.name, createdAt: p.createdAt ?? '', faces: count.get(p.id) ?? 0, confirmed: confirmed.get(p.id) ?? 0 });
  }
  const cluster: (number | null)[] = new Array(n).fill(null);
  let run: string | null = null;
  if (runId !== null && (runId !== 'latest' || (await listRuns(store.dir)).length > 0)) {
    const r = await readRun(store.dir, runId);
    run = r.id;
    if (r.faceIds) {
      const at = new Map<string, number>();
      r.faceIds.forEach((id, i) => at.set(id, i));
      for (let i = 0; i < n; i++) {
        const j = at.get(faceIds[i]);
        if (j !== undefined) cluster[i] = r.labels[j];
      }
    } else if (r.n === n) {
      for (let i = 0; i < n; i++) cluster[i] = r.labels[i];
    } else {
      run = null; // a run of another face set, without ids to match: nothing to join
    }
  }
  const q = store.faces.map((f) => (f as { quality?: number | null }).quality);
  const quality = q.some((v) => typeof v === 'number') ? q.map((v) => (typeof v === 'number' ? v : null)) : null;
  return { cols: { faceIds, personId, personName, personStatus, cluster, quality }, run, persons };
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

/** Validity bitmap of `values` (bit i set when row i is not null) and the number of nulls. */
function validity(values: readonly unknown[]): { bitmap: Uint8Array; nulls: number } {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nulls++;
    else bitmap[i >> 3] |= 1 << (i & 7);
  }
  return { bitmap, nulls };
}

/** A nullable Utf8 column built in one pass (arrow's generic builder is ~10x slower on a million rows). */
function utf8Column(values: readonly (string | null)[]): Vector {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) bytes += Buffer.byteLength(v, 'utf8');
    offsets[i + 1] = bytes;
  }
  const buf = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) buf.write(v, offsets[i], 'utf8');
  }
  const { bitmap, nulls } = validity(values);
  const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount: nulls, nullBitmap: nulls > 0 ? bitmap : undefined, valueOffsets: offsets, data }));
}

/** A nullable Int32 or Float32 column. */
function numberColumn(values: readonly (number | null)[], type: 'int32' | 'float32'): Vector {
  const n = values.length;
  const data = type === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = values[i] ?? 0;
  const { bitmap, nulls } = validity(values);
  const nullBitmap = nulls > 0 ? bitmap : undefined;
  return type === 'int32'
    ? makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap, data: data as Int32Array }))
    : makeVector(makeData({ type: new Float32(), length: n, nullCount: nulls, nullBitmap, data: data as Float32Array }));
}

function fixedList(vectors: readonly Float32Array[], from: number, to: number, size: number): Vector {
  const m = to - from;
  const flat = new Float32Array(m * size);
  for (let i = from; i < to; i++) flat.set(vectors[i], (i - from) * size);
  const child = makeData({ type: new Float32(), length: flat.length, data: flat });
  return makeVector(makeData({ type: new FixedSizeList(size, new Field('item', new Float32(), false)), length: m, nullCount: 0, child }));
}

/** Arrow columns of faces `from..to`. */
function facesTable(store: FaceStore, cols: FaceColumns, dimension: number, from: number, to: number): Table {
  const f = store.faces.slice(from, to);
  const s = <T>(a: T[]) => a.slice(from, to);
  return new Table({
    face_id: utf8Column(s(cols.faceIds)),
    path: utf8Column(f.map((r) => r.path)),
    face_index: makeVector(Int32Array.from(f, (r) => r.faceIndex)),
    x: makeVector(Float32Array.from(f, (r) => r.box.x)),
    y: makeVector(Float32Array.from(f, (r) => r.box.y)),
    width: makeVector(Float32Array.from(f, (r) => r.box.width)),
    height: makeVector(Float32Array.from(f, (r) => r.box.height)),
    score: makeVector(Float32Array.from(f, (r) => r.score)),
    detector: utf8Column(f.map((r) => r.detector ?? null)),
    ...(cols.quality ? { quality: numberColumn(s(cols.quality), 'float32') } : {}),
    label: utf8Column(f.map((r) => r.label)),
    person_id: numberColumn(s(cols.personId), 'int32'),
    person_name: utf8Column(s(cols.personName)),
    person_status: utf8Column(s(cols.personStatus)),
    cluster: numberColumn(s(cols.cluster), 'int32'),
    embedding: fixedList(store.embeddings, from, to, dimension),
  });
}

function peopleTable(persons: Awaited<ReturnType<typeof joinColumns>>['persons']): Table {
  return new Table({
    person_id: makeVector(Int32Array.from(persons, (p) => p.id)),
    name: utf8Column(persons.map((p) => p.name)),
    faces: makeVector(Int32Array.from(persons, (p) => p.faces)),
    confirmed_faces: makeVector(Int32Array.from(persons, (p) => p.confirmed)),
    created_at: utf8Column(persons.map((p) => p.createdAt || null)),
  });
}

/** Writes `tables()` (one Arrow table per row group) as one Parquet file. */
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
      // Yield to the event loop first: the writer pulls the next group as soon as it has the last one, and
      // without a macrotask turn the file stream's writes never complete (everything piles up in memory).
      await new Promise((r) => setImmediate(r));
      const next = it.next();
      if (next.done) {
        ctrl.close();
        return;
      }
      const wasmTable = pq.Table.fromIPCStream(tableToIPC(next.value, 'stream'));
      for (const b of wasmTable.recordBatches()) ctrl.enqueue(b);
      wasmTable.free(); // the batches hold their own references to the data
    },
  });
  const bytes = await pq.transformParquetStream(batches, props);
  await bytes.pipeTo(Writable.toWeb(out) as WritableStream<Uint8Array>);
}

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; null is empty. */
function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(9)));
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

async function writeCsv(out: Writable, header: string[], rows: () => Generator<(string | number | null | undefined)[][]>): Promise<void> {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${header.join(',')}\n`);
  for (const chunk of rows()) await write(chunk.map((r) => `${r.map(csvField).join(',')}\n`).join(''));
}

/**
 * Writes the store's faces (and people, when given) into `outDir` as Parquet or CSV files (see the file header
 * for the columns). `outDir` is created when missing; it must not be inside the store's photo folder.
 */
export async function exportStore(store: FaceStore, outDir: string, options?: Partial<ExportOptions>): Promise<ExportResult> {
  const fn = 'exportStore';
  const o = resolveOptions(fn, EXPORT_DEFAULTS, options);
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.format)) throw unknownName(fn, 'format', o.format, EXPORT_FORMATS);
  if (typeof outDir !== 'string' || outDir === '') throw invalidParameter(fn, 'outDir', 'a folder path', outDir);
  if (o.people !== null && (typeof o.people !== 'object' || !Array.isArray(o.people.faceIds) || o.people.faceIds.length !== o.people.personOf?.length)) {
    throw invalidParameter(fn, 'people', 'people with one person id per face id', o.people);
  }
  checkOutsidePhotoFolder(fn, 'outDir', outDir, store.manifest.photoFolder || undefined);
  const dir = resolve(outDir);
  await ensureRealDir(dir, fn); // refuses a link as the folder itself
  const n = store.faces.length;
  const dimension = n > 0 ? store.embeddings[0].length : store.manifest.parameters.embeddingDimension;
  for (let i = 0; i < n; i++) {
    if (store.embeddings[i].length !== dimension) throw new FaceclusterError(fn, `every embedding must have length ${dimension}, got ${store.embeddings[i].length} (face ${i}).`, 'store');
  }
  const { cols, run, persons } = await joinColumns(store, o.people, o.run);
  const groups = function* <T>(make: (from: number, to: number) => T): Generator<T> {
    for (let from = 0; from < n || (n === 0 && from === 0); from += EXPORT_ROW_GROUP) {
      yield make(from, Math.min(n, from + EXPORT_ROW_GROUP));
      if (n === 0) return;
    }
  };
  const files: string[] = [];
  if (o.format === 'parquet') {
    files.push(await atomicStream(dir, 'faces.parquet', (out) => writeParquet(out, () => groups((a, b) => facesTable(store, cols, dimension, a, b)), ['embedding'])));
    if (o.people) files.push(await atomicStream(dir, 'people.parquet', (out) => writeParquet(out, function* () { yield peopleTable(persons); }, [])));
  } else {
    const header = ['face_id', 'path', 'face_index', 'x', 'y', 'width', 'height', 'score', ...(cols.quality ? ['quality'] : []), 'label', 'person_id', 'person_name', 'person_status', 'cluster'];
    files.push(
      await atomicStream(dir, 'faces.csv', (out) =>
        writeCsv(out, header, () =>
          groups((a, b) =>
            store.faces.slice(a, b).map((f, k) => {
              const i = a + k;
              return [cols.faceIds[i], f.path, f.faceIndex, f.box.x, f.box.y, f.box.width, f.box.height, f.score, ...(cols.quality ? [cols.quality[i]] : []), f.label, cols.personId[i], cols.personName[i], cols.personStatus[i], cols.cluster[i]];
            }),
          ),
        ),
      ),
    );
    const eHeader = ['face_id', ...Array.from({ length: dimension }, (_, k) => `e${k}`)];
    files.push(await atomicStream(dir, 'embeddings.csv', (out) => writeCsv(out, eHeader, () => groups((a, b) => cols.faceIds.slice(a, b).map((id, k) => [id, ...store.embeddings[a + k]])))));
    if (o.people) {
      files.push(
        await atomicStream(dir, 'people.csv', (out) =>
          writeCsv(out, ['person_id', 'name', 'faces', 'confirmed_faces', 'created_at'], function* () {
            yield persons.map((p) => [p.id, p.name, p.faces, p.confirmed, p.createdAt || null]);
          }),
        ),
      );
    }
  }
  return { outDir: dir, files, faces: n, people: persons.length, run, dimension };
}
