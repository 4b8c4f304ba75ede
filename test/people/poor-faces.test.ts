// Faces too poor to recognise (quality below the bar) in updatePeople (lib/people/assign.ts, poor-faces.ts), on
// hand-made faces: Ann and Bob, 3 good faces each within about 0.1 of one-hot centres 1.41 apart; a group of 4 poor
// faces, close to each other (within about 0.04 of a third centre) but to no one's good faces. Without the bar the
// default rule makes them a person; with it they stay unsorted (a person needs 2 good faces). A poor face on Ann's
// centre is clustered with Ann's good faces and stays in Ann.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotOf, updatePeople, UPDATE_PEOPLE_DEFAULTS } from '../../lib/people/assign.ts';
import { clusterGoodFaces } from '../../lib/people/poor-faces.ts';
import { foldCorrections } from '../../lib/people/constraints.ts';
import type { Correction, JournalEntry } from '../../lib/people/journal.ts';

const D = 8;
let seed = 11;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
const face = (name: string, p: number, n: number, quality: number, noise = 0.05) => ({ id: `${name}/${n}.jpg#0`, e: Float32Array.from({ length: D }, (_, k) => (k === p ? 1 : 0) + noise * rand()), quality });
const ann = [1, 2, 3].map((n) => face('Ann', 0, n, 0.9));
const bob = [1, 2, 3].map((n) => face('Bob', 1, n, 0.8));
// poor, alike (tighter than one person's good faces: the cut Ann and Bob choose alone keeps them together), nobody's
const blur = [1, 2, 3, 4].map((n) => face('Crowd', 2, n, 0.1, 0.02));
const annPoor = face('Ann', 0, 9, 0.2); // poor, but Ann's
const all = [...ann, ...bob, ...blur, annPoor];
const entries = (...cs: Correction[]): JournalEntry[] => cs.map((c, i) => ({ ...c, at: `2026-01-01T00:00:0${i}.000Z`, line: i + 1 }) as JournalEntry);
const run = (minQuality: number, cs: JournalEntry[] = [], previous: ReturnType<typeof snapshotOf> | null = null, extra: Partial<Parameters<typeof updatePeople>[4]> = {}) =>
  updatePeople(all.map((f) => f.id), all.map((f) => f.e), previous, foldCorrections(cs), { now: '2026-01-01T00:00:00.000Z', quality: Float32Array.from(all, (f) => f.quality), minQuality, ...extra });
const statusOf = (s: ReturnType<typeof run>, id: string) => s.status[s.faceIds.indexOf(id)];
const personOf = (s: ReturnType<typeof run>, id: string) => s.personOf[s.faceIds.indexOf(id)];

test('without a bar the group of poor faces becomes a person (the junk person of the issue)', () => {
  const s = run(0);
  assert.equal(s.persons.length, 3);
  const p = personOf(s, blur[0].id);
  assert.ok(p > 0 && blur.every((f) => personOf(s, f.id) === p));
});

test('with the bar the poor faces start no person: they stay unsorted', () => {
  const s = run(0.5);
  assert.equal(s.persons.length, 2); // Ann and Bob only
  for (const f of blur) {
    assert.equal(statusOf(s, f.id), 'unsorted');
    assert.equal(personOf(s, f.id), -1);
  }
  // Ann's poor face is with Ann or unsorted, never a person of its own (here the cut is chosen by the 6 good faces
  // alone, 0.07, and the poor face is farther than that from Ann's: unsorted)
  assert.ok(personOf(s, annPoor.id) === personOf(s, ann[0].id) || statusOf(s, annPoor.id) === 'unsorted');
  assert.equal(s.summary.unsorted, blur.length + (statusOf(s, annPoor.id) === 'unsorted' ? 1 : 0));
  assert.equal(s.summary.poorJoined, 0); // joining afterwards is off by default (POOR_JOIN_FACTOR 0)
  // the next (incremental) run keeps them unsorted; the read-only view shows them so too
  const s2 = run(0.5, [], snapshotOf(s));
  assert.deepEqual(s2.status, s.status);
  const view = run(0.5, [], snapshotOf(s), { placeNew: false });
  for (const f of blur) assert.equal(statusOf(view, f.id), 'unsorted');
  // joining afterwards off (factor 0): the same here
  assert.deepEqual(run(0.5, [], null, { poorJoinFactor: 0 }).status, s.status);
  // the bar raised on an incremental run: the group of poor faces, a person since the bar-less run, is dissolved
  const raised = run(0.5, [], snapshotOf(run(0)));
  for (const f of blur) assert.equal(statusOf(raised, f.id), 'unsorted');
  assert.equal(raised.persons.length, 2);
  // the bar lowered on a later run: the faces above it are placed again like new faces (none is unsorted) and make a
  // person (all four: they are tighter than the threshold the good faces chose, 0.07)
  const s3 = run(0.05, [], snapshotOf(s));
  assert.equal(s3.summary.newPeople, 1);
  assert.ok(blur.every((f) => statusOf(s3, f.id) !== 'unsorted'));
  assert.equal(blur.filter((f) => personOf(s3, f.id) > 0).length, 4);
});

test('a poor face moved into a person by hand stays there, whatever its score and the bar', () => {
  const s = run(0.5);
  const bobId = personOf(s, bob[0].id);
  const moved = run(0.99, entries({ op: 'move', face: blur[0].id, from: null, to: bobId }), snapshotOf(s));
  assert.equal(personOf(moved, blur[0].id), bobId);
  assert.equal(statusOf(moved, blur[0].id), 'confirmed');
  const again = run(0.99, entries({ op: 'move', face: blur[0].id, from: null, to: bobId }), snapshotOf(moved), { recluster: true });
  assert.equal(personOf(again, blur[0].id), bobId);
});

test('the bar is checked; quality must match the faces', () => {
  assert.throws(() => run(1.5), /updatePeople: minQuality must be/);
  assert.throws(() => updatePeople(['a#0'], [new Float32Array(2)], null, foldCorrections([]), { quality: new Float32Array(2) }), /updatePeople: quality must be null or a Float32Array with one score per face id \(1\)/);
  assert.ok(UPDATE_PEOPLE_DEFAULTS.minQuality > 0 && UPDATE_PEOPLE_DEFAULTS.minQuality < 1);
});

test('clusterGoodFaces: a cluster with fewer than 2 good faces loses its poor faces (label -1, listed); others keep theirs', () => {
  const x = all.map((f) => f.e);
  const q = Float32Array.from(all, (f) => f.quality);
  // a hand-made clustering: Ann + her poor face, Bob, the crowd (all poor), and the crowd's last face with Bob's first
  const given = [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 0];
  const opts = { minGood: 2, minGoodShare: 0.25 };
  const { result, unsorted } = clusterGoodFaces(x, q, 0.5, (xs) => { assert.equal(xs.length, 11); return { labels: Int32Array.from(given), nClusters: 4, warnings: [] }; }, opts);
  assert.deepEqual(unsorted, [6, 7, 8, 9]); // cluster 2 has no good face, cluster 3 none either; Ann's poor face (10) stays
  assert.deepEqual(Array.from(result.labels), [0, 0, 0, 1, 1, 1, -1, -1, -1, -1, 0]);
  assert.deepEqual(clusterGoodFaces(x, q, 0, () => ({ labels: Int32Array.from(given), nClusters: 4, warnings: [] }), opts).unsorted, []);
  // Bob's cluster with the 4 crowd faces: 3 good of 7 (43%) keeps them at a share of 0.25, not at 0.5
  const crowded = [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 0];
  assert.deepEqual(clusterGoodFaces(x, q, 0.5, () => ({ labels: Int32Array.from(crowded), nClusters: 2, warnings: [] }), opts).unsorted, []);
  assert.deepEqual(clusterGoodFaces(x, q, 0.5, () => ({ labels: Int32Array.from(crowded), nClusters: 2, warnings: [] }), { minGood: 2, minGoodShare: 0.5 }).unsorted, [6, 7, 8, 9]);
});
