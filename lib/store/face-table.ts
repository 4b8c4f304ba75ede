/**
 * The faces of a store as Apache Arrow columns, with no JavaScript object per face: what a pass over a million
 * faces (`exportStore`) reads instead of {@link openStore}, which makes one object and one Float32Array per face
 * (113 s to open 1M x 512-d faces, measured in README "Export").
 *
 * `readFaceTable(dir)` reads `faces.arrow`, the committed batches' faces files and the photos files beside them
 * (for which rows are live), and gives the faces in the store's order (path, then face index), the same rows
 * and order as `openStore(dir).faces`: a later record of a photo replaces earlier ones, a face counts only where
 * its source lists its photo. `column(name, from, to)` gives rows `from..to` of one column of `faces.arrow` as an
 * Arrow vector: a slice of the file's own buffers (no copy) when the store is one compacted file in order (every
 * store after `encode` finishes), else gathered from the batches.
 *
 * Cost: the faces files are read whole into memory (about d x 4 + 100 bytes a face: 2.1 GB at 1M x 512-d);
 * the paths are decoded to strings (the face ids need them), nothing else is.
 *
 * @example
 * const t = await readFaceTable('out/store');
 * t.length; t.paths[0]; t.faceIndex[0];
 * t.column('embedding', 0, 4096); // FixedSizeList<Float32> vector of the first 4,096 faces
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataType, FixedSizeList, makeData, makeVector, tableFromIPC, type Data, type RecordBatch, type Table, type Vector } from 'apache-arrow';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { BATCHES_DIR, FACES_FILE, PHOTOS_FILE, resolveStoreDir } from './layout.ts';
import type { StoreManifest } from './manifest.ts';
import { committedBatches, readManifest, readTableFile } from './read.ts';

export interface FaceTable {
  /** The store folder. */
  dir: string;
  manifest: StoreManifest;
  /** Number of faces. */
  length: number;
  /** Each face's photo path (relative to the photo folder), in the store's order. */
  paths: string[];
  /** Each face's index in its photo. */
  faceIndex: Int32Array;
  /** Length of the main embedder's vectors (the `embedding` column). */
  dimension: number;
  /** Whether some faces file of the store has column `name` (older stores lack `quality`); rows of files without it read as null. */
  has(name: string): boolean;
  /** Rows `from..to` (end excluded) of column `name` of `faces.arrow`, as an Arrow vector. */
  column(name: string, from: number, to: number): Vector;
  /** Whether rows are slices of one file (true) or gathered from several (false): for figures and tests. */
  readonly direct: boolean;
}

/**
 * The Utf8 column `v` decoded to strings (null for null), without Arrow's per-value decoder objects. (Arrow JS
 * slices a column's buffers themselves: `offset` only places the null bitmap, so buffers are indexed from 0.)
 */
export function utf8Strings(v: Vector): (string | null)[] {
  const out: (string | null)[] = new Array(v.length);
  let at = 0;
  for (const d of v.data) {
    const offsets = d.valueOffsets as Int32Array;
    const values = d.values as Uint8Array;
    const buf = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
    for (let i = 0; i < d.length; i++) out[at++] = d.getValid(i) ? buf.toString('utf8', offsets[i], offsets[i + 1]) : null;
  }
  return out;
}

/** Values of an Int32 column as one array. */
function int32s(v: Vector): Int32Array {
  return v.data.length === 1 ? (v.data[0].values as Int32Array).subarray(0, v.length) : (v.toArray() as Int32Array);
}

function column(t: Table | RecordBatch, name: string, file: string): Vector {
  const c = t.getChild(name);
  if (!c) throw new FaceclusterError('readFaceTable', `${file} has no column ${JSON.stringify(name)}; it is not a facecluster store file.`);
  return c;
}

/** One record batch of a faces file, with the photos file it is live under (`set`: 0 the compacted tables, then each batch). */
interface Piece {
  file: string;
  set: number;
  batch: RecordBatch;
  paths: (string | null)[];
  faceIndex: Int32Array;
}

/**
 * Rows `rows` of sources' column data, gathered into one new Arrow data of the same type: fixed-width
 * primitives, Utf8 and FixedSizeList of a fixed-width primitive (the types of `faces.arrow`), nulls kept.
 */
function gather(type: DataType, parts: readonly (Data | null)[], sourceOf: Uint16Array, rowOf: Int32Array, from: number, to: number): Data {
  const n = to - from;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const d = parts[sourceOf[from + i]];
    if (d && d.getValid(rowOf[from + i])) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  const nullBitmap = nulls > 0 ? bitmap : undefined;
  if (DataType.isUtf8(type)) {
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      const d = parts[sourceOf[from + i]];
      const r = rowOf[from + i];
      const o = d?.valueOffsets as Int32Array;
      offsets[i + 1] = offsets[i] + (d ? o[r + 1] - o[r] : 0);
    }
    const data = new Uint8Array(offsets[n]);
    for (let i = 0; i < n; i++) {
      const d = parts[sourceOf[from + i]];
      if (!d) continue;
      const r = rowOf[from + i];
      const o = d.valueOffsets as Int32Array;
      data.set((d.values as Uint8Array).subarray(o[r], o[r + 1]), offsets[i]);
    }
    return makeData({ type, length: n, nullCount: nulls, nullBitmap, valueOffsets: offsets, data });
  }
  if (DataType.isFixedSizeList(type)) {
    const size = (type as FixedSizeList).listSize;
    const childType = (type as FixedSizeList).children[0].type;
    const values = new (childType.ArrayType as Float32ArrayConstructor)(n * size);
    for (let i = 0; i < n; i++) {
      const d = parts[sourceOf[from + i]];
      if (!d) continue;
      const c = d.children[0];
      const at = rowOf[from + i] * size;
      values.set((c.values as Float32Array).subarray(at, at + size), i * size);
    }
    const child = makeData({ type: childType, length: n * size, nullCount: 0, data: values });
    return makeData({ type: type as FixedSizeList, length: n, nullCount: nulls, nullBitmap, child });
  }
  if (DataType.isInt(type) || DataType.isFloat(type)) {
    const values = new (type.ArrayType as Int32ArrayConstructor)(n);
    for (let i = 0; i < n; i++) {
      const d = parts[sourceOf[from + i]];
      if (d) values[i] = (d.values as Int32Array)[rowOf[from + i]];
    }
    return makeData({ type, length: n, nullCount: nulls, nullBitmap, data: values } as never);
  }
  throw new FaceclusterError('readFaceTable', `column type ${String(type)} cannot be gathered (a store file of another facecluster?).`);
}

/**
 * Reads a store's faces as columns (see the file header). `dir` is a store folder or a photo folder holding
 * `.facecluster/`, as for `openStore`.
 */
export async function readFaceTable(dir: string): Promise<FaceTable> {
  const fn = 'readFaceTable';
  if (typeof dir !== 'string' || dir === '') throw invalidParameter(fn, 'dir', 'a store folder', dir);
  const storeDir = resolveStoreDir(dir);
  const manifest = await readManifest(storeDir);
  // Photo sets, oldest first: the compacted tables, then each committed batch; a photo listed again later
  // replaces its faces. Faces files are cut into their record batches (pieces).
  const photoSets: (string | null)[][] = [];
  const pieces: Piece[] = [];
  const addSet = async (photosFile: string, facesFile: string, big: boolean) => {
    const read = async (f: string) => tableFromIPC(big ? await readTableFile(f) : await readFile(f));
    const set = photoSets.push(utf8Strings(column(await read(photosFile), 'path', photosFile))) - 1;
    if (!existsSync(facesFile)) return;
    const table = await read(facesFile);
    for (const batch of table.batches) pieces.push({ file: facesFile, set, batch, paths: utf8Strings(column(batch, 'path', facesFile)), faceIndex: int32s(column(batch, 'faceIndex', facesFile)) });
  };
  if (existsSync(join(storeDir, PHOTOS_FILE))) await addSet(join(storeDir, PHOTOS_FILE), join(storeDir, FACES_FILE), true);
  else photoSets.push([]);
  for (const name of await committedBatches(storeDir)) {
    await addSet(join(storeDir, BATCHES_DIR, `${name}.photos.arrow`), join(storeDir, BATCHES_DIR, `${name}.faces.arrow`), false);
  }
  if (pieces.length > 65_535) throw new FaceclusterError(fn, `${storeDir} has ${pieces.length} record batches of faces (at most 65,535 are read); finish the encode to merge them.`);

  // The common case: only the compacted files, faces in order and every face's photo listed (checked by walking
  // the two path-sorted lists side by side): rows are the file's rows, columns slices of its own buffers.
  const inOrder = (): boolean => {
    const photos = photoSets[0];
    for (let k = 1; k < photos.length; k++) if (photos[k] === null || photos[k]! <= photos[k - 1]!) return false;
    let j = 0;
    let q: string | null = null;
    let qi = 0;
    for (const piece of pieces) {
      for (let i = 0; i < piece.paths.length; i++) {
        const p = piece.paths[i];
        if (p === null) return false;
        if (q !== null && (p < q || (p === q && piece.faceIndex[i] <= qi))) return false;
        [q, qi] = [p, piece.faceIndex[i]];
        while (j < photos.length && photos[j]! < p) j++;
        if (photos[j] !== p) return false;
      }
    }
    return true;
  };
  let length: number;
  let paths: string[];
  let faceIndex: Int32Array;
  let pieceOf: Uint16Array | null = null;
  let rowOf: Int32Array | null = null;
  const direct = photoSets.length === 1 && inOrder();
  if (direct) {
    paths = pieces.flatMap((p) => p.paths as string[]);
    faceIndex = pieces.length === 1 ? pieces[0].faceIndex : Int32Array.from(pieces.flatMap((p) => [...p.faceIndex]));
    length = paths.length;
  } else {
    const owner = new Map<string, number>();
    photoSets.forEach((photos, set) => {
      for (const p of photos) if (p !== null) owner.set(p, set);
    });
    const live: { s: number; r: number; p: string; k: number }[] = [];
    pieces.forEach((piece, s) => {
      for (let r = 0; r < piece.paths.length; r++) {
        const p = piece.paths[r];
        if (p !== null && owner.get(p) === piece.set) live.push({ s, r, p, k: piece.faceIndex[r] });
      }
    });
    // openStore's order: paths in code-unit order, then face index (stable: equal indices keep file order)
    live.sort((a, b) => (a.p < b.p ? -1 : a.p > b.p ? 1 : a.k - b.k));
    length = live.length;
    paths = live.map((x) => x.p);
    faceIndex = Int32Array.from(live, (x) => x.k);
    pieceOf = Uint16Array.from(live, (x) => x.s);
    rowOf = Int32Array.from(live, (x) => x.r);
  }

  const has = (name: string) => pieces.some((p) => p.batch.getChild(name) !== null);
  // rows of piece k start at starts[k] (the direct case: one file, possibly of several record batches)
  const starts = [0];
  for (const p of pieces) starts.push(starts[starts.length - 1] + p.paths.length);
  let dimension = manifest.parameters.embeddingDimension;
  pieces.forEach((p, i) => {
    const size = (column(p.batch, 'embedding', p.file).type as FixedSizeList).listSize;
    if (i > 0 && size !== dimension) throw new FaceclusterError(fn, `${p.file} holds ${size}-d vectors, the store's other faces ${dimension}-d; encode the store again.`, 'store');
    dimension = size;
  });
  const dataOf = new Map<string, (Data | null)[]>();
  return {
    dir: storeDir,
    manifest,
    length,
    paths,
    faceIndex,
    dimension,
    has,
    direct,
    column(name, from, to) {
      if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > length || from > to) {
        throw invalidParameter('FaceTable.column', 'from, to', `rows with 0 <= from <= to <= ${length}`, [from, to]);
      }
      if (pieces.length === 0) throw new FaceclusterError('FaceTable.column', `the store ${JSON.stringify(storeDir)} has no faces file to read column ${JSON.stringify(name)} from.`);
      let data = dataOf.get(name);
      if (!data) {
        data = pieces.map((p): Data | null => p.batch.getChild(name)?.data[0] ?? null);
        if (data.every((d) => d === null)) column(pieces[0].batch, name, pieces[0].file); // throws, naming the column
        dataOf.set(name, data);
      }
      if (direct) {
        let k = 0;
        while (starts[k + 1] <= from && k < pieces.length - 1) k++;
        if (to <= starts[k + 1] && data[k]) return makeVector(data[k]!).slice(from - starts[k], to - starts[k]); // one batch: a slice
        const pieceRows = new Uint16Array(to - from); // across batches: gathered
        const rows = new Int32Array(to - from);
        for (let i = from, j = k; i < to; i++) {
          while (i >= starts[j + 1]) j++;
          pieceRows[i - from] = j;
          rows[i - from] = i - starts[j];
        }
        return makeVector(gather(data.find((d) => d)!.type, data, pieceRows, rows, 0, to - from));
      }
      return makeVector(gather(data.find((d) => d)!.type, data, pieceOf!, rowOf!, from, to));
    },
  };
}
