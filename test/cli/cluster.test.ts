// `facecluster cluster`, spawned as a user runs it (node bin/facecluster.js), on a toy JSONL with tiny photos
// and (when present) a slice of the LFW embeddings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { precomputedEmbeddingsPath, readRun } from '../../lib/index.ts';
import { DBSCAN_DEFAULTS } from '../../lib/cluster/dbscan.ts';
import { makeToy, makeToyStore } from './_toy.ts';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/facecluster.js', 'cluster', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const files = (dir: string): string[] => readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)).map((f) => `${n}/${f}`) : [n])).sort();

test('cluster: prints the people found, the sizes and the metrics; --json parses', async () => {
  const t = await makeToy();
  try {
    const r = cli(t.jsonl, '--method', 'chinese-whispers', '--threshold', '0.5', '--photos', t.photos);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /: 11 faces\n/);
    assert.match(r.out, /Found 5 people \(clusters\) and 0 noise faces\./);
    assert.match(r.out, /Cluster sizes: 3 x3, 1 x2/);
    assert.match(r.out, /Metrics against the 5 known identities:/);
    assert.match(r.out, /BCubed precision \/ recall \/ F1 +1\.000 \/ 1\.000 \/ 1\.000/);
    assert.match(r.out, /one-face people left alone +1\.000/);
    const j = cli(t.jsonl, '--method', 'dbscan', '--eps', '0.5', '--json');
    assert.equal(j.code, 0, j.err);
    const o = JSON.parse(j.out);
    // DBSCAN (minSamples 2): the two one-photo people are noise.
    assert.equal(o.nClusters, 3);
    assert.equal(o.nNoise, 2);
    assert.deepEqual(o.clusterSizes, [3, 3, 3]);
    assert.equal(o.labels.length, 11);
    assert.equal(o.parameters.eps, 0.5);
    assert.equal(o.parameters.minSamples, 2); // the registry default fills in
    assert.equal(o.metrics.pairwiseF1, 1);
    assert.equal(o.metrics.bcubedRecall, 1); // noise faces are alone, and so are these people
    assert.equal(o.run, null); // JSONL input without --store: nothing recorded
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster --save writes folders only under DIR and never into the photo folder', async () => {
  const t = await makeToy();
  try {
    const before = files(t.photos);
    const out = join(t.root, 'people');
    const r = cli(t.jsonl, '--method', 'chinese-whispers', '--threshold', '0.5', '--photos', t.photos, '--save', out, '--crops');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /Saved 5 folders, 11 files, to /);
    assert.deepEqual(readdirSync(out).sort(), ['person-001', 'person-002', 'person-003', 'person-004', 'person-005']);
    assert.equal(readdirSync(join(out, 'person-001')).length, 3);
    assert.deepEqual(readdirSync(t.root).sort(), ['people', 'photos', 'toy.jsonl']); // nothing else written
    // --link, with pruning: the two one-photo people become noise.
    const linked = join(t.root, 'linked');
    const l = cli(t.jsonl, '--method', 'chinese-whispers', '--threshold', '0.5', '--photos', t.photos, '--save', linked, '--link', '--prune', '2');
    assert.equal(l.code, 0, l.err);
    assert.match(l.out, /Found 3 people \(clusters\) and 2 noise faces\./);
    assert.deepEqual(readdirSync(linked).sort(), ['noise', 'person-001', 'person-002', 'person-003']);
    // Inside the photo folder: refused (usage error, checked before clustering), nothing written there.
    const bad = cli(t.jsonl, '--method', 'dbscan', '--photos', t.photos, '--save', join(t.photos, 'out'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--save must not be inside the photo folder/);
    // A non-empty DIR: refused.
    const again = cli(t.jsonl, '--method', 'dbscan', '--photos', t.photos, '--save', out);
    assert.equal(again.code, 3);
    assert.match(again.err, /dir must be a new or empty folder/);
    assert.deepEqual(files(t.photos), before);
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster --save: photos that cannot be saved are listed and the exit code is 1', async () => {
  const t = await makeToy();
  try {
    rmSync(join(t.photos, 'Ann', 'Ann_0002.jpg'));
    const r = cli(t.jsonl, '--method', 'dbscan', '--eps', '0.5', '--photos', t.photos, '--save', join(t.root, 'out'));
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /failed: .*Ann_0002\.jpg/);
    assert.match(r.err, /1 of 11 faces could not be saved/);
    assert.equal(readdirSync(join(t.root, 'out', 'noise')).length, 2); // the rest was saved
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster --store records the run, which reads back', async () => {
  const t = await makeToy();
  try {
    const store = join(t.root, 'store');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(store);
    const r = cli(t.jsonl, '--method', 'agglomerative', '--distance-threshold', '0.6', '--store', store, '--json');
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    assert.ok(o.run.startsWith(join(store, 'runs')));
    const run = await readRun(store, 'latest');
    assert.equal(run.method, 'agglomerative');
    assert.equal(run.parameters.distanceThreshold, 0.6);
    assert.deepEqual([...run.labels], o.labels);
    assert.equal(run.metrics!.bcubedF1, 1);
    assert.equal(run.faceIds![0], 'Ann/Ann_0001.jpg');
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster: with no --method the default (auto) chooses its threshold and says why', async () => {
  const t = await makeToy();
  try {
    const r = cli(t.jsonl);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^auto \(criterion bcubed, /m);
    assert.match(r.out, /chose threshold \d\.\d{3} \(average linkage cut, \d+ clusters\) where the expected BCubed F1 is highest/);
    assert.match(r.out, /same-person mode \d\.\d{3} ± \d\.\d{3} .* different-person mode/);
    const j = JSON.parse(cli(t.jsonl, '--json').out);
    assert.equal(j.method, 'auto');
    assert.equal(typeof j.evidence.threshold, 'number');
    assert.equal(j.parameters.chosenThreshold, j.evidence.threshold);
    assert.equal(j.evidence.curve.threshold.length, j.evidence.curve.bcubedF1.length);
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster: usage errors exit 2 and say what is valid', async () => {
  const t = await makeToy();
  try {
    const cases: [string[], RegExp][] = [
      [[t.jsonl, '--method', 'nope'], /unknown method "nope"; valid methods are auto, kmeans, dbscan, chinese-whispers, rank-order, approximate-rank-order, agglomerative, affinity-propagation\./],
      [[t.jsonl, '--method', 'dbscan', '--threshold', '0.4'], /--threshold is not an option of dbscan; its options are --eps, --min-samples, --metric\./],
      [[t.jsonl, '--method', 'dbscan', '--eps', 'wide'], /--eps must be a number, got "wide"\./],
      [[t.jsonl, '--method', 'dbscan', '--frobnicate'], /Unknown option '--frobnicate'/],
      [[t.jsonl, '--method', 'dbscan', '--link'], /--link needs --save DIR\./],
      [[t.jsonl, '--method', 'dbscan', '--save', join(t.root, 'o'), '--link', '--crops'], /choose one of --copy, --link, --crops, got --link --crops\./],
      [[t.jsonl, '--method', 'dbscan', '--prune', '0'], /--prune must be an integer >= 1, got 0\./],
      [['--method', 'dbscan'], /missing input/],
      [[join(t.root, 'nope.jsonl'), '--method', 'dbscan'], /does not exist/],
      [[join(t.photos, 'Ann', 'Ann_0001.jpg'), '--method', 'dbscan'], /input must be a store folder or a \.jsonl file/],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    }
    // A bad value the method itself rejects: fatal (3), with the library's message.
    const v = cli(t.jsonl, '--method', 'dbscan', '--eps=-1');
    assert.equal(v.code, 3);
    assert.match(v.err, /dbscan: eps must be a finite number > 0, got -1\./);
    const h = cli('--help');
    assert.equal(h.code, 0);
    assert.match(h.out, /--method M +default auto \(sets its own threshold from the collection and prints why\);\n +one of auto, kmeans, dbscan/);
    // Generated from DBSCAN_DEFAULTS, so help and library stay in sync.
    assert.ok(h.out.includes(`dbscan: --eps ${DBSCAN_DEFAULTS.eps} --min-samples ${DBSCAN_DEFAULTS.minSamples} --metric ${DBSCAN_DEFAULTS.metric}\n`), h.out);
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('cluster on 300 LFW photos (when present): metrics printed', { skip: !existsSync(precomputedEmbeddingsPath()) && 'LFW embeddings absent' }, () => {
  const r = cli(precomputedEmbeddingsPath(), '--limit', '300', '--method', 'chinese-whispers', '--json');
  assert.equal(r.code, 0, r.err);
  const o = JSON.parse(r.out);
  assert.equal(o.n + o.skipped, 300);
  assert.ok(o.metrics.bcubedF1 > 0.85, `BCubed F ${o.metrics.bcubedF1}`);
  assert.ok(o.nClusters > 50 && o.nClusters < o.n);
});

test('cluster on a face store: metrics from its folder labels, run recorded in the store, crops saved', async () => {
  const t = await makeToyStore();
  try {
    const out = join(t.root, 'people');
    const r = cli(t.store, '--method', 'chinese-whispers', '--threshold', '0.5', '--save', out, '--crops');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /: 11 faces\n/);
    assert.match(r.out, /Found 5 people/);
    assert.match(r.out, /BCubed precision \/ recall \/ F1 +1\.000 \/ 1\.000 \/ 1\.000/);
    assert.match(r.out, /Run recorded: .*store\/runs\/\d{8}T\d{6}Z-chinese-whispers/);
    assert.equal(readdirSync(out).length, 5);
    const run = await readRun(t.store, 'latest');
    assert.equal(run.n, 11);
    assert.equal(run.faceIds![0], 'Ann/Ann_0001.jpg#0');
    assert.equal(run.metrics!.nmi, 1);
    // Saving inside the store's photo folder is refused.
    const bad = cli(t.store, '--method', 'dbscan', '--save', join(t.photos, 'people'));
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--save must not be inside the photo folder/);
    // A folder that is not a store.
    const none = cli(t.photos, '--method', 'dbscan');
    assert.equal(none.code, 3);
    assert.match(none.err, /run `facecluster encode` first/);
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});
