/**
 * `npm run bench:serve`: how fast `facecluster serve` shows a large collection, in headless Chromium. A synthetic
 * store (bench/_synthetic-people.ts: drawn faces, 128-d vectors, people tables as a run leaves them) of 100,000
 * faces and 5,000 people, person 1 with 2,000 faces; kept in the temp folder between runs (--fresh remakes it).
 *
 * Printed, with the load average: making the store, starting the server (reading the store's people), and for the
 * People page and the 2,000-face Person page: first contentful paint (the browser's own figure) and the time
 * until every thumbnail on screen has loaded, cold (thumbnails made and cached on disk) and warm (median of
 * --repeat loads).
 *
 * --review also times the Review page's questions (lib/people reviewQuestions over every face: minutes at 100,000).
 *
 * Usage: npm run bench:serve [-- --faces 100000 --people 5000 --repeat 3 --fresh --review]
 */
import { existsSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { makeSyntheticPeople } from './_synthetic-people.ts';
import { startServer } from '../lib/serve/server.ts';

const { values } = parseArgs({ options: { faces: { type: 'string', default: '100000' }, people: { type: 'string', default: '5000' }, repeat: { type: 'string', default: '3' }, fresh: { type: 'boolean' }, review: { type: 'boolean' } } });
const faces = Number(values.faces);
const people = Number(values.people);
const repeat = Math.max(1, Number(values.repeat));
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

console.log(`bench:serve: ${faces} faces, ${people} people (person 1: ${Math.ceil(faces / 50)} faces); load ${load()}`);
const root = join(tmpdir(), `fc-bench-serve-${faces}-${people}`);
if (values.fresh) rmSync(root, { recursive: true, force: true });
if (!existsSync(join(root, 'store', 'people.json'))) {
  rmSync(root, { recursive: true, force: true });
  const t = performance.now();
  await makeSyntheticPeople(root, { faces, people, perPhoto: 50, tile: 96, nameEvery: 3, variants: 1, seed: 1 }, (done, total) => {
    if (done % 500 === 0 || done === total) process.stderr.write(`photos ${done}/${total}\n`);
  });
  console.log(`made the store in ${s(performance.now() - t)} (${root}); load ${load()}`);
} else console.log(`reusing ${root} (--fresh remakes it)`);
rmSync(join(root, 'store', 'thumbnails'), { recursive: true, force: true }); // cold thumbnails on the first load

let t = performance.now();
const server = await startServer(join(root, 'store'), { port: 0 });
console.log(`server started (store read, people and indexes built) in ${s(performance.now() - t)}; load ${load()}`);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});

/**
 * Loads `url`; returns, in ms since the navigation started (the page's own clock): the browser's first contentful
 * paint (the header), the first paint with the page's content (cards or faces rendered), and the time every
 * thumbnail on screen has loaded.
 */
async function measure(page: Page, url: string, cells: string): Promise<{ fcp: number; content: number; shown: number; count: number }> {
  await page.goto(url, { waitUntil: 'commit' });
  // Both waits run in the page, polling every frame, so the times are the page's, not a round trip's. (Strings, not
  // functions: tsx would add helpers the page does not have to named functions.)
  const sel = JSON.stringify(cells);
  const content = await page.evaluate<number>(`new Promise((done) => {
    const check = () => { if (document.querySelector(${sel})) requestAnimationFrame(() => done(performance.now())); else requestAnimationFrame(check); };
    check();
  })`);
  const shown = await page.evaluate<number>(`new Promise((done) => {
    const check = () => {
      const imgs = Array.from(document.querySelectorAll(${JSON.stringify(`${cells} img`)})).filter((i) => i.getBoundingClientRect().top < innerHeight);
      if (imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0)) done(performance.now());
      else requestAnimationFrame(check);
    };
    check();
  })`);
  const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  const count = await page.evaluate((sel) => document.querySelectorAll(sel).length, cells);
  return { fcp, content, shown, count };
}

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${server.origin}/api/group/ignored?token=${server.token}`); // sets the token cookie, loads no thumbnail
  const rows: { name: string; cold: Awaited<ReturnType<typeof measure>>; warm: Awaited<ReturnType<typeof measure>> }[] = [];
  for (const [name, url, cells] of [['People page', `${server.origin}/`, '[data-person]'], [`Person page (${Math.ceil(faces / 50)} faces)`, `${server.origin}/person/1`, '[data-testid="faces"] [data-face]']] as const) {
    await page.goto('about:blank');
    const cold = await measure(page, url, cells);
    const warm: Awaited<ReturnType<typeof measure>>[] = [];
    for (let k = 0; k < repeat; k++) {
      await page.goto('about:blank');
      warm.push(await measure(page, url, cells));
    }
    const med = (key: 'fcp' | 'content' | 'shown') => median(warm.map((w) => w[key]));
    rows.push({ name, cold, warm: { fcp: med('fcp'), content: med('content'), shown: med('shown'), count: warm[0].count } });
    if (name.startsWith('Person')) {
      const title = await page.textContent('[data-testid="title"]');
      if (!new RegExp(`${Math.ceil(faces / 50)} faces`).test(title ?? '')) throw new Error(`bench:serve: the Person page should show ${Math.ceil(faces / 50)} faces, shows ${title}`);
    }
  }
  const ms = (v: number) => `${(v / 1000).toFixed(2)}`;
  console.log(`\nseconds since navigation, cold / warm      first paint   content painted   thumbnails on screen   cells in the DOM`);
  for (const { name, cold, warm } of rows) {
    console.log(`${name.padEnd(40)} ${`${ms(cold.fcp)} / ${ms(warm.fcp)}`.padStart(11)}   ${`${ms(cold.content)} / ${ms(warm.content)}`.padStart(15)}   ${`${ms(cold.shown)} / ${ms(warm.shown)}`.padStart(20)}   ${String(warm.count).padStart(16)}`);
  }
  console.log(`(warm: median of ${repeat}; cold: thumbnails made from the photos and cached in ${server.cacheDir}); load ${load()}`);
  // One correction through the app (a rename: the journal line, and the people re-read before and after it).
  t = performance.now();
  const r = await page.evaluate(async ([origin, token]) => (await fetch(`${origin}/api/name`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-facecluster-token': token }, body: JSON.stringify({ person: 2, name: 'Renamed in the bench' }) })).status, [server.origin, server.token] as const);
  if (r !== 200) throw new Error(`bench:serve: the rename answered ${r}`);
  console.log(`a rename (POST /api/name: journalled, people read before and after) took ${s(performance.now() - t)}; load ${load()}`);
  if (values.review) {
    t = performance.now();
    const q = await page.evaluate(async (origin) => (await (await fetch(`${origin}/api/review`)).json()) as { pairs: unknown[]; faces: unknown[] }, server.origin);
    console.log(`the Review page's questions (${q.pairs.length} pairs, ${q.faces.length} faces) took ${s(performance.now() - t)}; load ${load()}`);
  }
} finally {
  await browser.close();
  await server.close();
}
