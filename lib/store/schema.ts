/**
 * The face store's records and their Apache Arrow IPC (file format, `.arrow`, a.k.a. Feather v2) encoding,
 * readable by pyarrow (and pandas `pd.read_feather`, which needs pyarrow); DuckDB reads it only with its community
 * `arrow` extension (downloaded at run time). For every data tool as it comes: `exportStore` (export.ts), Parquet or CSV.
 *
 * `photos.arrow`: one row per photo (path, size, mtime, dimensions, status ok / no-face / failed, reason,
 * number of faces, label). `faces.arrow`: one row per face (path, face index, label, image size, box,
 * detection score, 5 landmarks as 10 floats x0,y0..x4,y4, embedding as a fixed-size list of float32, the quality
 * score and two of its signals (`quality`, `sharpness`, `embeddingNorm`: nullable float32, null in rows written
 * before they existed), and one
 * nullable column `embedding_<name>` per further embedder of the store: see `EncodeParameters.extraEmbedders`).
 * `faces.arrow`'s `detector` is the detection recipe that found the face and `photos.arrow`'s `detectors` the
 * recipes run on the photo, comma-separated (`detectionRecipe`; both nullable: null in stores written before).
 */
import {
  Field,
  FixedSizeList,
  Float32,
  makeData,
  makeVector,
  Table,
  tableFromIPC,
  tableToIPC,
  type Vector,
} from 'apache-arrow';
import { FaceclusterError } from '../errors.ts';
import { numberColumn, utf8Column } from './_arrow-columns.ts';
import type { Box, Face, Landmarks5 } from '../types.ts';

/** What happened to one photo. */
export type PhotoStatus = 'ok' | 'no-face' | 'failed';

/** One row of `photos.arrow`. */
export interface PhotoRecord {
  /** Path relative to the photo folder, `/`-separated. */
  path: string;
  /** File size in bytes when encoded (with `mtimeMs`, decides whether a rerun re-encodes it). */
  sizeBytes: number;
  /** File modification time when encoded, ms since the epoch. */
  mtimeMs: number;
  /** Upright (EXIF-oriented) width in pixels; null when the photo failed to decode. */
  width: number | null;
  height: number | null;
  status: PhotoStatus;
  /** Why it failed (null unless `status` is `failed`). */
  reason: string | null;
  /** Number of faces stored for this photo. */
  faceCount: number;
  /** The identity label (parent folder name with `--labels folder`), else null. */
  label: string | null;
  /**
   * The detection recipes run on the photo (`detectionRecipe`), first the one of its oldest faces; absent in
   * stores written before they were recorded and for failed photos.
   */
  detectors?: string[];
}

/** Prefix of the columns that hold further embedders' vectors (`embedding_mobilefacenet512`). */
export const EXTRA_EMBEDDING_PREFIX = 'embedding_';

/**
 * One row of `faces.arrow`: a {@link Face} with where it came from. `embedding` is the store's main embedder's
 * vector; `embeddings` holds the further embedders' vectors by name (absent ones were not computed yet).
 */
export interface StoredFace extends Face {
  path: string;
  /** Index of the face in its photo (0 = best detection score). */
  faceIndex: number;
  label: string | null;
  imageWidth: number;
  imageHeight: number;
}

export function photosToArrow(rows: readonly PhotoRecord[]): Uint8Array {
  const t = new Table({
    path: utf8Column(rows.length, (i) => rows[i].path),
    sizeBytes: makeVector(Float64Array.from(rows, (r) => r.sizeBytes)),
    mtimeMs: makeVector(Float64Array.from(rows, (r) => r.mtimeMs)),
    width: numberColumn(rows.length, 'int32', (i) => rows[i].width),
    height: numberColumn(rows.length, 'int32', (i) => rows[i].height),
    status: utf8Column(rows.length, (i) => rows[i].status),
    reason: utf8Column(rows.length, (i) => rows[i].reason),
    faceCount: makeVector(Int32Array.from(rows, (r) => r.faceCount)),
    label: utf8Column(rows.length, (i) => rows[i].label),
    detectors: utf8Column(rows.length, (i) => (rows[i].detectors && rows[i].detectors!.length > 0 ? rows[i].detectors!.join(',') : null)),
  });
  return tableToIPC(t, 'file');
}

function fixedList(flat: Float32Array, size: number, length: number): Vector {
  const child = makeData({ type: new Float32(), length: flat.length, data: flat });
  return makeVector(makeData({ type: new FixedSizeList(size, new Field('item', new Float32(), false)), length, nullCount: 0, child }));
}

/** A nullable FixedSizeList<Float32> column: row i is `vectors[i]`, or null when undefined. */
function nullableFixedList(vectors: readonly (Float32Array | undefined)[], size: number): Vector {
  const n = vectors.length;
  const flat = new Float32Array(n * size);
  const bitmap = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  vectors.forEach((v, i) => {
    if (v === undefined) {
      nulls++;
      return;
    }
    flat.set(v, i * size);
    bitmap[i >> 3] |= 1 << (i & 7);
  });
  const child = makeData({ type: new Float32(), length: flat.length, data: flat });
  return makeVector(makeData({ type: new FixedSizeList(size, new Field('item', new Float32(), false)), length: n, nullCount: nulls, nullBitmap: bitmap, child }));
}

/**
 * `faces.arrow` bytes. `extra` gives the further embedders' names and dimensions (one nullable column each);
 * a row's `embeddings[name]` fills it.
 */
export function facesToArrow(rows: readonly StoredFace[], dimension: number, extra: readonly { name: string; dimension: number }[] = []): Uint8Array {
  const n = rows.length;
  const lm = new Float32Array(n * 10);
  const emb = new Float32Array(n * dimension);
  rows.forEach((r, i) => {
    r.landmarks5.forEach((p, j) => {
      lm[i * 10 + j * 2] = p.x;
      lm[i * 10 + j * 2 + 1] = p.y;
    });
    if (r.embedding.length !== dimension) {
      throw new FaceclusterError('facesToArrow', `embedding must have length ${dimension}, got ${r.embedding.length}.`, 'embedding');
    }
    emb.set(r.embedding, i * dimension);
  });
  const t = new Table({
    path: utf8Column(n, (i) => rows[i].path),
    faceIndex: makeVector(Int32Array.from(rows, (r) => r.faceIndex)),
    label: utf8Column(n, (i) => rows[i].label),
    imageWidth: makeVector(Int32Array.from(rows, (r) => r.imageWidth)),
    imageHeight: makeVector(Int32Array.from(rows, (r) => r.imageHeight)),
    x: makeVector(Float32Array.from(rows, (r) => r.box.x)),
    y: makeVector(Float32Array.from(rows, (r) => r.box.y)),
    width: makeVector(Float32Array.from(rows, (r) => r.box.width)),
    height: makeVector(Float32Array.from(rows, (r) => r.box.height)),
    score: makeVector(Float32Array.from(rows, (r) => r.score)),
    landmarks: fixedList(lm, 10, n),
    embedding: fixedList(emb, dimension, n),
    quality: numberColumn(n, 'float32', (i) => rows[i].quality),
    sharpness: numberColumn(n, 'float32', (i) => rows[i].sharpness),
    embeddingNorm: numberColumn(n, 'float32', (i) => rows[i].embeddingNorm),
    detector: utf8Column(n, (i) => rows[i].detector ?? null),
    ...Object.fromEntries(
      extra.map((e) => {
        const vectors = rows.map((r) => r.embeddings?.[e.name]);
        for (const [i, v] of vectors.entries()) {
          if (v && v.length !== e.dimension) throw new FaceclusterError('facesToArrow', `embeddings.${e.name} must have length ${e.dimension}, got ${v.length} (row ${i}).`, 'embeddings');
        }
        return [`${EXTRA_EMBEDDING_PREFIX}${e.name}`, nullableFixedList(vectors, e.dimension)];
      }),
    ),
  });
  return tableToIPC(t, 'file');
}

function column(t: Table, name: string, fn: string): Vector {
  const c = t.getChild(name);
  if (!c) throw new FaceclusterError(fn, `the table has no column ${JSON.stringify(name)}; it is not a facecluster store file.`);
  return c;
}

/** Flat float32 values of a FixedSizeList<Float32> column, row-major. */
function flatList(v: Vector, size: number): Float32Array {
  const out = new Float32Array(v.length * size);
  let at = 0;
  for (const chunk of v.data) {
    const child = chunk.children[0];
    const values = child.values as Float32Array;
    const start = (child.offset + chunk.offset * size);
    out.set(values.subarray(start, start + chunk.length * size), at);
    at += chunk.length * size;
  }
  return out;
}

export function photosFromArrow(bytes: Uint8Array): PhotoRecord[] {
  const fn = 'readPhotos';
  const t = tableFromIPC(bytes);
  const cols = ['path', 'sizeBytes', 'mtimeMs', 'width', 'height', 'status', 'reason', 'faceCount', 'label'].map((c) => column(t, c, fn).toArray());
  const [path, sizeBytes, mtimeMs, width, height, status, reason, faceCount, label] = cols as unknown as [
    (string | null)[], Float64Array, Float64Array, (number | null)[], (number | null)[], string[], (string | null)[], Int32Array, (string | null)[],
  ];
  const detectors = t.getChild('detectors');
  const rows: PhotoRecord[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const d = detectors?.get(i) as string | null | undefined;
    rows.push({
      path: path[i] as string,
      sizeBytes: sizeBytes[i],
      mtimeMs: mtimeMs[i],
      width: width[i] ?? null,
      height: height[i] ?? null,
      status: status[i] as PhotoStatus,
      reason: reason[i] ?? null,
      faceCount: faceCount[i],
      label: label[i] ?? null,
      ...(d ? { detectors: d.split(',') } : {}),
    });
  }
  return rows;
}

/** The entries of `o` that are not undefined. */
function withDefined<T extends Record<string, number | undefined>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function facesFromArrow(bytes: Uint8Array): StoredFace[] {
  const fn = 'readFaces';
  const t = tableFromIPC(bytes);
  const embCol = column(t, 'embedding', fn);
  const dim = (embCol.type as FixedSizeList).listSize;
  const emb = flatList(embCol, dim);
  const lm = flatList(column(t, 'landmarks', fn), 10);
  const [path, faceIndex, label, iw, ih, x, y, w, h, score] = ['path', 'faceIndex', 'label', 'imageWidth', 'imageHeight', 'x', 'y', 'width', 'height', 'score'].map((c) =>
    column(t, c, fn).toArray(),
  ) as unknown as [(string | null)[], Int32Array, (string | null)[], Int32Array, Int32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const extras = t.schema.fields
    .filter((f) => f.name.startsWith(EXTRA_EMBEDDING_PREFIX))
    .map((f) => {
      const col = t.getChild(f.name)!;
      const size = (col.type as FixedSizeList).listSize;
      return { name: f.name.slice(EXTRA_EMBEDDING_PREFIX.length), size, flat: flatList(col, size), valid: (i: number) => col.isValid(i) };
    });
  /** A nullable float column (absent in older stores): row i's value, or undefined. */
  const optional = (name: string) => {
    const col = t.getChild(name);
    return (i: number): number | undefined => {
      const v = col?.get(i);
      return v === null || v === undefined ? undefined : Number(v);
    };
  };
  const [quality, sharpness, embeddingNorm] = ['quality', 'sharpness', 'embeddingNorm'].map(optional);
  const detector = t.getChild('detector');
  const rows: StoredFace[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const box: Box = { x: x[i], y: y[i], width: w[i], height: h[i] };
    const landmarks5 = [0, 1, 2, 3, 4].map((j) => ({ x: lm[i * 10 + j * 2], y: lm[i * 10 + j * 2 + 1] })) as Landmarks5;
    rows.push({
      path: path[i] as string,
      faceIndex: faceIndex[i],
      label: label[i] ?? null,
      imageWidth: iw[i],
      imageHeight: ih[i],
      box,
      score: score[i],
      landmarks5,
      embedding: emb.slice(i * dim, (i + 1) * dim),
      ...withDefined({ quality: quality(i), sharpness: sharpness(i), embeddingNorm: embeddingNorm(i) }),
      ...(detector?.get(i) ? { detector: detector.get(i) as string } : {}),
      ...(extras.length > 0
        ? { embeddings: Object.fromEntries(extras.filter((e) => e.valid(i)).map((e) => [e.name, e.flat.slice(i * e.size, (i + 1) * e.size)])) }
        : {}),
    });
  }
  return rows;
}
