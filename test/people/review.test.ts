// What `facecluster serve` asks of lib/people: the representative face of a person, the "same person?" questions,
// corrections of several faces at once (moveFaces, ignoreFaces: one journal line per face, all or nothing), and
// the "no" of a review (markDistinct).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { areDistinct, foldCorrections } from '../../lib/people/constraints.ts';
import { checkCorrection, readCorrections } from '../../lib/people/journal.ts';
import { ignoreFaces, markDistinct, mergePeople, moveFaces, openPeople, updateStorePeople, type StorePeople } from '../../lib/people/people.ts';
import { representativeFaces } from '../../lib/people/representative.ts';
import { reviewQuestions } from '../../lib/people/review.ts';
import type { FaceStatus } from '../../lib/people/assign.ts';
import type { StoredFace } from '../../lib/store/schema.ts';
import { makeToyStore } from '../cli/_toy.ts';

/** People by hand: face k is at (x[k], 0) in person person[k] (-1: none). */
function toyPeople(x: number[], person: number[], status?: FaceStatus[]): StorePeople {
  const faceIds = x.map((_, k) => `p/${k}.jpg#0`);
  const ids = [...new Set(person.filter((p) => p >= 0))].sort((a, b) => a - b);
  return {
    storeDir: '/nowhere',
    state: {
      persons: ids.map((id) => ({ id, name: null, createdAt: '' })),
      faceIds,
      personOf: Int32Array.from(person),
      status: status ?? person.map((p) => (p >= 0 ? 'assigned' : 'unassigned')),
      nextId: Math.max(0, ...ids) + 1,
      rule: { method: 'auto', threshold: 1, metric: 'euclidean' },
      summary: { faces: x.length, newFaces: 0, joined: 0, newPeople: 0, droppedFaces: 0, removedPeople: 0, unassigned: 0, ignored: 0, unsorted: 0, poorJoined: 0 },
    },
    faces: x.map((v, k) => ({ path: `p/${k}.jpg`, faceIndex: 0, embedding: Float32Array.of(v, 0) }) as unknown as StoredFace),
    constraints: foldCorrections([]),
    damagedCorrections: [],
  };
}

test('representativeFaces: the face nearest the mean; a confirmed face first; people with no face absent', () => {
  // Person 1 at 0, 1, 10: mean 11/3 = 3.67, nearest is 1 (face 1). Person 2 at 4, 6: mean 5, a tie broken by id.
  const p = toyPeople([0, 1, 10, 4, 6, 7], [1, 1, 1, 2, 2, -1]);
  assert.deepEqual([...representativeFaces(p)].sort(), [[1, 'p/1.jpg#0'], [2, 'p/3.jpg#0']]);
  // Face 2 (at 10) confirmed in person 1: it is the only confirmed face, so it stands for the person.
  const q = toyPeople([0, 1, 10, 4, 6, 7], [1, 1, 1, 2, 2, -1], ['assigned', 'assigned', 'confirmed', 'assigned', 'assigned', 'unassigned']);
  assert.equal(representativeFaces(q).get(1), 'p/2.jpg#0');
});

test('reviewQuestions: the closest pair of people first; the least certain face first; confirmed faces not asked', () => {
  // Person 1 at 0 and 0.1, person 2 at 0.3 and 0.4, person 3 at 5 and 5.1.
  // Pair 1-2: rms distance sqrt((0.3^2 + 0.4^2 + 0.2^2 + 0.3^2) / 4) = sqrt(0.095) = 0.308; 1-3 and 2-3 are ~5.
  const p = toyPeople([0, 0.1, 0.3, 0.4, 5, 5.1], [1, 1, 2, 2, 3, 3]);
  const q = reviewQuestions(p);
  assert.deepEqual([q.pairs[0].a, q.pairs[0].b], [1, 2]);
  assert.ok(Math.abs(q.pairs[0].distance - Math.sqrt(0.095)) < 1e-6, String(q.pairs[0].distance));
  // Face 1 (0.1): own 0.1, to person 2 rms(0.2, 0.3) = 0.255, margin 0.155; face 2 (0.3) the same margin: ties by
  // face, so face 1 first, then face 2.
  assert.deepEqual(q.faces.slice(0, 2).map((f) => [f.face, f.person, f.nearestPerson]), [['p/1.jpg#0', 1, 2], ['p/2.jpg#0', 2, 1]]);
  assert.ok(Math.abs(q.faces[0].margin - (Math.sqrt(0.065) - 0.1)) < 1e-6);
  const c = reviewQuestions(toyPeople([0, 0.1, 0.3, 0.4, 5, 5.1], [1, 1, 2, 2, 3, 3], ['assigned', 'confirmed', 'assigned', 'assigned', 'assigned', 'assigned']));
  assert.equal(c.faces[0].face, 'p/2.jpg#0', 'face 1 is confirmed: not asked');
  assert.deepEqual(reviewQuestions(p, { maxPairs: 1, maxFaces: 0 }).faces, []);
  assert.throws(() => reviewQuestions(p, { maxPairs: -1 }), /^FaceclusterError: reviewQuestions: maxPairs must be/);
  assert.deepEqual(reviewQuestions(toyPeople([0, 1], [1, 1])), { pairs: [], faces: [] }, 'one person: nothing to ask');
});

test('moveFaces and ignoreFaces: one journal line per face under one lock; a bad face writes nothing', async () => {
  const t = await makeToyStore();
  try {
    await updateStorePeople(t.store);
    const before = await openPeople(t.store);
    const cid = before.state.personOf[before.state.faceIds.indexOf('Cid/Cid_0001.jpg#0')];
    const ann = before.state.personOf[before.state.faceIds.indexOf('Ann/Ann_0001.jpg#0')];
    await assert.rejects(moveFaces(t.store, ['Ann/Ann_0001.jpg#0', 'Ann/nope.jpg#0'], cid), /^FaceclusterError: moveFaces: faces\[1\] must be a face of this store/);
    assert.equal((await readCorrections(t.store)).entries.length, 0);
    let after = await moveFaces(t.store, ['Ann/Ann_0001.jpg#0', 'Ann/Ann_0002.jpg', 'Ann/Ann_0001.jpg#0'], cid); // "#0" may be left out; twice counts once
    assert.deepEqual((await readCorrections(t.store)).entries.map((e) => e.op === 'move' && [e.face, e.from, e.to]), [
      ['Ann/Ann_0001.jpg#0', ann, cid], ['Ann/Ann_0002.jpg#0', ann, cid],
    ]);
    assert.equal(after.state.personOf[after.state.faceIds.indexOf('Ann/Ann_0002.jpg#0')], cid);
    after = await ignoreFaces(t.store, ['Dee/Dee_0001.jpg#0', 'Eve/Eve_0001.jpg#0'], 'not-a-face');
    assert.deepEqual(['Dee/Dee_0001.jpg#0', 'Eve/Eve_0001.jpg#0'].map((f) => after.state.status[after.state.faceIds.indexOf(f)]), ['not-a-face', 'not-a-face']);
    assert.equal((await readCorrections(t.store)).entries.length, 4);
    await assert.rejects(ignoreFaces(t.store, [], 'ignore'), /^FaceclusterError: ignoreFaces: faces must be a non-empty array of face ids, got/);
    await assert.rejects(ignoreFaces(t.store, ['Dee/Dee_0001.jpg#0'], 'later' as never), /^FaceclusterError: ignoreFaces: reason must be "ignore" or "not-a-face", got "later"\.$/);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('markDistinct: a "no" to "same person?" is journalled; the pair is not asked again, also after a merge', async () => {
  const t = await makeToyStore();
  try {
    await updateStorePeople(t.store);
    const before = reviewQuestions(await openPeople(t.store));
    const key = (a: number, b: number) => `${Math.min(a, b)}-${Math.max(a, b)}`;
    // Ann (1), Bob (2), Cid (3): every pair of the three is a candidate (their faces are each other's neighbours).
    assert.deepEqual(before.pairs.map((p) => key(p.a, p.b)).sort(), ['1-2', '1-3', '2-3']);
    let people = await markDistinct(t.store, 2, 1);
    assert.deepEqual(reviewQuestions(people).pairs.map((p) => key(p.a, p.b)).sort(), ['1-3', '2-3']);
    assert.deepEqual((await readCorrections(t.store)).entries.map((e) => e.op === 'distinct' && [e.a, e.b]), [[2, 1]]);
    // Cid merged into Bob: Bob (with Cid's faces) and Ann are still "not one person"; nothing is left to ask.
    people = await mergePeople(t.store, 2, 3);
    assert.ok(areDistinct(people.constraints, 1, 3), 'followed through the merge');
    assert.deepEqual(reviewQuestions(people).pairs, []);
    await assert.rejects(markDistinct(t.store, 1, 1), /^FaceclusterError: markDistinct: b must be a person other than a \(1\), got 1\.$/);
    await assert.rejects(markDistinct(t.store, 1, 3), /^FaceclusterError: markDistinct: b must be the id of a person of this store/);
    assert.throws(() => checkCorrection('t', { op: 'distinct', a: 4, b: 4 }), /^FaceclusterError: t: correction\.b must be a person other than a \(4\), got 4\.$/);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
