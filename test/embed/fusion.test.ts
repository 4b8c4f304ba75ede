import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuseEmbeddings, fusionParts } from '../../lib/embed/fusion.ts';

const close = (a: ArrayLike<number>, b: number[]) => b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 1e-6, `[${i}] ${a[i]} vs ${v}`));

test('fuseEmbeddings: parts normalised, weighted, concatenated, unit length (worked by hand)', () => {
  // a = (3, 4) -> (0.6, 0.8); b = (2, 0) -> (1, 0); equal weights: each part scaled by 1/sqrt(2)
  const s = Math.SQRT1_2;
  const [f] = fuseEmbeddings([[Float32Array.of(3, 4)], [Float32Array.of(2, 0)]]);
  close(f, [0.6 * s, 0.8 * s, s, 0]);
  // weights 3 and 4: parts scaled by 3/5 and 4/5
  const [g] = fuseEmbeddings([[Float32Array.of(3, 4)], [Float32Array.of(2, 0)]], [3, 4]);
  close(g, [0.36, 0.48, 0.8, 0]);
  // cosine of fused vectors = weighted mean of the parts' cosines: parts at cos 0 and cos 1 -> 1/2
  const [x, y] = fuseEmbeddings([[Float32Array.of(1, 0), Float32Array.of(0, 1)], [Float32Array.of(1, 0), Float32Array.of(1, 0)]]);
  assert.ok(Math.abs(x.reduce((t, v, i) => t + v * y[i], 0) - 0.5) < 1e-6);
});

test('fuseEmbeddings: bad input names the parameter; input not modified', () => {
  const a = [Float32Array.of(3, 4)];
  fuseEmbeddings([a, a]);
  assert.deepEqual([...a[0]], [3, 4]);
  assert.throws(() => fuseEmbeddings([a]), /fuseEmbeddings: parts must hold at least 2 embedders' vectors, got 1\./);
  assert.throws(() => fuseEmbeddings([a, [a[0], a[0]]]), /fuseEmbeddings: parts\[1\] must have 1 vectors/);
  assert.throws(() => fuseEmbeddings([a, a], [1, 0]), /fuseEmbeddings: weights must be 2 finite numbers > 0, got \[1,0\]\./);
  assert.throws(() => fuseEmbeddings([a, [Float32Array.of(0, 0)]]), /parts\[1\]\[0\] must not be the zero vector/);
  assert.deepEqual(fusionParts('a+b'), ['a', 'b']);
  assert.deepEqual(fusionParts('a'), ['a']);
});
