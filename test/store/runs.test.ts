import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateClustering, listRuns, readRun, writeRun } from '../../lib/index.ts';

function tempStore() {
  const dir = mkdtempSync(join(tmpdir(), 'fc-runs-'));
  writeFileSync(join(dir, 'faces.arrow'), 'the store\'s own data'); // stands for the store's files: left alone
  return dir;
}

test('writeRun then readRun gives back labels, face ids, parameters and metrics', async () => {
  const store = tempStore();
  try {
    const labels = Int32Array.from([0, 0, 1, -1, 1]);
    const metrics = evaluateClustering(labels, ['a', 'a', 'b', 'c', 'b']);
    const written = await writeRun(store, {
      method: 'dbscan', parameters: { eps: 0.42, minSamples: 2 }, labels, faceIds: ['f0', 'f1', 'f2', 'f3', 'f4'],
      metrics, seconds: 0.25, input: '/photos',
    });
    assert.match(written.id, /^\d{8}T\d{6}Z-dbscan$/);
    // 2 clusters, 1 noise point
    assert.equal(written.nClusters, 2);
    assert.equal(written.nNoise, 1);
    const back = await readRun(store, written.id);
    assert.deepEqual([...back.labels], [0, 0, 1, -1, 1]);
    assert.ok(back.labels instanceof Int32Array);
    assert.deepEqual(back.faceIds, ['f0', 'f1', 'f2', 'f3', 'f4']);
    assert.deepEqual(back.parameters, { eps: 0.42, minSamples: 2 });
    assert.equal(back.n, 5);
    assert.equal(back.seconds, 0.25);
    assert.equal(back.input, '/photos');
    // Metrics round-trip, NaN included (c is the only one-face person and is alone: singletonShare 1;
    // majorityPurity is defined; force a NaN one below).
    assert.deepEqual(back.metrics, metrics);
    const nanRun = await writeRun(store, { method: 'kmeans', parameters: {}, labels: [0, 0], metrics: evaluateClustering([0, 0], ['a', 'a']) });
    assert.ok(Number.isNaN((await readRun(store, nanRun.id)).metrics!.singletonShare));
    // The store's own file is untouched, and runs live in runs/ only.
    assert.equal(readFileSync(join(store, 'faces.arrow'), 'utf8'), 'the store\'s own data');
    assert.deepEqual(readdirSync(store).sort(), ['faces.arrow', 'runs']);
  } finally { rmSync(store, { recursive: true, force: true }); }
});

test('listRuns lists runs oldest first; ids stay unique; "latest" reads the newest', async () => {
  const store = tempStore();
  try {
    assert.deepEqual(await listRuns(store), []);
    const a = await writeRun(store, { method: 'kmeans', parameters: { nClusters: 2 }, labels: [0, 1] });
    const b = await writeRun(store, { method: 'kmeans', parameters: { nClusters: 1 }, labels: [0, 0] });
    assert.notEqual(a.id, b.id); // same second, same method: suffixed
    const list = await listRuns(store);
    assert.deepEqual(list.map((r) => r.id), [a.id, b.id]);
    assert.equal((list[0] as { labels?: unknown }).labels, undefined); // metadata only
    assert.deepEqual((await readRun(store, 'latest')).parameters, { nClusters: 1 });
    assert.equal((await readRun(store, 'latest')).faceIds, undefined);
    // A half-written run (temporary folder) is not listed.
    mkdirSync(join(store, 'runs', '.x.tmp'));
    assert.equal((await listRuns(store)).length, 2);
  } finally { rmSync(store, { recursive: true, force: true }); }
});

test('runs: bad arguments', async () => {
  const store = tempStore();
  try {
    const cases: [() => Promise<unknown>, string | RegExp][] = [
      [() => writeRun(join(store, 'nope'), { method: 'dbscan', parameters: {}, labels: [0] }), `writeRun: storeDir must be an existing store folder, got ${JSON.stringify(join(store, 'nope'))}.`],
      [() => writeRun(store, { method: '../x', parameters: {}, labels: [0] }), 'writeRun: run.method must be a method name (lowercase letters, digits, -), got "../x".'],
      [() => writeRun(store, { method: 'dbscan', parameters: {}, labels: [0, 1.5] }), 'writeRun: run.labels[1] must be an integer >= -1, got 1.5.'],
      [() => writeRun(store, { method: 'dbscan', parameters: {}, labels: [0, -3] }), 'writeRun: run.labels[1] must be an integer >= -1, got -3.'],
      [() => writeRun(store, { method: 'dbscan', parameters: {}, labels: [0], faceIds: ['a', 'b'] }), 'writeRun: run.faceIds must have one id per label (1), got length 2.'],
      [() => readRun(store, '../../etc'), 'readRun: id must be a run id (see listRuns) or "latest", got "../../etc".'],
      [() => readRun(store, 'latest'), `readRun: the store ${JSON.stringify(store)} has no runs yet.`],
      [() => readRun(store, 'x1'), 'readRun: id must be one of the store\'s runs (none), got "x1".'],
    ];
    for (const [call, message] of cases) await assert.rejects(call(), { message });
    assert.ok(!existsSync(join(store, '..', 'x')));
  } finally { rmSync(store, { recursive: true, force: true }); }
});
