// The face index kept with the store (lib/people/face-index.ts): a saved index that is reused (loaded, the new faces
// added) places new faces as the exact search does, on toy people and on LFW; a stale, corrupt, torn or mismatched
// index is detected and rebuilt, never trusted; a changed face is replaced in it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotOf, updatePeople, type PeopleState } from '../../lib/people/assign.ts';
import { FACE_INDEX_FILE, FACE_INDEX_RECORD, storeFaceIndex, type StoreFaceIndex } from '../../lib/people/face-index.ts';
import { foldCorrections } from '../../lib/people/constraints.ts';
import { chineseWhispersRule, sameFaceRule, type SameFaceRule } from '../../lib/people/rule.ts';
import { indexedRadiusAvailable } from '../../lib/cluster/_radius-indexed.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { embedderMixtureOptions } from '../../lib/embed/registry.ts';
import { Random } from '../../lib/cluster/_input.ts';

const SKIP = indexedRadiusAvailable().ok ? false : 'usearch does not load here';
const NOW = '2026-01-01T00:00:00.000Z';
/** One thread: usearch then builds the same graph every time (on several its insertion order varies), so what the
 * index finds, and these tests, do not vary from run to run. */
const ONE = { threads: 1 };

/** 40 people of 1-6 faces, 16-d: tight blobs (spread 0.05) around unit centres, far apart. */
function toy(seed: number): { ids: string[]; x: Float32Array[] } {
  const rng = new Random(seed);
  const ids: string[] = [];
  const x: Float32Array[] = [];
  for (let p = 0; p < 40; p++) {
    const c = Float32Array.from({ length: 16 }, () => rng.normal());
    const norm = Math.hypot(...c);
    const n = 1 + (p % 6);
    for (let k = 0; k < n; k++) {
      ids.push(`P${p}/${k}.jpg#0`);
      x.push(Float32Array.from(c, (v) => v / norm + 0.05 * rng.normal()));
    }
  }
  // a seeded shuffle: people's faces arrive in any order
  const order = rng.shuffle(Int32Array.from(ids, (_, i) => i));
  return { ids: Array.from(order, (i) => ids[i]), x: Array.from(order, (i) => x[i]) };
}

/** The update of `n` faces after the people of the first `m`, exact and through `index`; asserts they agree. */
function agree(ids: string[], x: Float32Array[], m: number, n: number, rule: SameFaceRule, index: StoreFaceIndex): { exact: PeopleState; kept: PeopleState } {
  const first = updatePeople(ids.slice(0, m), x.slice(0, m), null, foldCorrections([]), { rule, now: NOW });
  const go = (o: object) => updatePeople(ids.slice(0, n), x.slice(0, n), snapshotOf(first), foldCorrections([]), { rule, now: NOW, ...o });
  const exact = go({ search: 'exact' });
  const kept = go({ search: 'index', index });
  assert.deepEqual([...kept.personOf], [...exact.personOf], rule.method);
  assert.deepEqual(kept.status, exact.status, rule.method);
  assert.deepEqual(kept.summary, exact.summary, rule.method);
  return { exact, kept };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'fc-face-index-'));

test('a kept index, built then saved, then loaded with new faces added, places new faces as the exact search (toy people, both rules)', { skip: SKIP }, () => {
  const { ids, x } = toy(3);
  const n = ids.length; // 136 faces
  for (const rule of [sameFaceRule(), chineseWhispersRule()]) {
    const dir = tmp();
    try {
      // update 1: the people of 100 faces, 20 new; no index yet: built over the 120 faces and saved
      const a = storeFaceIndex(dir, ids.slice(0, 120), x.slice(0, 120), ONE);
      const u1 = agree(ids, x, 100, 120, rule, a);
      assert.ok(u1.exact.summary.joined >= 5, `joined ${u1.exact.summary.joined}`); // there is something to place
      assert.equal(a.report()?.how, 'built');
      assert.equal(a.report()?.added, 120);
      a.save();
      assert.ok(existsSync(join(dir, FACE_INDEX_FILE)) && existsSync(join(dir, FACE_INDEX_RECORD)));
      // update 2: 16 more faces; the saved index is loaded (nothing rebuilt) and only they are added
      const b = storeFaceIndex(dir, ids, x, ONE);
      const u2 = agree(ids, x, 120, n, rule, b);
      assert.ok(u2.exact.summary.joined >= 5, `joined ${u2.exact.summary.joined}`);
      assert.deepEqual({ how: b.report()?.how, added: b.report()?.added, removed: b.report()?.removed, size: b.report()?.size }, { how: 'loaded', added: n - 120, removed: 0, size: n });
      b.save();
      // and once more with nothing new: loaded, nothing added, nothing written
      const c = storeFaceIndex(dir, ids, x, ONE);
      agree(ids, x, 120, n, rule, c);
      assert.deepEqual({ how: c.report()?.how, added: c.report()?.added }, { how: 'loaded', added: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('a stale, corrupt, torn or mismatched kept index is rebuilt (with the reason), and the people stay those of the exact search', { skip: SKIP }, () => {
  const { ids, x } = toy(5);
  const rule = sameFaceRule();
  const dir = tmp();
  const saved = () => { const s = storeFaceIndex(dir, ids, x, ONE); agree(ids, x, 100, ids.length, rule, s); s.save(); };
  const reopen = (fx = x, fids = ids) => { const s = storeFaceIndex(dir, fids, fx, ONE); agree(fids, fx, 100, fids.length, rule, s); return s.report()!; };
  try {
    saved();
    assert.equal(reopen().how, 'loaded');
    // a byte of the index file flipped: its SHA-256 is not the record's
    const file = join(dir, FACE_INDEX_FILE);
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    let r = reopen();
    assert.equal(r.how, 'rebuilt');
    assert.match(r.reason, /SHA-256/);
    // torn: the index file cut short
    saved();
    writeFileSync(file, readFileSync(file).subarray(0, 100));
    r = reopen();
    assert.deepEqual([r.how, /bytes/.test(r.reason)], ['rebuilt', true]);
    // the record does not parse
    saved();
    writeFileSync(join(dir, FACE_INDEX_RECORD), '{"format": 1, "ids": [');
    r = reopen();
    assert.deepEqual([r.how, /does not parse/.test(r.reason)], ['rebuilt', true]);
    // the index file missing (the record alone)
    saved();
    rmSync(file);
    assert.equal(reopen().how, 'built');
    // another store's index: its face ids are not these
    saved();
    const other = ids.map((f) => `other/${f}`);
    r = reopen(x, other);
    assert.deepEqual([r.how, /gone or changed/.test(r.reason)], ['rebuilt', true]);
    // the same ids with other vectors (the photos encoded again, e.g. by another embedder)
    saved();
    const moved = x.map((v) => Float32Array.from(v, (t) => t * 1.001));
    r = reopen(moved);
    assert.deepEqual([r.how, /gone or changed/.test(r.reason)], ['rebuilt', true]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a face whose photo was encoded again is replaced in the kept index; a face gone is removed', { skip: SKIP }, () => {
  const { ids, x } = toy(7);
  const rule = sameFaceRule();
  const dir = tmp();
  try {
    const a = storeFaceIndex(dir, ids.slice(0, 120), x.slice(0, 120), ONE);
    agree(ids, x, 100, 120, rule, a);
    a.save();
    // face 3 changed (a new vector under the same id); face 4 gone (its photo removed); 16 new faces
    const ids2 = ids.filter((_, i) => i !== 4);
    const x2 = x.map((v, i) => (i === 3 ? Float32Array.from(x[10]) : v)).filter((_, i) => i !== 4);
    const b = storeFaceIndex(dir, ids2, x2, ONE);
    agree(ids2, x2, 99, ids2.length, rule, b);
    assert.deepEqual({ how: b.report()?.how, added: b.report()?.added, removed: b.report()?.removed, size: b.report()?.size }, { how: 'loaded', added: 1 + (ids.length - 120), removed: 2, size: ids2.length });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const lfwVectors = existsSync(precomputedEmbeddingsPath());
test('on LFW: faces placed among 4,000 through a saved, reloaded index make the same people as the exact search', { skip: SKIP || (lfwVectors ? false : 'precomputed LFW embeddings not found') }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 }); // 4,321 faces (photos with a face)
  // in a seeded random order: new photos of people known already, not only new people (the file is alphabetical)
  const order = new Random(1).shuffle(Int32Array.from(d.files, (_, i) => i));
  const ids = Array.from(order, (i) => `${d.files[i]}#0`);
  const x = Array.from(order, (i) => d.embeddings[i]);
  const n = ids.length;
  const rule = sameFaceRule(embedderMixtureOptions('resnet128'));
  const dir = tmp();
  try {
    // the index is made and saved by an update placing 400 faces among 3,600, then loaded by the next, which places
    // the last faces among 4,000 and adds only them to it
    const a = storeFaceIndex(dir, ids.slice(0, 4000), x.slice(0, 4000), ONE);
    const u1 = agree(ids, x, 3600, 4000, rule, a);
    assert.ok(u1.exact.summary.joined > 50, `joined ${u1.exact.summary.joined}`); // the comparison has faces to place
    a.save();
    const b = storeFaceIndex(dir, ids, x, ONE);
    const { exact } = agree(ids, x, 4000, n, rule, b);
    assert.ok(exact.summary.joined > 50, `joined ${exact.summary.joined}`);
    assert.deepEqual({ how: b.report()?.how, added: b.report()?.added, size: b.report()?.size }, { how: 'loaded', added: n - 4000, size: n });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('updatePeople: an index that is not a face index is refused, naming the parameter', () => {
  assert.throws(() => updatePeople([], [], null, foldCorrections([]), { index: {} as never }), /updatePeople: index must be null or a face index/);
});

test('updateStorePeople keeps the index in the store folder: built by the first update through it, loaded by the next, which adds only its new faces', { skip: SKIP }, async () => {
  const { makeToyStore } = await import('../cli/_toy.ts');
  const { openStoreWriter } = await import('../../lib/store/write.ts');
  const { readManifest } = await import('../../lib/store/read.ts');
  const { updateStorePeople } = await import('../../lib/people/people.ts');
  const t = await makeToyStore();
  try {
    const people = await updateStorePeople(t.store); // the first update clusters every face: no index
    assert.equal(people.faceIndex, undefined);
    assert.ok(!existsSync(join(t.store, FACE_INDEX_FILE)));
    const files = people.faces.map((f) => f.path);
    // one more photo of `who` (a centre of the toy: Ann 0, Bob 1), encoded into the store as `encode` would
    const addPhoto = async (file: string, who: number, seed: number) => {
      const params = (await readManifest(t.store))!.parameters;
      const w = await openStoreWriter(t.store, params, { photoFolder: t.photos, backend: 'test' });
      await w.plan([...files, file].map((p) => ({ path: p, sizeBytes: 1, mtimeMs: 1 })));
      const lm = [0, 1, 2, 3, 4].map((k) => ({ x: 8 + k, y: 10 })) as never;
      const rng = new Random(seed);
      await w.writeBatch(
        [{ path: file, sizeBytes: 1, mtimeMs: 1, width: 24, height: 24, status: 'ok' as const, reason: null, faceCount: 1, label: null }],
        [{ path: file, faceIndex: 0, label: null, imageWidth: 24, imageHeight: 24, score: 0.9, landmarks5: lm, box: { x: 4, y: 4, width: 16, height: 16 },
          embedding: Float32Array.from({ length: 128 }, (_, k) => (k === who ? 1 : 0) + 0.006 * rng.normal()) }],
      );
      await w.finish(true);
      files.push(file);
    };
    await addPhoto('Ann/Ann_0009.jpg', 0, 1);
    const u1 = await updateStorePeople(t.store, { search: 'index' });
    assert.equal(u1.faceIndex?.how, 'built');
    assert.equal(u1.faceIndex?.size, 12);
    assert.ok(existsSync(join(t.store, FACE_INDEX_FILE)) && existsSync(join(t.store, FACE_INDEX_RECORD)));
    assert.ok(!existsSync(join(t.photos, FACE_INDEX_FILE)), 'never in the photo folder');
    const ann = (u: typeof u1) => u.state.personOf[u.state.faceIds.indexOf('Ann/Ann_0001.jpg#0')];
    assert.equal(u1.state.personOf[u1.state.faceIds.indexOf('Ann/Ann_0009.jpg#0')], ann(u1));
    await addPhoto('Bob/Bob_0009.jpg', 1, 2);
    const u2 = await updateStorePeople(t.store, { search: 'index' });
    assert.deepEqual({ how: u2.faceIndex?.how, added: u2.faceIndex?.added, size: u2.faceIndex?.size }, { how: 'loaded', added: 1, size: 13 });
    const bob = u2.state.personOf[u2.state.faceIds.indexOf('Bob/Bob_0001.jpg#0')];
    assert.ok(bob >= 0);
    assert.equal(u2.state.personOf[u2.state.faceIds.indexOf('Bob/Bob_0009.jpg#0')], bob);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
