// `facecluster tune`, spawned as a user runs it, on the toy JSONL of _toy.ts (11 faces, 5 people).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CLUSTER_METHODS } from '../../lib/cluster/registry.ts';
import { makeToy, makeToyStore } from './_toy.ts';

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['bin/facecluster.js', 'tune', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

test('tune: a table row per value and the recommended value; --json parses', async () => {
  const t = await makeToy();
  try {
    // eps 0.05: everyone noise; 0.5: the 3 people with 3 photos (the 2 single-photo people are noise); 50: one cluster.
    const r = cli(t.jsonl, '--method', 'dbscan', '--values', '0.05,0.5,50');
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /11 faces; sweeping dbscan --eps/);
    assert.match(lines[1], /^eps +clusters +noise +pairwise F +BCubed F +NMI +seconds$/);
    assert.match(lines[2], /^0\.05 +0 +100\.0% /);
    assert.match(lines[3], /^0\.5 \* +3 +18\.2% +1\.000 +1\.000 /);
    assert.match(lines[4], /^50 +1 +0\.0% /);
    assert.match(r.out, /Recommended: --eps 0\.5 \(best bcubedF1 1\.000\)/);
    // Threshold 0.01: all alone; 0.81: perfect (same person within ~0.2, people 1.41 apart); 1.61: one cluster.
    const j = cli(t.jsonl, '--method', 'chinese-whispers', '--range', '0.01:1.61:0.8', '--select', 'nmi', '--json');
    assert.equal(j.code, 0, j.err);
    const o = JSON.parse(j.out);
    assert.deepEqual(o.rows.map((x: { value: number }) => x.value), [0.01, 0.81, 1.61]);
    assert.deepEqual(o.rows.map((x: { nClusters: number }) => x.nClusters), [11, 5, 1]);
    assert.equal(o.parameter, 'threshold');
    assert.equal(o.select, 'nmi');
    assert.equal(o.recommended.value, 0.81);
    assert.equal(o.rows[1].metrics.nmi, 1);
    assert.equal(o.rows[1].labels, undefined); // labels are not printed
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('tune: the default sweep comes from the registry; other method flags are fixed', async () => {
  const t = await makeToy();
  try {
    const r = cli(t.jsonl, '--method', 'agglomerative', '--linkage', 'single', '--json');
    assert.equal(r.code, 0, r.err);
    const o = JSON.parse(r.out);
    assert.equal(o.parameter, 'distanceThreshold');
    assert.deepEqual(o.fixed, { linkage: 'single' });
    assert.deepEqual(o.rows.map((x: { value: number }) => x.value), CLUSTER_METHODS.agglomerative.sweep.values); // the registry's
    assert.equal(o.recommended.score, 1);
    // --param with --values, kebab-case.
    const p = cli(t.jsonl, '--method', 'dbscan', '--param', 'min-samples', '--values', '1,2,4', '--eps', '0.5', '--json');
    assert.equal(p.code, 0, p.err);
    const q = JSON.parse(p.out);
    assert.deepEqual(q.rows.map((x: { nClusters: number }) => x.nClusters), [5, 3, 0]);
    assert.equal(q.recommended.value, 1); // minSamples 1 keeps the one-photo people as their own clusters
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('tune: usage errors exit 2', async () => {
  const t = await makeToy();
  try {
    const cases: [string[], RegExp][] = [
      [[t.jsonl, '--method', 'dbscan', '--values', '1', '--range', '0:1:0.5'], /give --values or --range, not both\./],
      [[t.jsonl, '--method', 'dbscan', '--range', '0:1'], /--range must be lo:hi:step, got "0:1"\./],
      [[t.jsonl, '--method', 'dbscan', '--range', '1:0:0.5'], /--range 1:0:0\.5: rangeValues: hi must be a number >= lo \(1\), got 0\./],
      [[t.jsonl, '--method', 'dbscan', '--param', 'threshold'], /--param must be an option of dbscan \(eps, min-samples, metric\), got "threshold"\./],
      [[t.jsonl, '--method', 'dbscan', '--param', 'min-samples'], /--param min-samples needs --values or --range\./],
      [[t.jsonl, '--method', 'dbscan', '--select', 'accuracy'], /--select must be one of pairwisePrecision, .*, got "accuracy"\./],
      [[t.jsonl, '--method', 'dbscan', '--eps', '0.4'], /--eps is the swept parameter; give its values with --values or --range\./],
      [[t.jsonl, '--method', 'dbscan', '--values', '0.4,x'], /--eps must be a number, got "x"\./],
      [[t.jsonl, '--method', 'kmean'], /unknown method "kmean"; valid methods are auto, kmeans, /],
      // The registry's k-means counts start above 11 faces.
      [[t.jsonl, '--method', 'kmeans'], /every default --n-clusters value exceeds the 11 faces; give --values or --range\./],
    ];
    for (const [args, message] of cases) {
      const r = cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
    }
    const h = cli('--help');
    assert.equal(h.code, 0);
    assert.ok(h.out.includes(`dbscan: --eps ${CLUSTER_METHODS.dbscan.sweep.values.join(',')} `), h.out); // from the registry
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});

test('tune on a store without labels: counts per value, no recommendation', async () => {
  const t = await makeToyStore(false);
  try {
    const r = cli(t.store, '--method', 'dbscan', '--values', '0.05,0.5');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^0\.05 +0 +100\.0% +- +- +- /m);
    assert.match(r.out, /^0\.5 +3 +18\.2% +- +- +- /m);
    assert.match(r.out, /No identities in the input: nothing to score, no recommendation\./);
    const j = JSON.parse(cli(t.store, '--method', 'dbscan', '--values', '0.5', '--json').out);
    assert.equal(j.recommended, null);
    assert.equal(j.rows[0].metrics, null);
  } finally { rmSync(t.root, { recursive: true, force: true }); }
});
