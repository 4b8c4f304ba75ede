// The report's "Decisions to check" on a store with people: the decisions are the people's (captioned with their
// names), every pair listed shows faces of both people (never "Clusters 118 (0) and 120 (0)" with no face), and
// the section points to `facecluster serve` to act on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { namePerson, updateStorePeople } from '../../lib/people/people.ts';
import { makeToyStore } from '../cli/_toy.ts';

test('report on a store with people: decisions about the people, each with faces, pointing to serve', async () => {
  const t = await makeToyStore();
  try {
    await updateStorePeople(t.store);
    await namePerson(t.store, 1, 'Ann Smith');
    const { main } = await import('../../lib/cli/main.ts');
    const [e, l] = [console.error, console.log];
    console.error = console.log = () => undefined;
    let code: number;
    try {
      code = await main(['report', t.store, '--out', join(t.root, 'report.html'), '--reducer', 'pca', '--no-sweep']);
    } finally {
      [console.error, console.log] = [e, l];
    }
    assert.ok(code <= 1);
    const html = readFileSync(join(t.root, 'report.html'), 'utf8');
    const section = /<section id="decisions">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    assert.match(section, /<h2>Decisions to check \(people \(names and corrections kept across runs\)\)<\/h2>/);
    assert.match(section, /facecluster serve/);
    const pairs = [...section.matchAll(/<div class="err"><h4>([^<]*) \((\d+)\) and ([^<]*) \((\d+)\): distance [^<]*<\/h4><div class="part"><div class="faces">(.*?)<\/div><\/div><div class="part"><div class="faces">(.*?)<\/div><\/div><\/div>/g)];
    // 3 people (Ann, Bob, Cid with 3 faces each; Dee and Eve unassigned): 3 pairs at most, at least one listed.
    assert.ok(pairs.length >= 1 && pairs.length <= 3, `${pairs.length} pairs`);
    for (const p of pairs) {
      assert.match(p[1], /^(Ann Smith \(person 1\)|person [23])$/);
      assert.equal(Number(p[2]), 3);
      assert.equal(Number(p[4]), 3);
      assert.equal((p[5].match(/<figure/g) ?? []).length, 3, `faces of ${p[1]}`);
      assert.equal((p[6].match(/<figure/g) ?? []).length, 3, `faces of ${p[3]}`);
    }
    assert.doesNotMatch(section, /\(0\)/);
  } finally {
    rmSync(t.root, { recursive: true, force: true });
  }
});
