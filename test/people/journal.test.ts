// The corrections journal survives kill -9 (a forked writer killed mid-corrections), torn lines are skipped and
// never glue onto the next correction, and two processes changing people at once are serialised by the lock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendCorrection, checkCorrection, CORRECTIONS_FILE, readCorrections } from '../../lib/people/journal.ts';
import { namePerson, openPeople, PEOPLE_LOCK_FILE, updateStorePeople } from '../../lib/people/people.ts';
import { makeToyStore } from '../cli/_toy.ts';

const TSX = ['--import', 'tsx'];
const here = 'test/people';

function journalLines(store: string): number {
  const p = join(store, CORRECTIONS_FILE);
  return existsSync(p) ? readFileSync(p, 'utf8').split('\n').length - 1 : 0;
}

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null || c.signalCode !== null ? r(c.exitCode) : c.on('exit', (code) => r(code))));

test('journal: a torn last line is skipped, and the next correction starts on its own line', async () => {
  const t = await makeToyStore();
  try {
    appendCorrection(t.store, { op: 'name', person: 1, name: 'A' });
    appendFileSync(join(t.store, CORRECTIONS_FILE), '{"at":"2026-01-01T00:00:00.000Z","op":"name","per'); // a kill mid-write
    let j = await readCorrections(t.store);
    assert.deepEqual(j.entries.map((e) => e.op === 'name' && e.name), ['A']);
    assert.deepEqual(j.damaged, [2]);
    const e = appendCorrection(t.store, { op: 'name', person: 1, name: 'B' });
    assert.equal(e.line, 3);
    j = await readCorrections(t.store);
    assert.deepEqual(j.entries.map((x) => [x.line, x.op === 'name' && x.name]), [[1, 'A'], [3, 'B']]);
    assert.deepEqual(j.damaged, [2]);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('journal: corrections are checked before they are written', () => {
  assert.throws(() => checkCorrection('t', { op: 'rename', person: 1 }), /t: correction\.op must be one of "name", "merge", "move", "split", "ignore", "distinct", got "rename"/);
  assert.throws(() => checkCorrection('t', { op: 'name', person: 0, name: 'x' }), /correction\.person must be a person id \(an integer >= 1\), got 0/);
  assert.throws(() => checkCorrection('t', { op: 'name', person: 1, name: 'two\nlines' }), /correction\.name must be a non-empty single-line string, or null/);
  assert.throws(() => checkCorrection('t', { op: 'move', face: 'a.jpg', from: null, to: 2 }), /correction\.face must be a face id/);
  assert.throws(() => checkCorrection('t', { op: 'merge', from: 2, into: 2, faces: [] }), /correction\.into must be a person other than from \(2\), got 2/);
  assert.throws(() => checkCorrection('t', { op: 'split', person: 2, faces: [], newPerson: 3 }), /correction\.faces must be a non-empty array/);
  assert.throws(() => checkCorrection('t', { op: 'ignore', face: 'a.jpg#0', reason: 'blurry' }), /correction\.reason must be "ignore" or "not-a-face", got "blurry"/);
});

test('kill -9 while corrections are being written: the store opens and every earlier correction is intact', async () => {
  const t = await makeToyStore();
  try {
    await updateStorePeople(t.store);
    const child = spawn(process.execPath, [...TSX, join(here, '_correction-writer.ts'), t.store], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    await until(`30 corrections (child stderr: ${err})`, () => journalLines(t.store) >= 30);
    child.kill('SIGKILL');
    await exited(child);
    const j = await readCorrections(t.store);
    assert.ok(j.entries.length >= 30, `${j.entries.length} corrections survived`);
    // Every correction that made it is whole and in order: name-0, name-1, ...
    j.entries.forEach((e, k) => assert.deepEqual([e.op, e.op === 'name' ? e.name : null, e.line], ['name', `name-${k}`, k + 1]));
    // At most the one correction being written is lost: a torn last line, nothing else.
    assert.ok(j.damaged.length <= 1 && j.damaged.every((l) => l === j.entries.length + 1), `damaged lines ${j.damaged}`);
    const people = await openPeople(t.store);
    assert.equal(people.state.persons.find((p) => p.id === 1)?.name, `name-${j.entries.length - 1}`);
    // The killed writer's lock is stale: the next change takes it over, and lands after the old lines.
    const after = await namePerson(t.store, 1, 'after the kill', { waitMs: 0 });
    assert.equal(after.state.persons.find((p) => p.id === 1)?.name, 'after the kill');
    assert.equal((await readCorrections(t.store)).entries.length, j.entries.length + 1);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});

test('two processes changing people at once: the second is refused with a clear message, or waits; nothing is lost', async () => {
  const t = await makeToyStore();
  try {
    await updateStorePeople(t.store);
    const holder = spawn(process.execPath, [...TSX, join(here, '_lock-holder.ts'), t.store], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    holder.stdout!.on('data', (d) => (out += d));
    await until('the lock holder', () => out.includes('locked'));
    await assert.rejects(namePerson(t.store, 1, 'refused', { waitMs: 0 }), (e: Error) => {
      assert.match(e.message, new RegExp(`namePerson: another facecluster process \\(pid ${holder.pid}\\) is changing the people of the store .*; try again when it has finished, or stop it \\(the lock file is .*${PEOPLE_LOCK_FILE}\\)\\.`));
      return true;
    });
    // The CLI says the same and exits 3.
    const cli = spawnSync(process.execPath, ['bin/facecluster.js', 'people', t.store, 'name', '2', 'refused too', '--wait', '0'], { encoding: 'utf8' });
    assert.equal(cli.status, 3, cli.stderr);
    assert.match(cli.stderr, /another facecluster process \(pid \d+\) is changing the people of the store/);
    // Waiting: it gets the lock once the holder lets go.
    const waiting = namePerson(t.store, 1, 'waited', { waitMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    holder.stdin!.end('release\n');
    const waited = await waiting;
    assert.equal(await exited(holder), 0);
    assert.equal(waited.state.persons.find((p) => p.id === 1)?.name, 'waited');
    // Two CLI commands at once: both succeed (one waits for the other), both corrections are journalled.
    const run = (id: string, name: string) => new Promise<{ code: number | null; err: string }>((resolve) => {
      const c = spawn(process.execPath, ['bin/facecluster.js', 'people', t.store, 'name', id, name, '--wait', '120'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      c.stderr!.on('data', (d) => (err += d));
      c.on('exit', (code) => resolve({ code, err }));
    });
    const [a, b] = await Promise.all([run('1', 'Ann'), run('2', 'Bob')]);
    assert.equal(a.code, 0, a.err);
    assert.equal(b.code, 0, b.err);
    const j = await readCorrections(t.store);
    assert.deepEqual(j.entries.map((e) => (e.op === 'name' ? e.name : e.op)).sort(), ['Ann', 'Bob', 'waited']);
    assert.deepEqual(j.damaged, []);
    const people = await openPeople(t.store);
    assert.deepEqual(people.state.persons.filter((p) => p.name).map((p) => [p.id, p.name]), [[1, 'Ann'], [2, 'Bob']]);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
