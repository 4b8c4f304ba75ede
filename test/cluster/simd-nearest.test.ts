/**
 * The k-means kernels of _simd.ts (nearest4: the nearest centre of 4 rows from their dot products; bounds4: their rows
 * of Elkan's lower bounds and group minima) against hand-worked toy cases and, bit for bit, against the plain float64
 * JavaScript they replace on LFW's face-api embeddings; and the thread pool's reuse of kernels and shared buffers
 * (a reused one must read as a fresh one: zeroed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createDotKernel, type DotKernel } from '../../lib/cluster/_simd.ts';
import { kernelReuser, releaseShared, shared } from '../../lib/cluster/_threads.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';

const file = precomputedEmbeddingsPath();
const skip = existsSync(file) ? false : `LFW embeddings not found at ${file} (set FACECLUSTER_DATA)`;

/** Kernel memory layout of these tests: dots at OUT (4 k floats), norms, moved, result, xs, low, groups. */
function layout(k: number) {
  const OUT = 0;
  const NORMS = OUT + 16 * k;
  const MOVED = NORMS + 8 * k;
  const RES = MOVED + 8 * k;
  const XS = RES + 96;
  const LOW = XS + 64;
  const GROUPS = LOW + 16 * k;
  return { OUT, NORMS, MOVED, RES, XS, LOW, GROUPS, end: GROUPS + 32 * (k + 1) };
}

/** Puts dots[r][c], norms, moved, xs into the kernel; runs nearest4 and bounds4; returns what they wrote. */
function runKernels(kernel: DotKernel, dots: number[][], norms: number[], moved: number[], xs: number[], storeLow: number, group: number) {
  const k = norms.length;
  const L = layout(k);
  kernel.ensure(L.end);
  const f32 = kernel.f32();
  const f64 = new Float64Array(f32.buffer);
  const i32 = new Int32Array(f32.buffer);
  for (let r = 0; r < 4; r++) for (let c = 0; c < k; c++) f32[(L.OUT >> 2) + 4 * c + r] = dots[r][c];
  f64.set(norms, L.NORMS >> 3);
  f64.set(moved, L.MOVED >> 3);
  f64.set(xs, L.XS >> 3);
  kernel.nearest4(L.OUT, L.NORMS, k, L.RES);
  kernel.bounds4(L.OUT, L.NORMS, L.MOVED, k, L.XS, storeLow, group, L.LOW, L.GROUPS);
  const nGroups = Math.ceil(k / group);
  return {
    best: [0, 1, 2, 3].map((r) => i32[(L.RES >> 2) + 16 + 2 * r]),
    bestKey: [0, 1, 2, 3].map((r) => f64[(L.RES >> 3) + r]),
    second: [0, 1, 2, 3].map((r) => f64[(L.RES >> 3) + 4 + r]),
    low: [0, 1, 2, 3].map((r) => Array.from(f32.subarray((L.LOW >> 2) + r * k, (L.LOW >> 2) + r * k + k))),
    groups: [0, 1, 2, 3].map((r) => Array.from({ length: nGroups }, (_, g) => f64[(L.GROUPS >> 3) + 4 * g + r])),
  };
}

test('nearest4 and bounds4, worked by hand: 4 rows, 5 centres, ties to the first centre, groups of 2', () => {
  const norms = [1, 4, 0.25, 9, 1];
  // key = norm - 2 dot
  const dots = [
    [0.5, 1, 0, 2, 0.5], // keys 0, 2, 0.25, 5, 0: the first of the tied 0s (centre 0); second smallest 0
    [0, 2, 0.125, 0, -1], // keys 1, 0, 0, 9, 3: centre 1 (first of the tied 0s); second 0
    [-1, -1, -1, -1, -1], // keys 3, 6, 2.25, 11, 3: centre 2; second 3
    [0.5, 2.25, 0.125, 4, 0.5], // keys 0, -0.5, 0, 1, 0: centre 1; second 0
  ];
  const xs = [1, 2, 3, 4, /* slacks */ 0, 0, 0, 1];
  const moved = [0, 0.5, 0, 0, 1];
  const out = runKernels(createDotKernel(), dots, norms, moved, xs, 1, 2);
  assert.deepEqual(out.best, [0, 1, 2, 1]);
  assert.deepEqual(out.bestKey, [0, 0, 2.25, -0.5]);
  assert.deepEqual(out.second, [0, 0, 3, 0]);
  // lo = sqrt(max(0, x + key - slack)); row 0: x 1, keys 0, 2, 0.25, 5, 0 -> 1, sqrt 3, sqrt 1.25, sqrt 6, 1
  const lo0 = [1, Math.sqrt(3), Math.sqrt(1.25), Math.sqrt(6), 1];
  assert.deepEqual(out.low[0], lo0.map((v, c) => Math.fround(v + moved[c])));
  assert.deepEqual(out.groups[0], [1, Math.sqrt(1.25), 1]);
  // row 3: x 4, slack 1, keys 0, -0.5, 0, 1, 0 -> sqrt 3, sqrt 2.5, sqrt 3, 2, sqrt 3
  const lo3 = [Math.sqrt(3), Math.sqrt(2.5), Math.sqrt(3), 2, Math.sqrt(3)];
  assert.deepEqual(out.low[3], lo3.map((v, c) => Math.fround(v + moved[c])));
  assert.deepEqual(out.groups[3], [Math.sqrt(2.5), Math.sqrt(3), Math.sqrt(3)]);
  // a negative value under the root is 0 (row 1, x 2, centre 4: 2 + 3 - 0 > 0; make one: key -3 on a row with x 2)
  const neg = runKernels(createDotKernel(), [[2.5, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], norms, moved, [2, 0, 0, 0, 0, 0, 0, 0], 1, 2);
  assert.equal(neg.low[0][0], 0); // 2 + 1 - 5 < 0
  assert.equal(neg.groups[0][0], 0);
});

test('nearest4 and bounds4 = the float64 JavaScript, bit for bit: LFW, the first 2,000 faces x 203 centres', { skip }, async () => {
  const ds = await loadPrecomputedEmbeddings({ limit: 2000 });
  const x = ds.embeddings;
  const n = x.length;
  const d = x[0].length;
  const k = 203; // not a multiple of 4 nor of the group
  const group = 16;
  const centres = Array.from({ length: k }, (_, c) => x[(c * 37) % n]);
  const norms = centres.map((c) => c.reduce((s, v) => s + v * v, 0));
  const moved = Array.from({ length: k }, (_, c) => (c % 7) * 0.01);
  const storeLow = 1 - 2 ** -20;
  const kernel = createDotKernel();
  let checked = 0;
  for (let i0 = 0; i0 + 4 <= n; i0 += 4) {
    // dots in float32, as the dot kernel gives them (any float32 values serve the comparison)
    const dots = [0, 1, 2, 3].map((r) => centres.map((c) => Math.fround(c.reduce((s, v, t) => s + v * x[i0 + r][t], 0))));
    const xs = [0, 1, 2, 3].map((r) => x[i0 + r].reduce((s, v) => s + v * v, 0));
    const slacks = xs.map((v) => 4 * (d * 2 ** -24 + 2 ** -22) * (v + 2));
    const out = runKernels(kernel, dots, norms, moved, [...xs, ...slacks], storeLow, group);
    for (let r = 0; r < 4; r++) {
      let best = -1, bestKey = Infinity;
      const keys = norms.map((nc, c) => nc - 2 * dots[r][c]);
      keys.forEach((key, c) => { if (key < bestKey) { bestKey = key; best = c; } });
      const second = Math.min(...keys.filter((_, c) => c !== best));
      assert.equal(out.best[r], best);
      assert.ok(Object.is(out.bestKey[r], bestKey));
      assert.ok(Object.is(out.second[r], second));
      const lo = norms.map((nc, c) => Math.sqrt(Math.max(0, xs[r] + nc - 2 * dots[r][c] - slacks[r])));
      assert.deepEqual(out.low[r], lo.map((v, c) => Math.fround((v + moved[c]) * storeLow)));
      assert.deepEqual(out.groups[r], Array.from({ length: Math.ceil(k / group) }, (_, g) => Math.min(...lo.slice(g * group, g * group + group))));
      checked++;
    }
  }
  assert.equal(checked, n - (n % 4));
});

test('kernelReuser: a call gets back the kernels of the last one, zeroed up to what it ensures', () => {
  let made = 0;
  const reuser = kernelReuser(() => { made++; return createDotKernel(); }, 1 << 20);
  reuser.begin();
  const a = reuser.next();
  a.ensure(300_000);
  a.f32().fill(7);
  reuser.next().f32().fill(7);
  reuser.end();
  reuser.begin();
  const b = reuser.next();
  assert.equal(made, 2);
  assert.ok(b.f32().subarray(0, 65536 / 4).every((v) => v === 0), 'first page zeroed');
  b.ensure(200_000);
  assert.ok(b.f32().subarray(0, 200_000 / 4).every((v) => v === 0), 'zeroed up to the ensured bytes');
  b.f32()[0] = 1;
  b.ensure(100_000); // a smaller ensure in the same call keeps what the call wrote
  assert.equal(b.f32()[0], 1);
  reuser.end();
  // a kernel that grew past the limit is let go after the call: the next call gets the other one, then a fresh one
  reuser.begin();
  reuser.next().ensure(2 << 20);
  reuser.end();
  reuser.begin();
  assert.ok(reuser.next().f32().byteLength <= 1 << 20);
  assert.equal(made, 2);
  assert.equal(reuser.next().f32().byteLength, 65536);
  assert.equal(made, 3);
});

test('shared: a given-back buffer is handed out again, zeroed; a small or much larger one is not', () => {
  const a = shared(Float64Array, 300_000);
  a.fill(3);
  releaseShared(a);
  const b = shared(Float32Array, 500_000); // 2 MB of the 2.4 MB buffer
  assert.equal(b.buffer, a.buffer);
  assert.equal(b.length, 500_000);
  assert.ok(b.every((v) => v === 0));
  const c = shared(Float32Array, 500_000); // the spare is taken
  assert.notEqual(c.buffer, a.buffer);
  releaseShared(c);
  assert.notEqual(shared(Float32Array, 100_000).buffer, c.buffer); // 0.4 MB from a 2 MB spare: too large a spare
});

test('dots4i16: exact integer dot products of int16 rows, 4 rows against an odd run, at the largest values the exact radius search uses (no overflow)', () => {
  const kernel = createDotKernel();
  for (const [dp, n] of [[512, 7], [136, 2], [8, 1]] as const) {
    const q = Math.floor(Math.sqrt((2 ** 31 - 1) / dp)); // as _radius-between.ts scales its codes
    const a = 0;
    const b = 4 * dp * 2;
    const out = b + n * dp * 2;
    kernel.ensure(out + 16 * n);
    const m16 = new Int16Array(kernel.f32().buffer);
    let s: number = dp;
    const next = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s; };
    // rows 0 and j = 0: every value +q (the largest sum); the rest at random in [-q, q]
    for (let i = 0; i < 4 * dp; i++) m16[i] = i < dp ? q : (next() % (2 * q + 1)) - q;
    for (let i = 0; i < n * dp; i++) m16[b / 2 + i] = i < dp ? q : (next() % (2 * q + 1)) - q;
    kernel.dots4i16(a, b, n, dp, out);
    const got = new Int32Array(kernel.f32().buffer);
    for (let j = 0; j < n; j++) {
      for (let r = 0; r < 4; r++) {
        let e = 0;
        for (let t = 0; t < dp; t++) e += m16[r * dp + t] * m16[b / 2 + j * dp + t];
        assert.equal(got[out / 4 + 4 * j + r], e, `dp ${dp}, row ${r}, column ${j}`);
      }
    }
    assert.equal(got[out / 4], dp * q * q);
  }
});
