// The quality bar in the CLI, on the toy store (test/cli/_toy.ts) with quality scores written in: Cid's 3 faces
// are poor (0.1), every other face good (0.9). `people update` keeps Cid's faces out of people (unsorted) and says
// so in `list`; `--min-quality 0` makes Cid a person again; a Cid face moved by hand stays; `cluster --save` puts
// them in unsorted/; a bad --min-quality names the flag (exit 2) on run, cluster and people update.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyStore } from './_toy.ts';
import { facesFromArrow, facesToArrow } from '../../lib/store/schema.ts';

async function cli(...args: string[]) {
  const { main } = await import('../../lib/cli/main.ts');
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), err: err.join('\n'), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

async function toyWithQuality() {
  const t = await makeToyStore();
  const file = join(t.store, 'faces.arrow');
  const faces = facesFromArrow(readFileSync(file)).map((f) => ({ ...f, quality: f.path.startsWith('Cid/') ? 0.1 : 0.9 }));
  writeFileSync(file, facesToArrow(faces, 128));
  return t;
}

test('people update: poor faces are unsorted and counted; --min-quality 0 turns the bar off; a face moved by hand stays', async () => {
  const t = await toyWithQuality();
  try {
    let r = await cli('people', t.store, 'update');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /2 people; 11 faces \(0 confirmed, 2 unassigned, 3 unsorted \(too poor to recognise\), 0 new, 0 ignored\)/);
    assert.match(r.out, /3 unsorted, 0 joined a person close to its good faces \(quality bar 0\.\d+\)/);
    r = await cli('people', t.store, 'list', '--json');
    assert.equal(JSON.parse(r.out).faces.unsorted, 3);
    // the bar off: Cid's faces make a person; back on: unsorted again
    r = await cli('people', t.store, 'update', '--recluster', '--min-quality', '0');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /3 people; 11 faces \(0 confirmed, 2 unassigned, 0 unsorted/);
    r = await cli('people', t.store, 'update', '--recluster');
    assert.match(r.out, /11 faces \(0 confirmed, 2 unassigned, 3 unsorted/);
    // a Cid face moved into Ann's person by hand stays there through updates and a re-cluster, at any bar
    assert.equal((await cli('people', t.store, 'move', 'Cid/Cid_0001.jpg#0', '1')).code, 0);
    for (const extra of [[], ['--recluster'], ['--recluster', '--min-quality', '1']]) {
      assert.equal((await cli('people', t.store, 'update', ...extra)).code, 0);
      r = await cli('people', t.store, 'show', '1', '--json');
      assert.ok((JSON.parse(r.out).faces as string[]).includes('Cid/Cid_0001.jpg#0'), r.out);
    }
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('cluster --save: poor faces make no cluster; they are saved in unsorted/', async () => {
  const t = await toyWithQuality();
  try {
    const save = join(t.root, 'clusters');
    const r = await cli('cluster', t.store, '--save', save, '--json');
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as { unsorted: number; labels: number[]; nClusters: number };
    assert.equal(j.unsorted, 3);
    assert.equal(j.nClusters, 4); // Ann, Bob, and Dee and Eve alone; Cid's poor faces make no cluster
    assert.deepEqual(j.labels.slice(6, 9), [-1, -1, -1]); // Cid's faces (store order: Ann, Bob, Cid, Dee, Eve)
    assert.ok(existsSync(join(save, 'unsorted')));
    assert.deepEqual(readdirSync(join(save, 'unsorted')).length, 3);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('a bad --min-quality names the flag (exit 2) on run, cluster and people update', async () => {
  const t = await toyWithQuality();
  try {
    for (const args of [['run', t.photos, '--out', join(t.root, 'out')], ['cluster', t.store], ['people', t.store, 'update']]) {
      for (const bad of ['1.5', '-0.1', 'high', '']) {
        const r = await cli(...args, `--min-quality=${bad}`);
        assert.equal(r.code, 2, `${args[0]} ${bad}: ${r.err}`);
        assert.match(r.err, new RegExp(`facecluster ${args[0]}: --min-quality must be a number from 0 to 1 .*got "${bad}"`));
      }
    }
    const r = await cli('people', t.store, 'list', '--min-quality', '0.3');
    assert.equal(r.code, 2);
    assert.match(r.err, /--min-quality goes with `update`/);
    assert.ok(!existsSync(join(t.root, 'out')), 'nothing written by a refused run');
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
