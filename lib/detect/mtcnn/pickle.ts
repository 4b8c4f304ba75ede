/**
 * A minimal, safe reader of Python pickles: just the opcodes that `np.save` of a dict of NumPy arrays
 * produces (protocols 2 to 4; facenet's MTCNN weights `det{1,2,3}.npy` are protocol 2 from Python 2,
 * today's numpy writes protocol 3). It runs no code: the only "globals" it knows are the handful that
 * rebuild NumPy arrays and dtypes, each mapped to a plain data constructor; any other global, and any
 * opcode outside the list below, throws saying which one at which byte.
 *
 * The result is plain JavaScript: dict -> `Map`, list -> array, tuple -> {@link PickleTuple}, str -> string,
 * bytes (and Python 2 `str`, which is bytes) -> `Uint8Array`, int -> number, bool, None -> null, and the
 * NumPy objects -> {@link PickledNdarray} / {@link PickledDtype}, to be turned into typed arrays by npy.ts.
 *
 * Reference: Python's `Lib/pickletools.py` (the opcode documentation), PEP 307 (protocol 2),
 * PEP 3154 (protocol 4).
 */
import { FaceclusterError } from '../../errors.ts';

/** A Python tuple (kept apart from lists so that shapes and states are recognisable). */
export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

/** `numpy.dtype(descr, align, copy)` as pickled; `byteOrder` arrives later through BUILD. */
export class PickledDtype {
  byteOrder = '|';
  constructor(readonly descr: string) {}
}

/**
 * `numpy.core.multiarray._reconstruct(ndarray, (0,), b'b')` followed by BUILD with the state
 * `(version, shape, dtype, isFortran, rawdata)`; rawdata is bytes, or a list for object arrays.
 */
export class PickledNdarray {
  shape: number[] = [];
  dtype: PickledDtype | undefined;
  fortranOrder = false;
  raw: Uint8Array | PickleValue[] | undefined;
}

export type PickleValue =
  | null
  | boolean
  | number
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | PickleTuple
  | PickledDtype
  | PickledNdarray
  | PickleGlobal;

/** A global the reader knows (never a live function). */
class PickleGlobal {
  constructor(readonly name: string) {}
}

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const KNOWN_GLOBALS = new Set([
  'numpy.core.multiarray _reconstruct',
  'numpy._core.multiarray _reconstruct',
  'numpy ndarray',
  'numpy dtype',
  '_codecs encode',
]);

const FN = 'readPickle';

/**
 * Reads one pickle from `bytes` (starting at `offset`) and returns its value.
 * @throws FaceclusterError on an unsupported opcode or global, or truncated / malformed data.
 */
export function readPickle(input: Uint8Array, offset = 0): PickleValue {
  // A plain Uint8Array view, so that slice() copies (a Node Buffer's slice() would not).
  const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = offset;

  const fail = (what: string): never => {
    throw new FaceclusterError(FN, `${what} at byte ${pos} of the pickle.`);
  };
  const need = (n: number): void => {
    if (pos + n > bytes.length) fail(`truncated data (needs ${n} more bytes)`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('length too large');
    return Number(v);
  };
  const take = (n: number): Uint8Array => {
    need(n);
    const out = bytes.slice(pos, pos + n);
    pos += n;
    return out;
  };
  const utf8 = (n: number): string => new TextDecoder('utf-8', { fatal: true }).decode(take(n));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('unterminated text line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    if (stack.length === 0) fail('stack underflow');
    const v = stack.pop()!;
    if (v === MARK) fail('unexpected MARK');
    return v as PickleValue;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) fail('stack underflow');
    return v as PickleValue;
  };
  const popMark = (): PickleValue[] => {
    let i = stack.length - 1;
    while (i >= 0 && stack[i] !== MARK) i--;
    if (i < 0) fail('MARK not found');
    const items = stack.splice(i + 1) as PickleValue[];
    stack.pop();
    return items;
  };
  const global = (name: string): PickleGlobal => {
    if (!KNOWN_GLOBALS.has(name)) fail(`unsupported global "${name}" (only NumPy arrays and dtypes can be read)`);
    return new PickleGlobal(name);
  };

  for (;;) {
    const opPos = pos;
    const op = u8();
    switch (op) {
      case 0x80: { // PROTO
        const proto = u8();
        if (proto > 4) fail(`unsupported pickle protocol ${proto}`);
        break;
      }
      case 0x95: // FRAME (protocol 4): an 8-byte length, the frame's opcodes follow inline
        u64();
        break;
      case 0x2e: // STOP
        if (stack.length !== 1) fail(`stack holds ${stack.length} items at STOP`);
        return pop();
      case 0x28: stack.push(MARK); break; // MARK
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: { // LONG1: little-endian two's complement of n bytes
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) fail('integer too large');
        stack.push(Number(v));
        break;
      }
      case 0x47: { // BINFLOAT: big-endian float64
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x55: stack.push(take(u8())); break; // SHORT_BINSTRING (Python 2 str = bytes)
      case 0x54: stack.push(take(u32())); break; // BINSTRING
      case 0x43: stack.push(take(u8())); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32())); break; // BINBYTES
      case 0x8e: stack.push(take(u64())); break; // BINBYTES8
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x29: stack.push(new PickleTuple([])); break; // EMPTY_TUPLE
      case 0x85: stack.push(new PickleTuple([pop()])); break; // TUPLE1
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b, c]));
        break;
      }
      case 0x74: stack.push(new PickleTuple(popMark())); break; // TUPLE
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x61: { // APPEND
        const v = pop();
        const list = top();
        if (!Array.isArray(list)) fail('APPEND to a non-list');
        (list as PickleValue[]).push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = top();
        if (!Array.isArray(list)) fail('APPENDS to a non-list');
        (list as PickleValue[]).push(...items);
        break;
      }
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        const d = top();
        if (!(d instanceof Map)) fail('SETITEM on a non-dict');
        (d as Map<PickleValue, PickleValue>).set(k, v);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        const d = top();
        if (!(d instanceof Map) || items.length % 2 !== 0) fail('malformed SETITEMS');
        for (let i = 0; i < items.length; i += 2) (d as Map<PickleValue, PickleValue>).set(items[i], items[i + 1]);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) fail(`memo key ${key} not found`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x63: { // GLOBAL "module\nname\n"
        const module = line();
        const name = line();
        stack.push(global(`${module} ${name}`));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        stack.push(global(`${module} ${name}`));
        break;
      }
      case 0x52: { // REDUCE: callable(*args)
        const args = pop();
        const fn = pop();
        if (!(fn instanceof PickleGlobal) || !(args instanceof PickleTuple)) fail('REDUCE needs a known global and a tuple');
        stack.push(reduce((fn as PickleGlobal).name, (args as PickleTuple).items, fail));
        break;
      }
      case 0x62: { // BUILD: obj.__setstate__(state)
        const state = pop();
        const obj = top();
        build(obj, state, fail);
        break;
      }
      default:
        pos = opPos;
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function reduce(name: string, args: PickleValue[], fail: (what: string) => never): PickleValue {
  switch (name) {
    case 'numpy.core.multiarray _reconstruct':
    case 'numpy._core.multiarray _reconstruct':
      if (!(args[0] instanceof PickleGlobal) || args[0].name !== 'numpy ndarray') fail('_reconstruct of something other than numpy.ndarray');
      return new PickledNdarray();
    case 'numpy dtype': {
      const descr = args[0];
      if (typeof descr === 'string') return new PickledDtype(descr);
      if (descr instanceof Uint8Array) return new PickledDtype(new TextDecoder('latin1').decode(descr));
      return fail('numpy.dtype needs a string');
    }
    case '_codecs encode': {
      // Protocol 2 from Python 3 writes bytes b as _codecs.encode(b.decode('latin1'), 'latin1').
      const [text, encoding] = args;
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) fail('_codecs.encode other than latin1');
      const s = text as string;
      const out = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c > 255) fail('non-latin1 character in _codecs.encode');
        out[i] = c;
      }
      return out;
    }
    default:
      return fail(`unsupported call of ${name}`);
  }
}

function build(obj: PickleValue, state: PickleValue, fail: (what: string) => never): void {
  if (!(state instanceof PickleTuple)) fail('BUILD state must be a tuple');
  const s = (state as PickleTuple).items;
  if (obj instanceof PickledDtype) {
    // (version, byteorder, subdescr, names, fields, elsize, alignment, flags[, metadata])
    if (typeof s[1] === 'string') obj.byteOrder = s[1];
    else if (s[1] instanceof Uint8Array) obj.byteOrder = new TextDecoder('latin1').decode(s[1]);
    if (s[3] !== null && s[3] !== undefined) fail('structured dtypes are not supported');
    return;
  }
  if (obj instanceof PickledNdarray) {
    // (version, shape, dtype, isFortran, rawdata); version 1 (numpy >= 1.0); older pickles omit it.
    const st = s.length === 5 ? s.slice(1) : s;
    const [shape, dtype, fortran, raw] = st;
    if (!(shape instanceof PickleTuple) || !shape.items.every((d) => typeof d === 'number' && d >= 0)) fail('ndarray shape must be a tuple of sizes');
    if (!(dtype instanceof PickledDtype)) fail('ndarray dtype missing');
    if (!(raw instanceof Uint8Array) && !Array.isArray(raw)) fail('ndarray data must be bytes or a list');
    obj.shape = (shape as PickleTuple).items as number[];
    obj.dtype = dtype as PickledDtype;
    obj.fortranOrder = fortran === true;
    obj.raw = raw as Uint8Array | PickleValue[];
    return;
  }
  fail('BUILD on an unsupported object');
}
