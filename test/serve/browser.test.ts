/**
 * `facecluster serve` in headless Chromium with real clicks, on a store of LFW subset photos made by the real
 * `facecluster run` (21 photos of 6 people): rename a person, move a face, split, ignore, merge two people, mark a
 * face "not a face", answer review questions (yes by key, no by click), sort and search by name. After a reload and after
 * `facecluster people list` the people are the same; the journal holds each correction; a later `run` with 4 new
 * photos keeps every one of them. About 30 s on the shared 2-core machine (two encodes of 21 and 4 photos).
 * Screenshots of each page: test-output/serve/*.png (gitignored).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findData, PROJECT_ROOT } from '../../lib/paths.ts';
import { listPeople, openPeople, type StorePeople } from '../../lib/people/people.ts';
import { rootPerson } from '../../lib/people/constraints.ts';
import { readCorrections, type JournalEntry } from '../../lib/people/journal.ts';
import { startServer, type RunningServer } from '../../lib/serve/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const subset = findData('lfw-subset/120faces');
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)` : !subset ? 'LFW 120-face subset not found (set FACECLUSTER_DATA; see data/README.md)' : false;
const SHOTS = join(PROJECT_ROOT, 'test-output', 'serve');
const FIRST: [string, number][] = [['Abdullah_Gul', 5], ['Adrien_Brody', 4], ['Al_Gore', 3], ['Ahmed_Chalabi', 3], ['Aaron_Peirsol', 3], ['Adam_Sandler', 3]];
const LATER: [string, number[]][] = [['Abdullah_Gul', [5]], ['Adrien_Brody', [4]], ['Abdoulaye_Wade', [0, 1]]];

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;
let browser: Browser | undefined;
let server: RunningServer | undefined;
let root = '';

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const { main } = await import('../../lib/cli/main.ts');
  const out: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = () => undefined;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

function copy(photos: string, who: string, k: number): void {
  const name = readdirSync(join(subset!, who)).sort()[k];
  mkdirSync(join(photos, who), { recursive: true });
  copyFileSync(join(subset!, who, name), join(photos, who, name));
}

/** Whether one journalled correction holds in the people now (ids followed through later merges). */
function holds(p: StorePeople, e: JournalEntry): string | null {
  const at = (f: string) => p.state.faceIds.indexOf(f);
  const root = (id: number) => rootPerson(p.constraints, id);
  switch (e.op) {
    case 'name': return p.state.persons.find((x) => x.id === root(e.person))?.name === e.name ? null : `person ${e.person} is not named ${e.name}`;
    case 'move': return p.state.personOf[at(e.face)] === root(e.to) ? null : `${e.face} is not in person ${e.to}`;
    // (a later merge, e.g. a review answer, may join the new person back: followed through root())
    case 'split': return e.faces.every((f) => p.state.personOf[at(f)] === root(e.newPerson)) ? null : `split ${e.faces} undone`;
    case 'merge': return e.faces.every((f) => p.state.personOf[at(f)] === root(e.into)) && !p.state.persons.some((x) => x.id === e.from) ? null : `merge ${e.from} into ${e.into} undone`;
    case 'ignore': return p.state.status[at(e.face)] === (e.reason === 'ignore' ? 'ignored' : 'not-a-face') ? null : `${e.face} is not ${e.reason}`;
    case 'distinct': return root(e.a) !== root(e.b) ? null : `people ${e.a} and ${e.b} are one`;
  }
}

/** The people as the People page shows them: [id, name, faces] per card, by id. */
async function cards(page: Page): Promise<[number, string, number][]> {
  await page.waitForSelector('[data-person]');
  const rows = await page.$$eval('[data-person]', (els) => els.map((el) => [Number(el.getAttribute('data-person')), el.querySelector('b')!.textContent!, Number(/^(\d+) faces/.exec(el.querySelector('span')!.textContent!)![1])] as [number, string, number]));
  return rows.sort((a, b) => a[0] - b[0]);
}

async function listed(store: string): Promise<[number, string, number][]> {
  const r = await cli('people', store, 'list', '--json');
  assert.equal(r.code, 0, r.out);
  const people = (JSON.parse(r.out) as { people: { id: number; name: string | null; faces: number }[] }).people;
  return people.map((p) => [p.id, p.name ?? `Person ${p.id}`, p.faces] as [number, string, number]).sort((a, b) => a[0] - b[0]);
}

before(async () => {
  if (skip) return;
  root = mkdtempSync(join(tmpdir(), 'fc-serve-'));
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

test('serve in Chromium: rename, move, split, ignore, merge, not a face and a review answer by clicks; the journal, people list and a later run agree', { skip }, async () => {
  const photos = join(root, 'photos');
  const out = join(root, 'out');
  const store = join(out, 'store');
  for (const [who, k] of FIRST) for (let i = 0; i < k; i++) copy(photos, who, i);
  let r = await cli('run', photos, '--out', out, '--no-report');
  assert.equal(r.code, 0, r.out);
  const before0 = listPeople(await openPeople(store));
  assert.ok(before0.length >= 4 && before0[0].faces.length >= 4, `people of the first run: ${JSON.stringify(before0.map((p) => p.faces.length))}`);
  const [A, B, C, D] = before0;

  server = await startServer(store, { port: 0 });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('response', (q) => { if (q.status() >= 400) errors.push(`${q.status()} ${q.url()}`); });
  const outside: string[] = [];
  page.on('request', (q) => { if (!q.url().startsWith(server!.origin)) outside.push(q.url()); });

  // People page: a card per person, the groups, search.
  await page.goto(server.url);
  assert.deepEqual(await cards(page), await listed(store), 'the People page shows what `people list` lists');
  assert.ok(!page.url().includes('token='), 'the token leaves the address bar once the cookie is set');
  await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-person] img')).every((i) => i.complete && i.naturalWidth > 0));
  await page.screenshot({ path: join(SHOTS, 'people.png'), fullPage: true });

  // Person page: rename inline.
  await page.click(`[data-person="${A.id}"]`);
  await page.waitForSelector('[data-testid="faces"] [data-face]');
  assert.equal(await page.locator('[data-testid="faces"] [data-face]').count(), A.faces.length);
  await page.click('[data-testid="rename"]');
  await page.fill('[data-testid="rename-input"]', 'Test Person A');
  await page.press('[data-testid="rename-input"]', 'Enter');
  await page.waitForSelector('[data-testid="title"]:has-text("Test Person A")');
  const pick = (face: string) => page.click(`[data-face="${face}"] button.pick`);
  const done = async (text: RegExp) => {
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid="note"]')?.textContent ?? ''), text.source);
  };
  // Move a face to B.
  const [moved, splitOff, ignored] = A.faces;
  await pick(moved);
  await page.fill('[data-testid="move-input"]', `#${B.id}`);
  await page.click('[data-testid="move"]');
  await done(/1 face moved to person/);
  // Split one face off into a new person (selection, then the button).
  await pick(splitOff);
  await page.screenshot({ path: join(SHOTS, 'person.png'), fullPage: true });
  await page.click('[data-testid="split"]');
  await done(/split off into person \d+/);
  const newPerson = Number(/person (\d+)/.exec((await page.textContent('[data-testid="note"]'))!)![1]);
  // Ignore one.
  await pick(ignored);
  await page.click('[data-testid="ignore"]');
  await done(/1 ignored/);
  assert.equal(await page.locator('[data-testid="faces"] [data-face]').count(), A.faces.length - 3);
  // Merge D into C, from C's page.
  await page.goto(`${server.origin}/person/${C.id}`);
  await page.waitForSelector('[data-testid="faces"] [data-face]');
  await page.fill('[data-testid="merge-input"]', `#${D.id}`);
  await page.click('[data-testid="merge"]');
  await done(new RegExp(`Person ${D.id} merged into`));
  assert.equal(await page.locator('[data-testid="faces"] [data-face]').count(), C.faces.length + D.faces.length);

  // Not a face: from the unsorted faces (the detector's background faces of LFW photos land there).
  await page.click('nav a[href="/"]');
  await page.click('[data-testid="group-unsorted"]');
  await page.waitForSelector('[data-testid="faces"] [data-face]');
  const notAFace = (await page.getAttribute('[data-testid="faces"] [data-face]', 'data-face'))!;
  await pick(notAFace);
  await page.click('[data-testid="not-a-face"]');
  await done(/1 marked "not a face"/);

  // Review: answer the first question with its key.
  await page.click('nav a[href="/review"]');
  const question = await page.waitForSelector('[data-testid="question"]');
  const key = (await question.getAttribute('data-key'))!;
  await page.screenshot({ path: join(SHOTS, 'review.png'), fullPage: true });
  const lines = (await readCorrections(store)).entries.length;
  await page.keyboard.press('y');
  await page.waitForFunction((k) => document.querySelector('[data-testid="question"]')?.getAttribute('data-key') !== k, key);
  const answered = (await readCorrections(store)).entries;
  assert.equal(answered.length, lines + 1, 'the answer is one correction');
  assert.equal(answered[answered.length - 1].op, key.startsWith('pair:') ? 'merge' : 'move');
  // And the next one with "no" (a click this time): two people (distinct), or the face split off on its own.
  const key2 = (await page.getAttribute('[data-testid="question"]', 'data-key'))!;
  await page.click('[data-testid="no"]');
  await page.waitForFunction((k) => document.querySelector('[data-testid="question"]')?.getAttribute('data-key') !== k, key2);
  const no = key2.startsWith('pair:') ? 'distinct' : 'split';
  assert.equal((await readCorrections(store)).entries.at(-1)!.op, no);

  // Photo page: the photo with its boxes.
  await page.goto(`${server.origin}/person/${B.id}`);
  await page.waitForSelector('[data-testid="faces"] [data-face]');
  await page.click(`[data-face="${moved}"] a.photo-link`);
  await page.waitForSelector('[data-testid="photo"] img');
  await page.waitForFunction(() => (document.querySelector<HTMLImageElement>('[data-testid="photo"] img')?.naturalWidth ?? 0) > 0);
  const photoPath = moved.replace(/#\d+$/, '');
  const p1 = await openPeople(store);
  const boxes = await page.$$eval('[data-testid="photo"] .box', (els) => els.map((el) => el.getAttribute('data-face')));
  assert.deepEqual(boxes, p1.state.faceIds.filter((f) => f.startsWith(`${photoPath}#`)), `the boxes of ${photoPath}`);
  await page.screenshot({ path: join(SHOTS, 'photo.png') });

  // The journal holds each correction, in order; each holds now; reload and `people list` agree.
  const journal = (await readCorrections(store)).entries;
  assert.deepEqual(journal.map((e) => e.op), ['name', 'move', 'split', 'ignore', 'merge', 'ignore', key.startsWith('pair:') ? 'merge' : 'move', no]);
  const subject = (e: JournalEntry) => (e.op === 'name' ? e.person : e.op === 'move' || e.op === 'ignore' ? e.face : e.op === 'split' ? e.faces : e.op === 'merge' ? [e.into, e.from] : [e.a, e.b]);
  assert.deepEqual(journal.slice(0, 6).map(subject), [A.id, moved, [splitOff], ignored, [C.id, D.id], notAFace]);
  assert.deepEqual(journal.filter((e) => e.op === 'ignore').map((e) => e.op === 'ignore' && e.reason), ['ignore', 'not-a-face']);
  assert.equal((journal[2] as Extract<JournalEntry, { op: 'split' }>).newPerson, newPerson);
  for (const e of journal) assert.equal(holds(p1, e), null);
  await page.goto(server.origin);
  assert.deepEqual(await cards(page), await listed(store), 'after a reload the page shows what `people list` lists');
  assert.ok((await cards(page)).some(([id, name]) => id === A.id && name === 'Test Person A'));

  // A later run with new photos keeps every correction; the page shows the new faces on reload.
  for (const [who, ks] of LATER) for (const k of ks) copy(photos, who, k);
  r = await cli('run', photos, '--out', out, '--no-report');
  assert.equal(r.code, 0, r.out);
  const p2 = await openPeople(store);
  const added = LATER.flatMap(([who, ks]) => ks.map((k) => `${who}/${readdirSync(join(subset!, who)).sort()[k]}#0`));
  assert.ok(added.every((f) => p2.state.faceIds.includes(f)) && p2.state.faceIds.length >= p1.state.faceIds.length + 4, 'the new photos are in the store');
  for (const e of journal) assert.equal(holds(p2, e), null, `after the second run: ${JSON.stringify(e)}`);
  await page.reload();
  assert.deepEqual(await cards(page), await listed(store), 'after the run the page shows what `people list` lists');
  await page.selectOption('[data-testid="sort"]', 'name');
  assert.equal(await page.getAttribute('[data-person]', 'data-person'), String(A.id), 'sorted by name, the named person first');
  await page.fill('[data-testid="search"]', 'test person');
  await page.waitForFunction(() => document.querySelectorAll('[data-person]').length === 1);
  assert.deepEqual(errors, [], 'no errors in the page');
  assert.deepEqual(outside, [], 'no request leaves the server (no CDN)');
  await page.close();
});
