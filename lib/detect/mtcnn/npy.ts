/**
 * Reads NumPy `.npy` files (format versions 1.0, 2.0 and 3.0) without Python: plain numeric arrays, and
 * object arrays whose payload is a pickle (what `np.save(path, some_dict, allow_pickle=True)` writes, as
 * facenet's MTCNN weights `det{1,2,3}.npy` are: a 0-d object array holding `{layer: {param: ndarray}}`).
 *
 * Reference: NumPy Enhancement Proposal 1, "A simple file format for NumPy arrays" (NEP 1, 2007), and
 * `numpy/lib/format.py`.
 */
import { readFileSync } from 'node:fs';
import { FaceclusterError } from '../../errors.ts';
import { PickledNdarray, PickleTuple, readPickle, type PickleValue } from './pickle.ts';

/** Numeric dtypes the reader turns into typed arrays (by their NumPy kind+size code). */
export type NpyDtype = 'f4' | 'f8' | 'i1' | 'u1' | 'i2' | 'u2' | 'i4' | 'u4' | 'b1';

/** A numeric n-d array in C (row-major) order. A 0-d array has `shape` `[]` and one value. */
export interface NdArray {
  dtype: NpyDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
}

/** What a `.npy` file or a pickled value holds, with NumPy arrays turned into {@link NdArray}s. */
export type NpyValue =
  | NdArray
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | NpyValue[]
  | Map<NpyValue, NpyValue>;

const FN = 'readNpy';
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/**
 * Parses the bytes of a `.npy` file. Numeric arrays come back as {@link NdArray}; a 0-d object array
 * (a pickled Python object saved with `allow_pickle`) comes back as the object itself; other object
 * arrays as a flat list. `source` names the file in error messages.
 */
export function readNpy(input: Uint8Array, source = 'the .npy data'): NpyValue {
  // A plain Uint8Array view (a Node Buffer's slice() would not copy).
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const fail = (what: string): never => {
    throw new FaceclusterError(FN, `${source}: ${what}.`);
  };
  if (bytes.length < 10 || !MAGIC.every((b, i) => bytes[i] === b)) fail('not a .npy file (bad magic)');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated header');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    return fail(`unsupported .npy format version ${major}`);
  }
  if (start + headerLen > bytes.length) fail('truncated header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));
  const { descr, fortranOrder, shape } = parseHeader(header, fail);
  const body = bytes.subarray(start + headerLen);

  if (descr === '|O' || descr === 'O') {
    let value: PickleValue;
    try {
      value = readPickle(body);
    } catch (e) {
      return fail(`cannot read the pickled payload: ${(e as Error).message}`);
    }
    const converted = convert(value, fail);
    // np.save of a non-array object stores a 0-d object array: give back the object inside.
    if (shape.length === 0 && Array.isArray(converted) && converted.length === 1) return converted[0];
    return converted;
  }
  return toNdArray(descr, shape, fortranOrder, body, fail);
}

/** Reads a `.npy` file from disk; see {@link readNpy}. */
export function loadNpy(path: string): NpyValue {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new FaceclusterError('loadNpy', `cannot read ${path}: ${(e as Error).message}`, 'path', { cause: e });
  }
  return readNpy(bytes, path);
}

/**
 * Reads a `.npy` file holding a pickled `{layer: {param: ndarray}}` dict (facenet's weight format) and
 * returns it as nested records of {@link NdArray}s.
 */
export function loadNpyWeights(path: string): Record<string, Record<string, NdArray>> {
  const value = loadNpy(path);
  const bad = (what: string): never => {
    throw new FaceclusterError('loadNpyWeights', `${path}: ${what}.`);
  };
  if (!(value instanceof Map)) return bad('expected a pickled dict {layer: {param: array}}');
  const out: Record<string, Record<string, NdArray>> = {};
  for (const [layer, params] of value as Map<NpyValue, NpyValue>) {
    if (typeof layer !== 'string' || !(params instanceof Map)) return bad('expected a pickled dict {layer: {param: array}}');
    const rec: Record<string, NdArray> = {};
    for (const [name, arr] of params as Map<NpyValue, NpyValue>) {
      const key = typeof name === 'string' ? name : name instanceof Uint8Array ? new TextDecoder('latin1').decode(name) : undefined;
      if (key === undefined || !isNdArray(arr)) return bad(`layer ${layer}: expected {param: array}`);
      rec[key] = arr as NdArray;
    }
    out[layer] = rec;
  }
  return out;
}

export function isNdArray(v: unknown): v is NdArray {
  return typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v && 'data' in v && ArrayBuffer.isView((v as NdArray).data);
}

function parseHeader(header: string, fail: (what: string) => never): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) return fail(`malformed header ${JSON.stringify(header.trim())}`);
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+L?$/.test(s) ? Number.parseInt(s, 10) : fail(`bad shape (${shapeText})`)));
  return { descr, fortranOrder: fortran === 'True', shape };
}

const SIZES: Record<NpyDtype, number> = { f4: 4, f8: 8, i1: 1, u1: 1, i2: 2, u2: 2, i4: 4, u4: 4, b1: 1 };

/** Raw bytes of a numeric array -> {@link NdArray} (native little-endian typed array, C order). */
function toNdArray(descr: string, shape: number[], fortranOrder: boolean, raw: Uint8Array, fail: (what: string) => never): NdArray {
  const m = /^([<>|=]?)([fiub])(\d+)$/.exec(descr);
  const code = m ? `${m[2]}${m[3]}` : '';
  if (!m || !(code in SIZES)) return fail(`unsupported dtype ${JSON.stringify(descr)} (supported: ${Object.keys(SIZES).join(', ')}, object)`);
  const dtype = code as NpyDtype;
  const size = SIZES[dtype];
  const bigEndian = m[1] === '>';
  const count = shape.reduce((a, b) => a * b, 1);
  if (raw.length < count * size) fail(`truncated data: ${count} x ${size} bytes expected, ${raw.length} present`);
  let bytes = Uint8Array.prototype.slice.call(raw, 0, count * size); // an aligned copy
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) bytes = fortranToC(bytes, shape, size);
  if (bigEndian && size > 1) {
    for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
  }
  const buf = bytes.buffer;
  const data =
    dtype === 'f4' ? new Float32Array(buf) :
    dtype === 'f8' ? new Float64Array(buf) :
    dtype === 'i1' ? new Int8Array(buf) :
    dtype === 'u1' || dtype === 'b1' ? new Uint8Array(buf) :
    dtype === 'i2' ? new Int16Array(buf) :
    dtype === 'u2' ? new Uint16Array(buf) :
    dtype === 'i4' ? new Int32Array(buf) :
    new Uint32Array(buf);
  return { dtype, shape: [...shape], data };
}

/**
 * Reorders the elements of an array stored in Fortran (column-major) order into C (row-major) order.
 * facenet's weight files store their kernels this way (a transposed view of Caffe's blobs).
 */
function fortranToC(bytes: Uint8Array, shape: number[], size: number): Uint8Array {
  const n = shape.length;
  const count = bytes.length / size;
  const out = new Uint8Array(bytes.length);
  // Fortran strides (in elements): the first index varies fastest.
  const fstride = new Array<number>(n);
  for (let k = 0, s = 1; k < n; k++) {
    fstride[k] = s;
    s *= shape[k];
  }
  const idx = new Array<number>(n).fill(0);
  for (let c = 0; c < count; c++) {
    // idx is the multi-index of C-order element c.
    let f = 0;
    for (let k = 0; k < n; k++) f += idx[k] * fstride[k];
    out.set(bytes.subarray(f * size, f * size + size), c * size);
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** Pickled values -> NpyValue: tuples become arrays, NumPy arrays become NdArrays (or lists for object arrays). */
function convert(v: PickleValue, fail: (what: string) => never): NpyValue {
  if (v instanceof PickledNdarray) {
    if (v.dtype === undefined || v.raw === undefined) return fail('an ndarray without state');
    if (Array.isArray(v.raw)) return v.raw.map((x) => convert(x, fail)); // object array: its elements
    const order = v.dtype.byteOrder === '>' ? '>' : '<';
    return toNdArray(`${order}${v.dtype.descr}`, v.shape, v.fortranOrder, v.raw, fail);
  }
  if (v instanceof PickleTuple) return v.items.map((x) => convert(x, fail));
  if (Array.isArray(v)) return v.map((x) => convert(x, fail));
  if (v instanceof Map) {
    const out = new Map<NpyValue, NpyValue>();
    for (const [k, x] of v) {
      const key = k instanceof Uint8Array ? new TextDecoder('latin1').decode(k) : convert(k, fail);
      out.set(key, convert(x, fail));
    }
    return out;
  }
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string' || v instanceof Uint8Array) return v;
  return fail('an unsupported pickled object');
}
