import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { verificationAccuracy, loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/index.ts';

const f = (...xs: number[]) => Float32Array.from(xs);
const close = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('verificationAccuracy: hand-worked 1-D euclidean case', () => {
  // Points on a line: A at 0 and 1, B at 3 and 3.5, C at 1.8.
  // Same pairs: |0-1| = 1, |3-3.5| = 0.5. Different pairs: 0.8 1.2 1.7 1.8 2 2.5 3 3.5.
  // Sorted: 0.5S 0.8D 1S 1.2D ... Reject all: 8/10. Accept <= 0.5: 9/10. <= 0.8: 8/10. <= 1: 9/10 (tie, the
  // smaller threshold is kept), so accuracy 0.9 at (0.5 + 0.8) / 2 = 0.65.
  // Balanced: <= 0.5: (1/2 + 8/8)/2 = 0.75; <= 1: (2/2 + 7/8)/2 = 0.9375 (best), threshold (1 + 1.2)/2 = 1.1.
  const r = verificationAccuracy([f(0), f(1), f(3), f(3.5), f(1.8)], ['A', 'A', 'B', 'B', 'C']);
  assert.equal(r.nSamePairs, 2);
  assert.equal(r.nDifferentPairs, 8);
  close(r.accuracy, 0.9, 1e-12);
  close(r.threshold, 0.65);
  close(r.balancedAccuracy, 0.9375, 1e-12);
  close(r.balancedThreshold, 1.1);
});

test('verificationAccuracy: cosine, tied distances are cut together', () => {
  // x: [1,0] and [2,0] (cosine distance 0); y: [0,1] and [1,1].
  // Same: 0 (x pair), 1 - 1/sqrt2 = 0.2929 (y pair). Different: [1,0]/[0,1] = 1, [2,0]/[0,1] = 1, and both x's to
  // [1,1] = 0.2929. Groups: 0 (1S) | 0.2929 (1S, 2D) | 1 (2D).
  // Reject all 4/6; accept <= 0: 5/6 (best); accept <= 0.2929: 4/6. Threshold (0 + 0.2929) / 2.
  const r = verificationAccuracy([f(1, 0), f(2, 0), f(0, 1), f(1, 1)], [7, 7, 9, 9], { metric: 'cosine' });
  close(r.accuracy, 5 / 6, 1e-12);
  close(r.threshold, (1 - Math.SQRT1_2) / 2);
  // Balanced: <= 0: (1/2 + 1)/2 = 0.75; <= 0.2929: (1 + 2/4)/2 = 0.75 (tie, smaller kept).
  close(r.balancedAccuracy, 0.75, 1e-12);
  close(r.balancedThreshold, (1 - Math.SQRT1_2) / 2);
  // The same points under euclidean give a different answer, so the metric option is used.
  const e = verificationAccuracy([f(1, 0), f(2, 0), f(0, 1), f(1, 1)], [7, 7, 9, 9]);
  // Euclidean: same 1 (x), 1 (y); different sqrt2, sqrt5, 1, sqrt2. Accept <= 1: 2S + 3D right = 5/6.
  close(e.accuracy, 5 / 6, 1e-12);
  close(e.threshold, (1 + Math.SQRT2) / 2);
});

test('verificationAccuracy: perfectly separable labels give accuracy 1 with a threshold in the gap', () => {
  const r = verificationAccuracy([f(0), f(0.1), f(10), f(10.2)], ['a', 'a', 'b', 'b']);
  assert.equal(r.accuracy, 1);
  assert.equal(r.balancedAccuracy, 1);
  // Largest same distance 0.2, smallest different 10 - 0.1 = 9.9: threshold (0.2 + 9.9) / 2 = 5.05.
  close(r.threshold, 5.05, 1e-5);
});

test('verificationAccuracy: degenerate inputs', () => {
  // n = 0 and n = 1: no pairs, nothing to measure.
  for (const r of [verificationAccuracy([], []), verificationAccuracy([f(1)], ['a'])]) {
    assert.ok(Number.isNaN(r.accuracy));
    assert.equal(r.nSamePairs + r.nDifferentPairs, 0);
  }
  // Only different pairs: rejecting everything is right; balanced accuracy is undefined.
  const d = verificationAccuracy([f(0), f(1)], ['a', 'b']);
  assert.equal(d.accuracy, 1);
  assert.equal(d.threshold, -Infinity);
  assert.ok(Number.isNaN(d.balancedAccuracy));
  // Only same pairs: accepting everything is right; threshold is the largest distance.
  const s = verificationAccuracy([f(0), f(1), f(3)], ['a', 'a', 'a']);
  assert.equal(s.accuracy, 1);
  assert.equal(s.threshold, 3);
});

test('verificationAccuracy: does not modify its input', () => {
  const x = [f(3, 4), f(0, 1), f(1, 0)];
  const copy = x.map((v) => Float32Array.from(v));
  verificationAccuracy(x, [1, 1, 2], { metric: 'cosine' });
  assert.deepEqual(x, copy);
});

test('verificationAccuracy: bad arguments', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => verificationAccuracy([f(1)], ['a'], { metric: 'manhattan' as never }), /^verificationAccuracy: metric must be one of "euclidean", "cosine", got "manhattan"\.$/],
    [() => verificationAccuracy([f(1)], ['a'], { threshold: 1 } as never), /^verificationAccuracy: unknown option "threshold"; valid options are metric\.$/],
    [() => verificationAccuracy([f(1), f(2)], ['a']), /^verificationAccuracy: labels must have one entry per embedding \(2\), got length 1\.$/],
    [() => verificationAccuracy([f(1), f(2, 3)], ['a', 'b']), /^verificationAccuracy: embeddings must all have the same length \(1\), got length 2 at index 1\.$/],
  ];
  for (const [call, message] of cases) assert.throws(call, { message });
});

test('verificationAccuracy on 1,500 LFW photos (when present): face-api separates identities well', { skip: !existsSync(precomputedEmbeddingsPath()) && 'LFW embeddings absent' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 1500 });
  const r = verificationAccuracy(d.embeddings, d.labels);
  // face-api's documented match threshold is 0.6 (euclidean); the best threshold should be near it.
  assert.ok(r.threshold > 0.4 && r.threshold < 0.7, `threshold ${r.threshold}`);
  assert.ok(r.balancedAccuracy > 0.95, `balanced ${r.balancedAccuracy}`);
  assert.ok(r.accuracy > 0.99, `accuracy ${r.accuracy}`);
  assert.ok(r.nSamePairs > 1000);
});
