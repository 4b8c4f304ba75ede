import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isNdArray, loadNpy, loadNpyWeights, readNpy, type NdArray, type NpyValue } from '../../lib/detect/mtcnn/npy.ts';
import { readPickle } from '../../lib/detect/mtcnn/pickle.ts';
import { mtcnnWeightsDir } from '../../lib/detect/mtcnn.ts';

// Fixtures made by test/fixtures/npy/make-npy-fixture.py (Debian python3-numpy, toy data).
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'npy');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'toy-dict.json'), 'utf8')) as Record<string, Record<string, { shape: number[]; values: number[] }>>;

function asMap(v: NpyValue): Map<NpyValue, NpyValue> {
  assert.ok(v instanceof Map, 'expected a dict');
  return v as Map<NpyValue, NpyValue>;
}

for (const name of ['toy-dict.npy', 'toy-dict-py2.npy', 'toy-dict-p4.npy']) {
  test(`readNpy: ${name} (np.save of a dict, like facenet's weights) gives every array with its shape and values`, () => {
    const dict = asMap(loadNpy(join(FIXTURES, name)));
    assert.deepEqual([...dict.keys()].sort(), Object.keys(expected).sort());
    for (const [layer, params] of Object.entries(expected)) {
      const got = asMap(dict.get(layer)!);
      assert.deepEqual([...got.keys()].sort(), Object.keys(params).sort(), layer);
      for (const [param, want] of Object.entries(params)) {
        const arr = got.get(param) as NdArray;
        assert.ok(isNdArray(arr), `${layer}/${param} is an array`);
        assert.equal(arr.dtype, 'f4');
        assert.ok(arr.data instanceof Float32Array);
        assert.deepEqual(arr.shape, want.shape, `${layer}/${param} shape`);
        // float32 values round-trip exactly through JSON's float64 (they were float32 to begin with).
        assert.deepEqual([...arr.data], want.values, `${layer}/${param} values`);
      }
    }
  });
}

test('readNpy: a Fortran-ordered array comes back in C order', () => {
  // conv2/weights is np.arange(12).reshape(2, 3, 2) - 5 stored column-major: C order must read -5, -4, ..., 6.
  const w = asMap(asMap(loadNpy(join(FIXTURES, 'toy-dict.npy'))).get('conv2')!).get('weights') as NdArray;
  assert.deepEqual(w.shape, [2, 3, 2]);
  assert.deepEqual([...w.data], [-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6]);
});

test('loadNpyWeights gives nested records; the 0-d array has shape []', () => {
  const w = loadNpyWeights(join(FIXTURES, 'toy-dict.npy'));
  assert.deepEqual(w.fc.scalar.shape, []); // np.array(7.5): 0-d
  assert.deepEqual([...w.fc.scalar.data], [7.5]);
  assert.deepEqual([...w.PReLU1.alpha.data], [0.25, -1, 2.5]);
  assert.deepEqual(w.conv1.weights.shape, [2, 2, 3, 4]);
});

test('readNpy: plain arrays (little-endian float32, big-endian float64, int16)', () => {
  const f4 = loadNpy(join(FIXTURES, 'plain-f4.npy')) as NdArray;
  assert.deepEqual(f4.shape, [2, 3]);
  assert.deepEqual([...f4.data], [1, 2, 3, -4, 0.5, 6]);
  const f8 = loadNpy(join(FIXTURES, 'plain-f8-be.npy')) as NdArray;
  assert.equal(f8.dtype, 'f8');
  assert.deepEqual([...f8.data], [1.25, -2, 1e100, 0]); // byte-swapped from big-endian
  const i2 = loadNpy(join(FIXTURES, 'plain-i2.npy')) as NdArray;
  assert.ok(i2.data instanceof Int16Array);
  assert.deepEqual([...i2.data], [1, -2, 300, -32768]);
});

/** Bytes of a hand-assembled pickle: strings are latin1 text, numbers are bytes. */
function bytesOf(...parts: (string | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') for (const ch of p) out.push(ch.charCodeAt(0));
    else out.push(...p);
  }
  return Uint8Array.from(out);
}

test('readPickle: a Python 2 pickle (SHORT_BINSTRING raw data, as in facenet files), hand-assembled', () => {
  // np.array([1.5, -2], 'float32') as Python 2's cPickle protocol 2 writes it.
  const p = bytesOf(
    [0x80, 2], // PROTO 2
    'cnumpy.core.multiarray\n_reconstruct\n', 'cnumpy\nndarray\n', // GLOBAL x 2
    [0x4b, 0, 0x85], 'U\x01b', [0x87, 0x52], // (0,), b'b' -> TUPLE3, REDUCE
    '(', [0x4b, 1], [0x4b, 2, 0x85], // MARK, version 1, shape (2,)
    'cnumpy\ndtype\n', 'U\x02f4', [0x4b, 0, 0x4b, 1, 0x87, 0x52], // dtype('f4', 0, 1)
    '(', [0x4b, 3], 'U\x01<', 'NNN', [0x4a, 0xff, 0xff, 0xff, 0xff, 0x4a, 0xff, 0xff, 0xff, 0xff, 0x4b, 0], 't', 'b', // dtype state, BUILD
    [0x89], 'U\x08', [0, 0, 0xc0, 0x3f, 0, 0, 0, 0xc0], // False, 8 raw bytes: 1.5, -2 (float32 LE)
    't', 'b', '.', // TUPLE, BUILD, STOP
  );
  const header = "{'descr': '|O', 'fortran_order': False, 'shape': (), }";
  const npy = bytesOf('\x93NUMPY', [1, 0, header.length + 1, 0], header, '\n', [...p]);
  // The payload is the float32 array itself (not wrapped in an object array): it comes back as an NdArray.
  const inner = readNpy(npy) as NdArray;
  assert.ok(isNdArray(inner));
  assert.deepEqual(inner.shape, [2]);
  assert.deepEqual([...inner.data], [1.5, -2]);
});

test('readPickle refuses to run code: an unknown global (os.system) throws, naming it', () => {
  const evil = bytesOf('cos\nsystem\n(U\x04echotR.');
  assert.throws(() => readPickle(evil), /readPickle: unsupported global "os system" \(only NumPy arrays and dtypes can be read\) at byte \d+/);
});

test('readPickle: an opcode outside the supported set throws, naming it and its position', () => {
  // 'S' (STRING, protocol 0 text) is not among the opcodes np.save produces.
  assert.throws(() => readPickle(bytesOf([0x80, 2], "S'x'\n.")), /readPickle: unsupported pickle opcode 0x53 at byte 2 of the pickle\./);
  assert.throws(() => readPickle(bytesOf([0x80, 5])), /unsupported pickle protocol 5/);
  assert.throws(() => readPickle(bytesOf([0x80, 2, 0x4e])), /truncated data/); // no STOP
  assert.throws(() => readPickle(bytesOf([0x80, 2, 0x61])), /stack underflow/); // APPEND on nothing
});

test('readNpy rejects non-npy, truncated and unsupported files with the file named', () => {
  assert.throws(() => readNpy(bytesOf('PK\x03\x04 not numpy'), 'x.npy'), /readNpy: x\.npy: not a \.npy file \(bad magic\)\./);
  assert.throws(() => readNpy(new Uint8Array(0), 'empty.npy'), /readNpy: empty\.npy: not a \.npy file/);
  const whole = readFileSync(join(FIXTURES, 'toy-dict.npy'));
  assert.throws(() => readNpy(whole.subarray(0, 400), 'cut.npy'), /readNpy: cut\.npy: cannot read the pickled payload: readPickle: truncated data/);
  const f4 = readFileSync(join(FIXTURES, 'plain-f4.npy'));
  assert.throws(() => readNpy(f4.subarray(0, f4.length - 4), 'short.npy'), /readNpy: short\.npy: truncated data: 6 x 4 bytes expected, 20 present\./);
  const header = "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }";
  assert.throws(() => readNpy(bytesOf('\x93NUMPY', [1, 0, header.length + 1, 0], header, '\n', [0, 0, 0, 0, 0, 0, 0, 0])), /unsupported dtype "<c8"/);
  assert.throws(() => readNpy(bytesOf('\x93NUMPY', [9, 0, 2, 0], '{}')), /unsupported \.npy format version 9/);
  assert.throws(() => loadNpy('/nonexistent/x.npy'), /loadNpy: cannot read \/nonexistent\/x\.npy/);
  assert.throws(() => loadNpyWeights(join(FIXTURES, 'plain-f4.npy')), /loadNpyWeights: .*plain-f4\.npy: expected a pickled dict/);
});

// ---- the real MTCNN weights (when present), cross-checked against numpy (when present) ----------------
const weightsDir = mtcnnWeightsDir();
const haveWeights = ['det1.npy', 'det2.npy', 'det3.npy'].every((f) => existsSync(join(weightsDir, f)));
function haveNumpy(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const skipReal = !haveWeights ? `MTCNN weights not found in ${weightsDir} (npm run models:mtcnn)` : !haveNumpy() ? '/usr/bin/python3 with numpy not installed' : false;

test('loadNpyWeights reads facenet det1/det2/det3.npy exactly as numpy does', { skip: skipReal }, () => {
  // numpy's reading: per param, shape, sum, first and last elements, and an order-sensitive checksum
  // sum(a[i] * (i % 7 + 1)) over the C-order flattening (facenet's kernels are stored in Fortran order).
  const script = `
import json, sys, numpy as np
out = {}
for f in ('det1', 'det2', 'det3'):
    d = np.load(sys.argv[1] + '/' + f + '.npy', allow_pickle=True, encoding='latin1').item()
    out[f] = {l: {p: [list(a.shape), float(a.astype(np.float64).sum()), float(a.ravel()[0]), float(a.ravel()[-1]), float((a.ravel().astype(np.float64) * (np.arange(a.size) % 7 + 1)).sum())] for p, a in ps.items()} for l, ps in d.items()}
print(json.dumps(out))`;
  const numpy = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, weightsDir], { encoding: 'utf8' })) as Record<string, Record<string, Record<string, [number[], number, number, number, number]>>>;
  let params = 0;
  for (const f of ['det1', 'det2', 'det3']) {
    const ours = loadNpyWeights(join(weightsDir, `${f}.npy`));
    assert.deepEqual(Object.keys(ours).sort(), Object.keys(numpy[f]).sort(), f);
    for (const [layer, ps] of Object.entries(numpy[f])) {
      for (const [param, [shape, sum, first, last, checksum]] of Object.entries(ps)) {
        const a = ours[layer][param];
        assert.deepEqual(a.shape, shape, `${f} ${layer}/${param} shape`);
        assert.equal(a.data[0], first, `${f} ${layer}/${param} first element (C order)`);
        assert.equal(a.data[a.data.length - 1], last, `${f} ${layer}/${param} last element`);
        let s = 0;
        let c = 0;
        a.data.forEach((v, i) => {
          s += v;
          c += v * ((i % 7) + 1);
        });
        const close = (x: number, y: number) => Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(y));
        assert.ok(close(s, sum), `${f} ${layer}/${param} sum ${s} vs ${sum}`);
        assert.ok(close(c, checksum), `${f} ${layer}/${param} order checksum ${c} vs ${checksum}`);
        params++;
      }
    }
  }
  // det1: 5 convs x (weights, biases) + 3 PReLU; det2: 6 x 2 + 4; det3: 8 x 2 + 5.
  assert.equal(params, 13 + 16 + 21);
});
