// People on real photos (LFW subset, the real encode pipeline through `facecluster run`): cluster 31 photos of 8
// people, apply one correction of each kind, add 6 held-back photos (3 of those people, 3 of a new one) and run
// again, then re-cluster: every correction holds, every named person keeps its id and name, the new photos join
// their people, and the people/ folders carry the names. About 40 s on a quiet 2-core machine (two encodes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findData } from '../../lib/paths.ts';
import {
  ignoreFace, listPeople, mergePeople, moveFace, namePerson, openPeople, splitPerson, updateStorePeople, type StorePeople,
} from '../../lib/people/people.ts';

const subset = findData('lfw-subset/120faces');
const SKIP = subset ? false : 'LFW 120-face subset not found (set FACECLUSTER_DATA; see data/README.md)';
const FIRST = ['Aaron_Peirsol', 'Abdoulaye_Wade', 'Abdullah', 'Abdullah_Gul', 'Abel_Pacheco', 'Adam_Sandler', 'Adrien_Brody', 'Ahmed_Chalabi'];
/** Photos that come later: [identity, index of the photo]. Adam_Sandler's 4th: he starts with 3, so he is not
 * among the five largest people the corrections touch, and his new photo must join him. */
const HELD_BACK: [string, number][] = [['Abdullah_Gul', 4], ['Adrien_Brody', 4], ['Adam_Sandler', 3]];
const NEW_PERSON = 'Al_Gore'; // 3 photos, all later

async function runCli(...args: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import('../../lib/cli/main.ts');
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void out.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

const copy = (photos: string, who: string, k: number) => {
  const name = readdirSync(join(subset!, who)).sort()[k];
  mkdirSync(join(photos, who), { recursive: true });
  copyFileSync(join(subset!, who, name), join(photos, who, name));
};
const identity = (face: string) => face.split('/')[0];
const personOf = (p: StorePeople, face: string) => p.state.personOf[p.state.faceIds.indexOf(face)];
const statusOf = (p: StorePeople, face: string) => p.state.status[p.state.faceIds.indexOf(face)];

test('LFW subset: corrections of every kind hold and named people keep id and name when photos are added and on re-cluster', { skip: SKIP }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'fc-people-lfw-'));
  try {
    const photos = join(root, 'photos');
    const out = join(root, 'out');
    const store = join(out, 'store');
    for (const who of FIRST) for (let k = 0; k < 4; k++) if (!HELD_BACK.some(([w, i]) => w === who && i === k)) copy(photos, who, k);
    let r = await runCli('run', photos, '--out', out, '--no-report', '--labels', 'folder');
    assert.equal(r.code, 0, r.out);
    const p0 = await openPeople(store);
    const people0 = listPeople(p0);
    assert.ok(people0.length >= 6, `${people0.length} people from 8 identities:\n${r.out}`);
    const majority = (faces: string[]) => {
      const c = new Map<string, number>();
      for (const f of faces) c.set(identity(f), (c.get(identity(f)) ?? 0) + 1);
      return [...c.entries()].sort((a, b) => b[1] - a[1])[0][0];
    };
    // The corrections: a, b, c, d, e are the five largest people (ties by id), as the first run found them.
    const [a, b, c, d, e] = people0;
    assert.ok(e && c.faces.length >= 2 && d.faces.length >= 1, 'five people with faces to correct');
    await namePerson(store, a.id, majority(a.faces));
    await namePerson(store, b.id, majority(b.faces));
    const moved = a.faces[0]; // against its embedding: a -> b
    await moveFace(store, moved, b.id);
    const split = c.faces[c.faces.length - 1];
    const afterSplit = await splitPerson(store, c.id, [split]);
    const splitId = personOf(afterSplit, split);
    assert.ok(splitId > Math.max(...people0.map((p) => p.id)), 'the split face got a new id');
    await mergePeople(store, d.id, e.id); // e joins d (the user says they are one person)
    const merged = [...d.faces, ...e.faces];
    const ignored = b.faces[b.faces.length - 1];
    await ignoreFace(store, ignored, 'ignore');
    const notAFace = c.faces[0];
    await ignoreFace(store, notAFace, 'not-a-face');
    const named = [[a.id, majority(a.faces)], [b.id, majority(b.faces)]] as const;

    const holds = (p: StorePeople, why: string) => {
      for (const [id, name] of named) assert.equal(p.state.persons.find((x) => x.id === id)?.name, name, `${why}: ${name} keeps id ${id}`);
      assert.equal(personOf(p, moved), b.id, `${why}: moved face`);
      assert.equal(personOf(p, split), splitId, `${why}: split face`);
      assert.ok(!p.state.persons.some((x) => x.id === e.id), `${why}: merged-away id ${e.id} retired`);
      for (const f of merged) assert.equal(personOf(p, f), d.id, `${why}: merged face ${f}`);
      assert.equal(statusOf(p, ignored), 'ignored', `${why}: ignored face`);
      assert.equal(statusOf(p, notAFace), 'not-a-face', `${why}: not-a-face`);
    };
    holds(await openPeople(store), 'after the corrections');

    // Held-back photos, and `facecluster run` again: incremental by default.
    for (const [who, k] of HELD_BACK) copy(photos, who, k);
    for (let k = 0; k < 3; k++) copy(photos, NEW_PERSON, k);
    r = await runCli('run', photos, '--out', out, '--no-report', '--labels', 'folder');
    assert.equal(r.code, 0, r.out);
    // every face the encode step found in the 6 new photos reaches the people step (a photo may hold a second, background face)
    const found = Number(/faces found: (\d+) this run/.exec(r.out)?.[1]);
    assert.ok(found >= 6, r.out);
    assert.match(r.out, new RegExp(`${found} new faces: \\d+ joined existing people, \\d+ new people`));
    const p1 = await openPeople(store);
    holds(p1, 'after adding photos');
    // Each held-back photo of a known person joins the person holding most of that identity's faces before; the
    // new identity's 3 photos make one new person.
    const heldBack = HELD_BACK.map(([who, k]) => ({ who, face: p1.state.faceIds.find((f) => f.startsWith(`${who}/`) && f.includes(`_000${k + 1}.`))! }));
    for (const { face } of heldBack) {
      const p = personOf(p1, face);
      if (p >= 0) assert.ok(p1.state.persons.some((x) => x.id === p), `${face} is in a person that exists`);
    }
    // (the rule may leave an odd photo unassigned, as the default clustering would: at least two make the person)
    const gore = p1.state.faceIds.filter((f) => identity(f) === NEW_PERSON).map((f) => personOf(p1, f)).filter((x) => x >= 0);
    assert.ok(gore.length >= 2 && new Set(gore).size === 1, `${NEW_PERSON}'s photos are one person: ${gore}`);
    assert.ok(gore[0] > splitId, `${NEW_PERSON} gets a new id`);
    // Names in the people/ folder names.
    const folders = readdirSync(join(out, 'people'));
    for (const [id, name] of named) assert.ok(folders.includes(`${name} (person-${id})`), `${folders}`);

    // Re-cluster from scratch: corrections, ids and names still hold.
    const p2 = await updateStorePeople(store, { recluster: true });
    holds(p2, 'after re-clustering');
    // The incremental run put the held-back photo of a person no correction touched into that person's people or
    // left it unassigned (average linkage may: the re-cluster, which merges in another order, is the reference
    // for how often; bench:people measures it on all of LFW), never into someone else.
    let checked = 0;
    for (const { who, face } of heldBack) {
      const corrected = [...merged, split, moved, ignored, notAFace].some((f) => identity(f) === who);
      if (corrected) continue; // (a photo may rightly follow a split-off face, or a merged person, differently)
      const p = personOf(p1, face);
      const members = p1.state.faceIds.filter((f, i) => p1.state.personOf[i] === p && f !== face);
      if (p >= 0) assert.equal(majority(members), who, `${face} joined person ${p}, who is mostly ${majority(members)}`);
      checked++;
    }
    assert.ok(checked >= 1, 'at least one held-back photo of an uncorrected person was checked');
    assert.equal(personOf(p2, p2.state.faceIds.find((f) => identity(f) === NEW_PERSON)!), gore[0], `${NEW_PERSON} keeps its id`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
