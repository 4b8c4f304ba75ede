/**
 * The thread pool (_threads.ts) and the kernels on it: the same output for 1, 2 and 3 threads (toy rows and LFW's
 * face-api embeddings), chunk results in chunk order, a worker's error reaching the caller, workers taking part.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { configureThreads, runTask, shared, splitRows, threadCount, type ThreadTask } from '../../lib/cluster/_threads.ts';
import { knnExact, radiusNeighbors, rowsWithinRadius } from '../../lib/cluster/_knn.ts';
import { Random, toMatrix } from '../../lib/cluster/_input.ts';
import { dbscan } from '../../lib/cluster/dbscan.ts';
import { kmeans } from '../../lib/cluster/kmeans.ts';
import { affinityPropagation } from '../../lib/cluster/affinity-propagation.ts';
import { clusterAuto } from '../../lib/cluster/auto.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';

const file = precomputedEmbeddingsPath();
const skip = existsSync(file) ? false : `LFW embeddings not found at ${file} (set FACECLUSTER_DATA)`;
after(() => configureThreads(null));

function randomRows(n: number, d: number, seed: number): Float32Array[] {
  const rng = new Random(seed);
  const x = Array.from({ length: n }, () => Float32Array.from({ length: d }, () => rng.normal()));
  x[7] = Float32Array.from(x[2]); // an exact duplicate: ties by index
  return x;
}

/** Everything a kernel returns, as one comparable value per thread count. */
function eachThreads<T>(threads: number[], run: () => T): T[] {
  return threads.map((t) => {
    configureThreads(t);
    return run();
  });
}

interface Args { seen: Int32Array; fail: number; wait: boolean }
/**
 * Chunk c returns c * c; chunk `fail` throws; with `wait`, chunk 0 waits (10 s at most) until another thread has
 * started a chunk, so that a worker surely takes part.
 */
const TOY: ThreadTask<Args, { mine: number }, number, number> = {
  name: 'threadsTestToy',
  setup: () => ({ mine: 0 }),
  chunk: (a, s, c) => {
    Atomics.add(a.seen, 0, 1);
    if (c === 0 && a.wait) for (let t = 0; t < 1000 && Atomics.load(a.seen, 0) < 2; t++) Atomics.wait(a.seen, 1, 0, 10);
    if (c === a.fail) throw new Error(`chunk ${c} failed on purpose`);
    s.mine++;
    return c * c;
  },
  finish: (_a, s) => s.mine,
};

test('runTask: results in chunk order, every chunk done once, a worker takes part (2 threads)', () => {
  configureThreads(2);
  const seen = shared(Int32Array, 2);
  const run = runTask(TOY, { seen, fail: -1, wait: true }, 20);
  assert.deepEqual(run.chunks, Array.from({ length: 20 }, (_, c) => c * c));
  // chunk 0 waited for a second thread: both took part, and their counts add up to the chunks
  assert.equal(run.threads, 2);
  assert.equal(run.finals.reduce((a, b) => a + b, 0), 20);
});

test('runTask: one thread does every chunk itself; an error in a chunk reaches the caller', () => {
  configureThreads(1);
  const run = runTask(TOY, { seen: shared(Int32Array, 2), fail: -1, wait: false }, 3);
  assert.deepEqual(run.chunks, [0, 1, 4]);
  assert.deepEqual(run.finals, [3]);
  for (const t of [1, 2]) {
    configureThreads(t);
    // chunk 0 lets the others start once a second chunk is seen; chunk 5 throws on whichever thread takes it
    assert.throws(() => runTask(TOY, { seen: shared(Int32Array, 2), fail: 5, wait: t > 1 }, 12), /chunk 5 failed on purpose/);
  }
  // the pool still works after a failed call
  configureThreads(2);
  assert.deepEqual(runTask(TOY, { seen: shared(Int32Array, 2), fail: -1, wait: true }, 4).chunks, [0, 1, 4, 9]);
});

test('threadCount: configureThreads, else FACECLUSTER_THREADS; bad values rejected', () => {
  configureThreads(3);
  assert.equal(threadCount(), 3);
  configureThreads(null);
  const before = process.env.FACECLUSTER_THREADS;
  process.env.FACECLUSTER_THREADS = '1';
  assert.equal(threadCount(), 1);
  if (before === undefined) delete process.env.FACECLUSTER_THREADS;
  else process.env.FACECLUSTER_THREADS = before;
  assert.throws(() => configureThreads(0), /threads must be an integer >= 1 or null, got 0/);
});

test('splitRows: runs start at multiples of 4, cover 0 .. n, depend on n and parts only', () => {
  assert.deepEqual(Array.from(splitRows(10, 4)), [0, 4, 8, 10]);
  assert.deepEqual(Array.from(splitRows(3, 8)), [0, 3]);
  assert.deepEqual(Array.from(splitRows(0, 8)), [0, 0]);
  const b = splitRows(1000, 16, (i) => 1000 - i);
  assert.equal(b[0], 0);
  assert.equal(b[b.length - 1], 1000);
  for (let c = 1; c < b.length - 1; c++) assert.ok(b[c] % 4 === 0 && b[c] > b[c - 1]);
  // triangular work: the first run is the shortest
  assert.ok(b[1] - b[0] < b[b.length - 1] - b[b.length - 2]);
});

test('pair kernels: the same neighbours, distances and order for 1, 2 and 3 threads (toy rows)', () => {
  const x = randomRows(611, 7, 3); // n and d not multiples of 4
  for (const metric of ['euclidean', 'cosine'] as const) {
    const m = toMatrix('t', x, metric);
    const knn = eachThreads([1, 2, 3], () => knnExact(m, 9, metric));
    assert.deepEqual(knn[1], knn[0]);
    assert.deepEqual(knn[2], knn[0]);
    const nb = eachThreads([1, 2, 3], () => radiusNeighbors(m, metric === 'euclidean' ? 2.5 : 0.4, metric));
    assert.ok(nb[0].indices.length > 1000, `${nb[0].indices.length} neighbour entries`);
    assert.deepEqual(nb[1], nb[0]);
    assert.deepEqual(nb[2], nb[0]);
  }
  const m = toMatrix('t', x);
  const rows = Int32Array.from({ length: 150 }, (_, r) => (r * 7) % 611);
  const hits = eachThreads([1, 2, 3], () => {
    const out: number[] = [];
    rowsWithinRadius(m, rows, 2.5, (r, j, dist) => out.push(r, j, dist));
    return out;
  });
  assert.ok(hits[0].length > 300);
  assert.deepEqual(hits[1], hits[0]);
  assert.deepEqual(hits[2], hits[0]);
  // in batches of 16 query rows (10 runs, the last of 6 rows): the same hits, in the same order
  const batched: number[] = [];
  rowsWithinRadius(m, rows, 2.5, (r, j, dist) => batched.push(r, j, dist), 16 * 611);
  assert.deepEqual(batched, hits[0]);
});

test('LFW, the first 3,000 faces: DBSCAN, k-means, affinity propagation and clusterAuto give the same output for 1, 2 and 3 threads', { skip }, async () => {
  const x = (await loadPrecomputedEmbeddings({ limit: 3000 })).embeddings;
  assert.ok(x.length >= 2000, `${x.length} faces`);
  const db = eachThreads([1, 2, 3], () => dbscan(x, { eps: 0.44, minSamples: 2 }));
  assert.ok(db[0].nClusters > 50, `${db[0].nClusters} clusters`);
  assert.deepEqual(db[1], db[0]);
  assert.deepEqual(db[2], db[0]);
  const init = Array.from({ length: 150 }, (_, c) => Float32Array.from(x[(c * 37) % x.length]));
  const km = eachThreads([1, 2, 3], () => kmeans(x, { nClusters: 150, init }));
  assert.ok(km[0].nIter > 3, `${km[0].nIter} iterations`);
  assert.deepEqual(km[1], km[0]);
  assert.deepEqual(km[2], km[0]);
  const ap = eachThreads([1, 2, 3], () => affinityPropagation(x.slice(0, 1500)));
  assert.ok(ap[0].nClusters > 50 && ap[0].nIter > 20, `${ap[0].nClusters} clusters in ${ap[0].nIter} iterations`);
  assert.deepEqual(ap[1], ap[0]);
  assert.deepEqual(ap[2], ap[0]);
  const auto = eachThreads([1, 2], () => clusterAuto(x.slice(0, 1500)));
  assert.deepEqual(auto[1].labels, auto[0].labels);
  assert.equal(auto[1].nClusters, auto[0].nClusters);
});
