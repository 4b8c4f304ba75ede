// updatePeople (lib/people/assign.ts) and foldCorrections on hand-made faces: each person's faces sit within
// about 0.1 (euclidean) of a one-hot centre, centres are 1.41 apart, so the default rule (auto: average linkage
// cut where the collection says) and Chinese Whispers (threshold 0.45) both find the people exactly, and every
// expectation below can be worked by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snapshotOf, updatePeople, type PeopleSnapshot, type PeopleState } from '../../lib/people/assign.ts';
import { chineseWhispersRule, sameFaceRule, type SameFaceRule } from '../../lib/people/rule.ts';
import { foldCorrections } from '../../lib/people/constraints.ts';
import type { Correction, JournalEntry } from '../../lib/people/journal.ts';
import { existsSync } from 'node:fs';
import { indexedRadiusAvailable } from '../../lib/cluster/_radius-indexed.ts';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath } from '../../lib/datasets/precomputed.ts';
import { embedderMixtureOptions } from '../../lib/embed/registry.ts';

const D = 8;
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
/** Face `n` of person `p` (p = centre index): `<Name>/<n>.jpg#0`. */
function face(name: string, p: number, n: number): { id: string; e: Float32Array } {
  const e = Float32Array.from({ length: D }, (_, k) => (k === p ? 1 : 0) + 0.05 * rand());
  return { id: `${name}/${n}.jpg#0`, e };
}
const ann = [1, 2, 3].map((n) => face('Ann', 0, n));
const bob = [1, 2, 3].map((n) => face('Bob', 1, n));
const cid = [1, 2].map((n) => face('Cid', 2, n));
const dee = [face('Dee', 3, 1)];

const entries = (...cs: Correction[]): JournalEntry[] => cs.map((c, i) => ({ ...c, at: `2026-01-01T00:00:0${i}.000Z`, line: i + 1 }) as JournalEntry);
const snapshot = (s: PeopleState): PeopleSnapshot => {
  const assignment = new Map<string, number>();
  s.personOf.forEach((p, i) => { if (p >= 0) assignment.set(s.faceIds[i], p); });
  return { persons: s.persons, assignment, known: new Set(s.faceIds.filter((_, i) => s.status[i] !== 'new')), nextId: s.nextId, threshold: s.rule.threshold };
};
const run = (faces: { id: string; e: Float32Array }[], prev: PeopleSnapshot | null, cs: JournalEntry[] = [], recluster = false) =>
  updatePeople(faces.map((f) => f.id), faces.map((f) => f.e), prev, foldCorrections(cs), { recluster, now: '2026-01-01T00:00:00.000Z' });
const personOf = (s: PeopleState, id: string) => s.personOf[s.faceIds.indexOf(id)];
const members = (s: PeopleState, p: number) => s.faceIds.filter((_, i) => s.personOf[i] === p).sort();

test('first run: the default rule makes the people; ids 1.. largest first (ties: first face id); one face is not a person', () => {
  const s = run([...ann, ...bob, ...cid, ...dee], null);
  assert.deepEqual(s.persons.map((p) => p.id), [1, 2, 3]);
  assert.deepEqual(members(s, 1), ann.map((f) => f.id)); // Ann and Bob both have 3 faces: "Ann/1.jpg#0" sorts first
  assert.deepEqual(members(s, 2), bob.map((f) => f.id));
  assert.deepEqual(members(s, 3), cid.map((f) => f.id));
  assert.equal(personOf(s, dee[0].id), -1);
  assert.equal(s.status[s.faceIds.indexOf(dee[0].id)], 'unassigned');
  assert.equal(s.nextId, 4);
  assert.equal(s.summary.newPeople, 3);
});

test('incremental: a new face joins its person; a new face matching an earlier unassigned one makes a new person', () => {
  const s1 = run([...ann, ...bob, ...cid, ...dee], null);
  const ann4 = face('Ann', 0, 4);
  const dee2 = face('Dee', 3, 2);
  const eve = face('Eve', 4, 1);
  const s2 = run([...ann, ann4, ...bob, ...cid, ...dee, dee2, eve], snapshot(s1));
  assert.equal(personOf(s2, ann4.id), 1);
  assert.deepEqual(members(s2, 4), [dee[0].id, dee2.id]); // the next id, never one given before
  assert.equal(personOf(s2, eve.id), -1); // alone: stays unassigned
  assert.deepEqual(s2.summary, { faces: 12, newFaces: 3, joined: 1, newPeople: 1, droppedFaces: 0, removedPeople: 0, unassigned: 1, ignored: 0, unsorted: 0, poorJoined: 0 });
  // nothing else moved
  for (const p of [1, 2, 3]) assert.deepEqual(members(s2, p).filter((f) => f !== ann4.id), members(s1, p));
});

test('removed photos drop their faces; a person left without faces is removed unless named; ids are not reused', () => {
  const s1 = run([...ann, ...bob, ...cid], null);
  const named = entries({ op: 'name', person: 2, name: 'Bob B.' });
  const s2 = run([...ann], snapshot(s1), named); // Bob's and Cid's photos are gone
  assert.deepEqual(s2.persons.map((p) => [p.id, p.name]), [[1, null], [2, 'Bob B.']]);
  assert.deepEqual(members(s2, 2), []);
  assert.equal(s2.summary.droppedFaces, 5);
  assert.equal(s2.summary.removedPeople, 1);
  const s3 = run([...ann, ...cid], snapshot(s2), named); // Cid comes back: a new id, not 3's
  assert.equal(personOf(s3, cid[0].id), 4);
});

test('every kind of correction holds through an incremental run and a re-cluster, under both rules', () => {
  for (const rule of [sameFaceRule(), chineseWhispersRule()]) {
    const go = (faces: { id: string; e: Float32Array }[], prev: PeopleSnapshot | null, cs: JournalEntry[] = [], recluster = false) =>
      updatePeople(faces.map((f) => f.id), faces.map((f) => f.e), prev, foldCorrections(cs), { recluster, rule, now: '2026-01-01T00:00:00.000Z' });
    const s1 = go([...ann, ...bob, ...cid, ...dee], null);
    const cs = entries(
      { op: 'name', person: 1, name: 'Ann' },
      { op: 'move', face: ann[2].id, from: 1, to: 2 }, // Ann/3 goes to Bob's person, against the embeddings
      { op: 'split', person: 2, faces: [bob[0].id], newPerson: 4 }, // Bob/1 becomes person 4
      { op: 'merge', from: 3, into: 1, faces: [...ann.slice(0, 2), ...cid].map((f) => f.id) }, // Cid is Ann, says the user
      { op: 'ignore', face: bob[2].id, reason: 'not-a-face' },
    );
    const newFaces = [face('Ann', 0, 4), face('Bob', 1, 4), face('Cid', 2, 3)];
    const all = [...ann, ...bob, ...cid, ...dee, ...newFaces];
    for (const recluster of [false, true]) {
      const s = go(all, snapshotOf(s1), cs, recluster);
      const why = `${rule.method}, ${recluster ? 're-cluster' : 'incremental'}`;
      assert.equal(s.persons.find((p) => p.id === 1)?.name, 'Ann', why);
      assert.equal(personOf(s, ann[2].id), 2, `${why}: moved face stays moved`);
      assert.equal(s.status[s.faceIds.indexOf(ann[2].id)], 'confirmed');
      assert.equal(personOf(s, bob[0].id), 4, `${why}: split face stays split`);
      assert.equal(personOf(s, bob[2].id), -1, `${why}: not a face stays out`);
      assert.equal(s.status[s.faceIds.indexOf(bob[2].id)], 'not-a-face');
      assert.ok(!s.persons.some((p) => p.id === 3), `${why}: merged-away id is retired`);
      for (const f of [...ann.slice(0, 2), ...cid]) assert.equal(personOf(s, f.id), 1, `${why}: merged faces stay together (${f.id})`);
      assert.equal(s.nextId, 5, why);
      // New faces. Bob/4 joins Bob/2's person 2 (which also holds the moved Ann/3) or Bob/1's person 4.
      assert.ok([2, 4].includes(personOf(s, newFaces[1].id)), why);
      if (rule.join === 'average' && !recluster) {
        // Average linkage: the person the user made of Ann and Cid is about 1.0 (RMS) from a face of either, over
        // the threshold: their new faces wait, unassigned, for a re-cluster (which gives them to person 1).
        assert.equal(personOf(s, newFaces[0].id), -1, why);
        assert.equal(personOf(s, newFaces[2].id), -1, why);
      } else {
        // Neighbours (and any re-cluster): Ann/4 joins Ann (1), Cid/3 joins Cid's faces, now in 1.
        assert.equal(personOf(s, newFaces[0].id), 1, why);
        assert.equal(personOf(s, newFaces[2].id), 1, why);
      }
    }
  }
});

test('a face moved away never goes back, even when it is nearest to that person', () => {
  const s1 = run([...ann, ...bob], null);
  // Ann/1 moved to Bob, then Bob merged nowhere; a re-cluster puts Ann's other faces back in 1 but never Ann/1.
  const cs = entries({ op: 'move', face: ann[0].id, from: 1, to: 2 });
  const s2 = run([...ann, ...bob], snapshot(s1), cs, true);
  assert.equal(personOf(s2, ann[0].id), 2);
  assert.deepEqual(members(s2, 1), [ann[1].id, ann[2].id]);
  // An ignored face brought back by a move is confirmed where it was put.
  const cs2 = entries({ op: 'ignore', face: bob[0].id, reason: 'ignore' }, { op: 'move', face: bob[0].id, from: null, to: 1 });
  const s3 = run([...ann, ...bob], snapshot(s1), cs2);
  assert.equal(personOf(s3, bob[0].id), 1);
});

test('re-cluster keeps ids by overlap when there are no corrections', () => {
  const s1 = run([...ann, ...bob, ...cid], null);
  // Same faces, new order: the re-cluster would number them differently, the people keep their ids.
  const s2 = run([...cid, ...bob, ...ann], snapshot(s1), [], true);
  for (const f of [...ann, ...bob, ...cid]) assert.equal(personOf(s2, f.id), personOf(s1, f.id));
});

test('foldCorrections: later corrections win; merges resolve transitively', () => {
  const c = foldCorrections(entries(
    { op: 'name', person: 5, name: 'X' },
    { op: 'merge', from: 5, into: 6, faces: ['a#0'] },
    { op: 'merge', from: 6, into: 7, faces: ['b#0'] },
    { op: 'move', face: 'a#0', from: 7, to: 8 },
    { op: 'move', face: 'a#0', from: 8, to: 7 },
  ));
  assert.equal(c.names.get(7), 'X'); // the name followed the merges (6 and 7 had none)
  assert.equal(c.confirmed.get('a#0'), 7);
  assert.deepEqual([...(c.excluded.get('a#0') ?? [])], [8]); // moved back to 7: only 8 is excluded now
  assert.equal(c.confirmed.get('b#0'), 7);
  assert.equal(c.maxId, 8);
});

test('updatePeople: bad options are rejected with the parameter named', () => {
  assert.throws(() => updatePeople(['a#0'], [], null, foldCorrections([])), /updatePeople: embeddings must be an array with one embedding per face id \(1\)/);
  assert.throws(() => updatePeople([], [], null, foldCorrections([]), { minFaces: 0 }), /updatePeople: minFaces must be an integer >= 1, got 0/);
  assert.throws(() => updatePeople([], [], null, foldCorrections([]), { tolerance: 1 } as never), /unknown option "tolerance"/);
});

test('the `average` join (a rule like average linkage): a face joins the person whose RMS distance is below the threshold', async () => {
  const { agglomerative } = await import('../../lib/cluster/agglomerative.ts');
  const rule: SameFaceRule = {
    method: 'toy-average',
    metric: 'euclidean',
    join: 'average',
    clusterAll: (x) => ({ labels: agglomerative(x, { distanceThreshold: 0.45 }).labels, threshold: 0.45 }),
    clusterAt: (x, t) => agglomerative(x, { distanceThreshold: t }).labels,
  };
  const go = (faces: { id: string; e: Float32Array }[], prev: PeopleSnapshot | null, cs: JournalEntry[] = []) =>
    updatePeople(faces.map((f) => f.id), faces.map((f) => f.e), prev, foldCorrections(cs), { rule, now: '2026-01-01T00:00:00.000Z' });
  const s1 = go([...ann, ...bob, ...cid, ...dee], null);
  assert.deepEqual(s1.persons.map((p) => p.id), [1, 2, 3]);
  assert.equal(s1.rule.threshold, 0.45);
  const ann4 = face('Ann', 0, 4);
  const dee2 = face('Dee', 3, 2);
  // Between Ann and Bob (0.71 from both centres): RMS distance to either is about 0.72 > 0.45: joins no one.
  const mid = { id: 'Mid/1.jpg#0', e: Float32Array.from(ann4.e, (v, k) => (k === 0 || k === 1 ? 0.5 : v)) };
  const s2 = go([...ann, ann4, ...bob, ...cid, ...dee, dee2, mid], snapshotOf(s1));
  assert.equal(personOf(s2, ann4.id), 1);
  assert.deepEqual(members(s2, 4), [dee[0].id, dee2.id]); // with the earlier unassigned Dee: a new person
  assert.equal(personOf(s2, mid.id), -1);
  assert.equal(s2.summary.joined, 1);
  // A face moved away from Ann never rejoins her under this criterion either.
  const cs = entries({ op: 'move', face: ann[0].id, from: 1, to: 2 });
  const s3 = go([...ann, ...bob], snapshotOf(s1), cs);
  assert.equal(personOf(s3, ann[0].id), 2);
});

test('search: the indexed search places new faces as the exact one (toy people, both rules); a bad value is named', { skip: indexedRadiusAvailable().ok ? false : 'usearch does not load here' }, () => {
  const more = [face('Ann', 0, 4), face('Bob', 1, 4), face('Dee', 3, 2), face('Eve', 4, 1), face('Eve', 4, 2), face('Fay', 5, 1)];
  for (const rule of [sameFaceRule(), chineseWhispersRule()]) {
    const go = (faces: { id: string; e: Float32Array }[], prev: PeopleSnapshot | null, search: 'exact' | 'index') =>
      updatePeople(faces.map((f) => f.id), faces.map((f) => f.e), prev, foldCorrections([]), { rule, now: '2026-01-01T00:00:00.000Z', search });
    const s1 = go([...ann, ...bob, ...cid, ...dee], null, 'exact');
    const all = [...ann, ...bob, ...cid, ...dee, ...more];
    const exact = go(all, snapshotOf(s1), 'exact');
    const indexed = go(all, snapshotOf(s1), 'index');
    assert.deepEqual([...indexed.personOf], [...exact.personOf], rule.method);
    assert.deepEqual(indexed.status, exact.status, rule.method);
    assert.deepEqual(indexed.summary, exact.summary, rule.method);
    // by hand: Ann 4 and Bob 4 join Ann and Bob; Dee 2 with the earlier Dee and Eve 1, 2 are new people; Fay alone is not
    assert.equal(exact.summary.joined, 2, rule.method);
    assert.equal(exact.summary.newPeople, 2, rule.method);
  }
  assert.throws(() => updatePeople([], [], null, foldCorrections([]), { search: 'fast' as never }), /updatePeople: search must be one of auto, exact, index, got "?fast"?/);
});

const lfwVectors = existsSync(precomputedEmbeddingsPath());
test('search on LFW: the faces after the first 4,000 (of the first 4,600 photos: 321) placed through the index make the same people as the exact search', { skip: !indexedRadiusAvailable().ok ? 'usearch does not load here' : lfwVectors ? false : 'precomputed LFW embeddings not found' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 });
  const ids = d.files.map((f) => `${f}#0`);
  assert.ok(ids.length > 4300, `${ids.length} faces`); // photos without a detected face are not in the file
  const rule = sameFaceRule(embedderMixtureOptions('resnet128'));
  const first = updatePeople(ids.slice(0, 4000), d.embeddings.slice(0, 4000), null, foldCorrections([]), { rule, now: '2026-01-01T00:00:00.000Z' });
  const go = (search: 'exact' | 'index') => updatePeople(ids, d.embeddings, snapshotOf(first), foldCorrections([]), { rule, now: '2026-01-01T00:00:00.000Z', search });
  const exact = go('exact');
  const indexed = go('index');
  assert.ok(exact.summary.joined > 100, `joined ${exact.summary.joined}`); // the comparison has faces to place
  assert.deepEqual([...indexed.personOf], [...exact.personOf]);
  assert.deepEqual(indexed.summary, exact.summary);
});

test('a kept index that misses every neighbour: under the average join the faces it leaves are compared exactly, the same people as the exact search (LFW, 321 faces among 4,000)', { skip: !indexedRadiusAvailable().ok ? 'usearch does not load here' : lfwVectors ? false : 'precomputed LFW embeddings not found' }, async () => {
  const d = await loadPrecomputedEmbeddings({ limit: 4600 });
  const ids = d.files.map((f) => `${f}#0`);
  const rule = sameFaceRule(embedderMixtureOptions('resnet128'));
  assert.equal(rule.join, 'average');
  const first = updatePeople(ids.slice(0, 4000), d.embeddings.slice(0, 4000), null, foldCorrections([]), { rule, now: '2026-01-01T00:00:00.000Z' });
  let asked = 0;
  // the worst index: it returns no face for any query
  const blind = { near(queries: readonly number[]) { asked += queries.length; return { n: queries.length, offsets: new Int32Array(queries.length + 1), indices: new Int32Array(0), distances: new Float32Array(0) }; } };
  const go = (search: 'exact' | 'index') => updatePeople(ids, d.embeddings, snapshotOf(first), foldCorrections([]), { rule, now: '2026-01-01T00:00:00.000Z', search, index: search === 'index' ? blind : null });
  const exact = go('exact');
  const indexed = go('index');
  assert.ok(asked >= ids.length - 4000, `the index was asked for ${asked} faces`);
  assert.ok(exact.summary.joined > 100 && exact.summary.newPeople > 0, JSON.stringify(exact.summary));
  assert.deepEqual([...indexed.personOf], [...exact.personOf]);
  assert.deepEqual(indexed.summary, exact.summary);
});
