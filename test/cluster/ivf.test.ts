/**
 * The inverted-file neighbour search (_ivf.ts): exact when every cell is probed, the same graph on one thread or two,
 * balanced cells on unit rows (no cell swallowing the rows near no centre), most same-identity neighbours found with
 * the default probes, and `knn('auto')` using it above 50,000 points.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ivfCandidates } from '../../lib/cluster/_ivf.ts';
import { knn, knnExact, knnIvf, KNN_AUTO_APPROXIMATE_ABOVE } from '../../lib/cluster/_knn.ts';
import { Random, type Matrix } from '../../lib/cluster/_input.ts';
import { configureThreads } from '../../lib/cluster/_threads.ts';

after(() => configureThreads(null));

/** `ids` identities on the unit sphere in `d` dimensions, 1 to 9 faces each (seeded), as the benches' synthetic faces. */
function sphereFaces(ids: number, d: number, sigma: number, seed: number): { m: Matrix; labels: Int32Array } {
  const rng = new Random(seed);
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let id = 0; id < ids; id++) {
    const c = Array.from({ length: d }, () => rng.normal());
    const cn = Math.hypot(...c);
    const size = 1 + rng.nextInt(9);
    for (let r = 0; r < size; r++) {
      const v = c.map((x) => x / cn + sigma * rng.normal());
      const vn = Math.hypot(...v);
      rows.push(v.map((x) => x / vn));
      labels.push(id);
    }
  }
  const data = new Float32Array(rows.length * d);
  rows.forEach((r, i) => data.set(r, i * d));
  return { m: { data, n: rows.length, d }, labels: Int32Array.from(labels) };
}

test('knnIvf: every cell probed is the exact search (the k kept ranked by exact distance)', () => {
  const { m } = sphereFaces(300, 32, 0.05, 1);
  const exact = knnExact(m, 8, 'euclidean');
  const ivf = knnIvf(m, 8, 'euclidean', { cells: 12, probe: 12 });
  let same = 0;
  for (let i = 0; i < m.n; i++) {
    const a = exact.distances.subarray(i * 8, i * 8 + 8), b = ivf.distances.subarray(i * 8, i * 8 + 8);
    // int16 codes choose the candidates: a swap at the 8th place only between near-equal distances
    for (let t = 0; t < 8; t++) assert.ok(Math.abs(a[t] - b[t]) < 2e-3, `row ${i}, place ${t}: ${b[t]} vs exact ${a[t]}`);
    if (exact.indices.subarray(i * 8, i * 8 + 8).every((j, t) => j === ivf.indices[i * 8 + t])) same++;
  }
  assert.ok(same >= 0.99 * m.n, `${same} of ${m.n} rows identical to the exact search`);
});

test('knnIvf: the same graph on one thread and on two', () => {
  const { m } = sphereFaces(400, 48, 0.05, 2);
  configureThreads(1);
  const one = knnIvf(m, 10, 'euclidean', { cells: 40, probe: 6 });
  configureThreads(2);
  const two = knnIvf(m, 10, 'euclidean', { cells: 40, probe: 6 });
  assert.deepEqual(two.indices, one.indices);
  assert.deepEqual(two.distances, one.distances);
});

test('ivfCandidates on unit rows: balanced cells, and the default probes find most same-identity neighbours', () => {
  // 512-d, as the default embedder's: near-orthogonal strangers, where the centres as points (not directions) made
  // a short centre the nearest of every row near no other (measured here: twice the candidates, a cell of 123 rows)
  const { m, labels } = sphereFaces(3000, 512, 0.025, 3);
  const c = ivfCandidates(m, 16);
  const share = m.n / c.cells;
  assert.ok(c.largestCell < 3 * share, `largest cell ${c.largestCell} rows, ${share.toFixed(0)} a cell on average`);
  assert.ok(c.candidatesPerRow < 1.25 * 32 * share, `${c.candidatesPerRow} candidates a row, ${(32 * share).toFixed(0)} if balanced`);
  const exact = knnExact(m, 16, 'euclidean');
  const g = knnIvf(m, 16, 'euclidean');
  let mates = 0, found = 0;
  for (let i = 0; i < m.n; i++) {
    const got = new Set(g.indices.subarray(i * 16, i * 16 + 16));
    for (const j of exact.indices.subarray(i * 16, i * 16 + 16)) if (j >= 0 && labels[j] === labels[i]) { mates++; if (got.has(j)) found++; }
  }
  assert.ok(mates > 1000, `${mates} same-identity neighbours`);
  assert.ok(found >= 0.95 * mates, `${found} of ${mates} same-identity neighbours found`);
});

test("knn 'auto': exact up to KNN_AUTO_APPROXIMATE_ABOVE points, the inverted file above", () => {
  const d = 8;
  const n = KNN_AUTO_APPROXIMATE_ABOVE + 1;
  const rng = new Random(4);
  const data = Float32Array.from({ length: n * d }, () => rng.normal());
  const big = knn({ data, n, d }, 4, 'euclidean', 'auto');
  assert.match(big.engine ?? '', /^ivf/);
  const small = knn({ data: data.subarray(0, 200 * d), n: 200, d }, 4, 'euclidean', 'auto');
  assert.equal(small.engine, undefined, 'exact: no engine named');
  assert.deepEqual(small.indices, knnExact({ data: data.subarray(0, 200 * d), n: 200, d }, 4, 'euclidean').indices);
});
