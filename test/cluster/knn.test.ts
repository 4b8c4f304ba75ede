/** The shared neighbour kernel (_knn.ts) against brute force, and the union-find kernel. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toMatrix, rowDistance, Random } from '../../lib/cluster/_input.ts';
import { knnExact, knnHnsw, radiusNeighbors, condensedDistances } from '../../lib/cluster/_knn.ts';
import { UnionFind, connectedComponents } from '../../lib/cluster/_graph.ts';
import type { Metric } from '../../lib/types.ts';

function randomRows(n: number, d: number, seed: number): Float32Array[] {
  const rng = new Random(seed);
  const x = Array.from({ length: n }, () => Float32Array.from({ length: d }, () => rng.normal()));
  // exact duplicates and a row of 4-aligned + odd dimension handling are covered by d = 7
  x[5] = Float32Array.from(x[3]);
  x[9] = Float32Array.from(x[3]);
  return x;
}

for (const metric of ['euclidean', 'cosine'] as Metric[]) {
  test(`knnExact (${metric}) equals brute force, ties by index, self excluded, duplicates kept`, () => {
    const x = randomRows(157, 7, 1); // n not a multiple of 4, d not a multiple of 4
    const m = toMatrix('t', x, metric);
    const k = 6;
    const g = knnExact(m, k, metric);
    for (let i = 0; i < m.n; i++) {
      const all = Array.from({ length: m.n }, (_, j) => j).filter((j) => j !== i)
        .map((j) => ({ j, d: rowDistance(m, i, j, metric) }))
        .sort((a, b) => a.d - b.d || a.j - b.j).slice(0, k);
      assert.deepEqual(Array.from(g.indices.subarray(i * k, i * k + k)), all.map((a) => a.j), `row ${i}`);
      all.forEach((a, t) => assert.ok(Math.abs(g.distances[i * k + t] - a.d) < 1e-6));
    }
    // duplicates: 3, 5 and 9 are each other's nearest at distance 0
    assert.deepEqual(Array.from(g.indices.subarray(3 * k, 3 * k + 2)), [5, 9]);
    assert.ok(g.distances[3 * k] < 1e-6); // 0 up to the float32 rounding of unit rows (cosine)
  });

  test(`radiusNeighbors (${metric}) equals brute force, inclusive and strict`, () => {
    const x = randomRows(90, 5, 2);
    const m = toMatrix('t', x, metric);
    const r = metric === 'euclidean' ? 2.2 : 0.5;
    for (const strict of [false, true]) {
      const nb = radiusNeighbors(m, r, metric, strict);
      for (let i = 0; i < m.n; i++) {
        const want = [];
        for (let j = 0; j < m.n; j++) if (j !== i && (strict ? rowDistance(m, i, j, metric) < r : rowDistance(m, i, j, metric) <= r)) want.push(j);
        const got = Array.from(nb.indices.subarray(nb.offsets[i], nb.offsets[i + 1])).sort((a, b) => a - b);
        assert.deepEqual(got, want, `row ${i}`);
      }
    }
  });
}

test('radiusNeighbors decides an exact boundary like scikit-learn (<= eps), not by float32 dot products', () => {
  // points 1 apart exactly: inclusive finds the pair, strict does not
  const m = toMatrix('t', [Float32Array.of(0.5, 0.25), Float32Array.of(1.5, 0.25), Float32Array.of(3, 3)]);
  assert.deepEqual(Array.from(radiusNeighbors(m, 1, 'euclidean').indices), [1, 0]);
  assert.equal(radiusNeighbors(m, 1, 'euclidean', true).indices.length, 0);
});

test('condensedDistances matches direct distances in scipy pdist order', () => {
  const x = randomRows(12, 3, 4);
  const m = toMatrix('t', x);
  const c = condensedDistances(m, 'euclidean');
  let e = 0;
  for (let i = 0; i < 12; i++) for (let j = i + 1; j < 12; j++) assert.ok(Math.abs(c[e++] - rowDistance(m, i, j, 'euclidean')) < 1e-12);
});

function clusteredRows(unit: boolean): Float32Array[] {
  const rng = new Random(5);
  const centres = Array.from({ length: 20 }, () => Array.from({ length: 16 }, () => rng.normal()));
  return Array.from({ length: 600 }, (_, i) => {
    const v = Float32Array.from(centres[i % 20], (c) => c + 0.3 * rng.normal());
    const norm = unit ? Math.hypot(...v) : 1;
    return v.map((t) => t / norm);
  });
}

// usearch: int8 vectors for unit rows (cosine order), bf16 otherwise; hnswlib: float32, seeded
for (const [engine, unit, want] of [['hnswlib', false, 'hnswlib'], ['usearch', false, 'usearch bf16'], ['usearch', true, 'usearch i8']] as const) {
  test(`knnHnsw (${want}${unit ? ', unit rows' : ''}): high recall against exact search, exact distances in order, self excluded, same graph twice on one thread`, () => {
    const m = toMatrix('t', clusteredRows(unit));
    const k = 10;
    const exact = knnExact(m, k, 'euclidean');
    const approx = knnHnsw(m, k, 'euclidean', { seed: 1, engine, threads: 1 });
    assert.equal(approx.engine, want);
    assert.equal(approx.warning, undefined);
    let hit = 0;
    for (let i = 0; i < m.n; i++) {
      const s = new Set(exact.indices.subarray(i * k, i * k + k));
      for (let t = 0; t < k; t++) {
        const j = approx.indices[i * k + t];
        assert.notEqual(j, i);
        if (s.has(j)) hit++;
        assert.ok(Math.abs(approx.distances[i * k + t] - rowDistance(m, i, j, 'euclidean')) < 1e-5, `row ${i}: distance of ${j}`);
        if (t > 0) assert.ok(approx.distances[i * k + t] >= approx.distances[i * k + t - 1]);
      }
    }
    assert.ok(hit / (m.n * k) > 0.9, `recall ${hit / (m.n * k)}`);
    assert.deepEqual(knnHnsw(m, k, 'euclidean', { seed: 1, engine, threads: 1 }).indices, approx.indices);
  });
}

test('union-find / connected components: hand-worked', () => {
  // edges 0-1, 1-2, 4-5 over 7 nodes -> {0,1,2} {3} {4,5} {6}, numbered by smallest member
  const c = connectedComponents(7, [0, 1, 4], [1, 2, 5]);
  assert.deepEqual(Array.from(c.labels), [0, 0, 0, 1, 2, 2, 3]);
  assert.equal(c.count, 4);
  const uf = new UnionFind(3);
  assert.ok(uf.union(0, 2) >= 0);
  assert.equal(uf.union(2, 0), -1); // already joined
});

test('knnHnsw (usearch): a last search block of one row (n = 65,537) gets its neighbours (one query returns no counts)', () => {
  const n = 65_537, d = 8;
  let s = 1;
  const r = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const x = Array.from({ length: n }, () => { const v = Float32Array.from({ length: d }, r); const l = Math.hypot(...v); return v.map((t) => t / l); });
  const g = knnHnsw(toMatrix('t', x), 4, 'euclidean', { engine: 'usearch' });
  const last = Array.from(g.indices.subarray((n - 1) * 4, n * 4));
  assert.ok(last.every((j) => j >= 0 && j < n - 1), `last row: ${last}`);
  // they are near: within the 1% nearest distances of that row (exact check on the first neighbour)
  const dist = (i: number, j: number) => Math.hypot(...x[i].map((v, t) => v - x[j][t]));
  const all = Array.from({ length: n - 1 }, (_, j) => dist(n - 1, j)).sort((a, b) => a - b);
  assert.ok(dist(n - 1, last[0]) <= all[Math.floor(0.01 * n)], `first neighbour at ${dist(n - 1, last[0])}`);
});
