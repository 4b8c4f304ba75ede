// `facecluster people`, run in this process on the toy store (test/cli/_toy.ts: Ann, Bob, Cid with 3 faces each,
// Dee and Eve with one): every subcommand, and a table of usage errors that exit 2 naming the bad argument.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { makeToyStore } from './_toy.ts';

async function people(...args: string[]) {
  const { main } = await import('../../lib/cli/main.ts');
  const err: string[] = [];
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(['people', ...args]), err: err.join('\n'), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

test('facecluster people: update, list, show, name, move, split, merge, ignore; tables readable as Arrow', async () => {
  const t = await makeToyStore();
  try {
    let r = await people(t.store, 'list');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /0 people; 11 faces \(0 confirmed, 0 unassigned, 0 unsorted \(too poor to recognise\), 11 new, 0 ignored\)/);
    r = await people(t.store, 'update');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /11 new faces: 0 joined existing people, 3 new people/);
    assert.match(r.out, /3 people; 11 faces \(0 confirmed, 2 unassigned, 0 unsorted \(too poor to recognise\), 0 new, 0 ignored\)/); // Dee and Eve: one face each
    r = await people(t.store, 'show', '1', '--json');
    const ann = JSON.parse(r.out) as { id: number; faces: string[] };
    assert.deepEqual(ann.faces, ['Ann/Ann_0001.jpg#0', 'Ann/Ann_0002.jpg#0', 'Ann/Ann_0003.jpg#0']);
    assert.equal((await people(t.store, 'name', '1', 'Ann Smith')).code, 0);
    assert.equal((await people(t.store, 'move', 'Ann/Ann_0003.jpg', '2')).code, 0); // "#0" may be left out
    r = await people(t.store, 'split', '3', 'Cid/Cid_0001.jpg#0');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1 face of person 3 are now person 4/);
    assert.equal((await people(t.store, 'merge', '3', '4')).code, 0);
    r = await people(t.store, 'ignore', 'Bob/Bob_0001.jpg#0', '--not-a-face');
    assert.equal(r.code, 0, r.err);
    r = await people(t.store, 'list', '--json');
    const list = JSON.parse(r.out) as { people: { id: number; name: string | null; faces: number; confirmedFaces: number }[]; faces: Record<string, number> };
    assert.deepEqual(list.people.map((p) => [p.id, p.name, p.faces, p.confirmedFaces]), [
      [2, null, 3, 1], // Bob's 2 faces left + Ann/3 moved in (confirmed)
      [3, null, 3, 3], // Cid again: merge confirmed all three
      [1, 'Ann Smith', 2, 0],
    ]);
    assert.equal(list.faces['not-a-face'], 1);
    // A re-cluster keeps every correction.
    r = await people(t.store, 'update', '--recluster', '--json');
    assert.equal(r.code, 0, r.err);
    const again = JSON.parse(r.out) as typeof list;
    assert.deepEqual(again.people.map((p) => [p.id, p.name, p.faces]), [[2, null, 3], [3, null, 3], [1, 'Ann Smith', 2]]);
    // The tables are plain Arrow files (pandas.read_feather reads them too).
    const table = tableFromIPC(readFileSync(join(t.store, 'people.arrow')));
    assert.deepEqual(table.schema.fields.map((f) => f.name), ['personId', 'name', 'createdAt', 'faces', 'confirmedFaces']);
    const faces = tableFromIPC(readFileSync(join(t.store, 'people-faces.arrow')));
    assert.equal(faces.numRows, 11);
    const journal = readFileSync(join(t.store, 'corrections.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).op);
    assert.deepEqual(journal, ['name', 'move', 'split', 'merge', 'ignore']);
    // The report shows the people first, captioned with their names.
    const { main } = await import('../../lib/cli/main.ts');
    const [e, l] = [console.error, console.log];
    console.error = console.log = () => undefined;
    let code: number;
    try {
      code = await main(['report', t.store, '--out', join(t.root, 'report.html'), '--reducer', 'pca', '--methods', 'chinese-whispers', '--no-sweep']);
    } finally {
      [console.error, console.log] = [e, l];
    }
    assert.equal(code, 0);
    const html = readFileSync(join(t.root, 'report.html'), 'utf8');
    assert.match(html, /Ann Smith \(person 1\): 2 faces/);
    assert.match(html, /people \(names and corrections kept across runs\)/);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('facecluster people: usage errors exit 2 and name the bad argument', async () => {
  const t = await makeToyStore();
  try {
    assert.equal((await people(t.store, 'update')).code, 0);
    const cases: [string[], RegExp][] = [
      [[], /missing <store>/],
      [[join(t.root, 'nope'), 'list'], /<store> ".*nope" does not exist/],
      [[t.store], /missing subcommand; one of list, show, name, merge, move, split, ignore, distinct, update/],
      [[t.store, 'rename', '1', 'x'], /unknown subcommand "rename"/],
      [[t.store, 'show'], /people show: expected ID, got 0 arguments/],
      [[t.store, 'show', 'one'], /people show: ID must be a person id \(an integer >= 1\), got "one"/],
      [[t.store, 'show', '99'], /people show: ID must be a person of this store \(see `list`\), got 99/],
      [[t.store, 'name', '1'], /people name: expected ID NAME, got 1 argument: "1"/],
      [[t.store, 'name', '0', 'x'], /people name: ID must be a person id \(an integer >= 1\), got "0"/],
      [[t.store, 'name', '99', 'x'], /namePerson: id must be the id of a person of this store \(3 people, ids 1, 2, 3\), got 99/],
      [[t.store, 'merge', '1', '1'], /people merge: OTHER must differ from ID, got 1 twice/],
      [[t.store, 'merge', '1', '2.5'], /people merge: OTHER must be a person id/],
      [[t.store, 'move', 'Zed/Zed_0001.jpg#0', '1'], /moveFace: face must be a face of this store .* got "Zed\/Zed_0001\.jpg#0"/],
      [[t.store, 'move', 'Ann/Ann_0001.jpg#0', '77'], /moveFace: to must be the id of a person of this store/],
      [[t.store, 'split', '1'], /people split: expected ID FACE\.\.\., got 1 argument/],
      [[t.store, 'split', '1', 'Bob/Bob_0001.jpg#0'], /splitPerson: faces\[0\] must be a face of person 1, got "Bob\/Bob_0001\.jpg#0" \(in person 2\)/],
      [[t.store, 'split', '1', 'Ann/Ann_0001.jpg', 'Ann/Ann_0002.jpg', 'Ann/Ann_0003.jpg'], /splitPerson: faces must leave at least one face in person 1/],
      [[t.store, 'ignore'], /people ignore: expected FACE\.\.\., got 0 arguments/],
      [[t.store, 'distinct', '2', '2'], /people distinct: OTHER must differ from ID, got 2 twice/],
      [[t.store, 'distinct', '2', '99'], /markDistinct: b must be the id of a person of this store/],
      [[t.store, 'list', '--recluster'], /--recluster goes with `update`/],
      [[t.store, 'name', '1', 'x', '--not-a-face'], /--not-a-face goes with `ignore`/],
      [[t.store, 'name', '1', 'x', '--wait=-1'], /--wait must be an integer >= 0, got -1/],
      [[t.store, 'name', '1', 'x', '--wait', 'soon'], /--wait must be a number, got "soon"/],
      [[t.store, 'list', '--colour'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const r = await people(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message, args.join(' '));
    }
    // Nothing was journalled by the refused commands.
    assert.throws(() => readFileSync(join(t.store, 'corrections.jsonl')), /ENOENT/);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
