/**
 * Nullable Arrow columns built in one pass over the values, for the store's tables and the export. Arrow's generic
 * builder (`vectorFromArray`) spends ~10x as long on a million strings (a builder call, a UTF-8 encoder call and a
 * growing buffer per value).
 */
import { DataType, Float32, Int32, makeData, makeVector, Utf8, type Data, type Vector } from 'apache-arrow';

/** Validity bitmap of rows `0..n` (bit i set when `valid(i)`; none when no row is null) and the number of nulls. */
export function validity(n: number, valid: (i: number) => boolean): { bitmap: Uint8Array | undefined; nulls: number } {
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (valid(i)) bitmap[i >> 3] |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: nulls > 0 ? bitmap : undefined, nulls };
}

/** A nullable Utf8 column of `n` rows: row i is `value(i)` (null for null). */
export function utf8Column(n: number, value: (i: number) => string | null | undefined): Vector<Utf8> {
  const offsets = new Int32Array(n + 1);
  const values: (string | null | undefined)[] = new Array(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const v = (values[i] = value(i));
    if (v !== null && v !== undefined) bytes += Buffer.byteLength(v, 'utf8');
    offsets[i + 1] = bytes;
  }
  const buf = Buffer.allocUnsafe(bytes);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) buf.write(v, offsets[i], 'utf8');
  }
  const { bitmap, nulls } = validity(n, (i) => values[i] !== null && values[i] !== undefined);
  const data = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return makeVector(makeData({ type: new Utf8(), length: n, nullCount: nulls, nullBitmap: bitmap, valueOffsets: offsets, data }));
}

/** A nullable Int32 column: `values` where `valid(i)`, null elsewhere (`values` is kept, not copied). */
export function int32Column(values: Int32Array, valid: (i: number) => boolean): Vector<Int32> {
  const { bitmap, nulls } = validity(values.length, valid);
  return makeVector(makeData({ type: new Int32(), length: values.length, nullCount: nulls, nullBitmap: bitmap, data: values }));
}

/** A nullable number column of `n` rows: row i is `value(i)`, null for null or undefined. */
export function numberColumn(n: number, type: 'int32' | 'float32', value: (i: number) => number | null | undefined): Vector<Int32> | Vector<Float32> {
  const data = type === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = value(i);
    if (v === null || v === undefined) continue;
    data[i] = v;
    valid[i] = 1;
  }
  const { bitmap, nulls } = validity(n, (i) => valid[i] === 1);
  return type === 'int32'
    ? makeVector(makeData({ type: new Int32(), length: n, nullCount: nulls, nullBitmap: bitmap, data: data as Int32Array }))
    : makeVector(makeData({ type: new Float32(), length: n, nullCount: nulls, nullBitmap: bitmap, data: data as Float32Array }));
}

/** Data of `n` nulls of `type`: a fixed-width number, Utf8, or a FixedSizeList of numbers (the store's column types). */
export function nullData(type: DataType, n: number): Data {
  const nullBitmap = new Uint8Array((n + 7) >> 3);
  if (DataType.isUtf8(type)) return makeData({ type, length: n, nullCount: n, nullBitmap, valueOffsets: new Int32Array(n + 1), data: new Uint8Array(0) });
  if (DataType.isFixedSizeList(type)) {
    const item = type.children[0].type;
    return makeData({ type, length: n, nullCount: n, nullBitmap, child: makeData({ type: item, length: n * type.listSize, nullCount: 0, data: new (item.ArrayType as Float32ArrayConstructor)(n * type.listSize) } as never) });
  }
  return makeData({ type, length: n, nullCount: n, nullBitmap, data: new (type.ArrayType as Float32ArrayConstructor)(n) } as never);
}
