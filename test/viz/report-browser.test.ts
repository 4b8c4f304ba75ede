/**
 * The HTML report in headless Chromium: no console errors, no network, one map mark per face, a thumbnail in
 * the tooltip on hover, and a malicious file name shown as text without running script.
 * Screenshot: test-output/report.png (gitignored).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildReport } from '../../lib/viz/report.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';
import { EVIL_NAME, reportFixture, reportFixtureMissing } from './_report-fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)` : reportFixtureMissing() ?? false;

type Browser = import('playwright-core').Browser;
type Page = import('playwright-core').Page;
let browser: Browser | undefined;
let page: Page;
let nFaces = 0;
let evilIndex = 0;
const consoleErrors: string[] = [];
const requests: string[] = [];
let dialogs = 0;

/** Page-side helpers: count the symbol items of a chart; screen position of item k. */
const COUNT = `(id) => {
  const view = window.faceclusterReport.views[id];
  let count = 0;
  const visit = (mark) => {
    if (mark.marktype === 'symbol') count += mark.items.length;
    for (const item of mark.items || []) for (const child of item.items || []) visit(child);
  };
  visit(view.scenegraph().root);
  return count;
}`;
const POSITION = `([id, file]) => {
  const view = window.faceclusterReport.views[id];
  let found;
  const visit = (mark) => {
    if (mark.marktype === 'symbol') for (const it of mark.items) if (it.datum && it.datum.file === file) found = it;
    for (const item of mark.items || []) for (const child of item.items || []) visit(child);
  };
  visit(view.scenegraph().root);
  let x = found.x, y = found.y, g = found.mark.group;
  while (g) { x += g.x || 0; y += g.y || 0; g = g.mark && g.mark.group; }
  const rect = view.container().querySelector('canvas').getBoundingClientRect();
  const [ox, oy] = view.origin();
  return { x: rect.left + ox + x, y: rect.top + oy + y };
}`;

before(async () => {
  if (skip) return;
  const { chromium } = await import('playwright-core');
  const fixture = await reportFixture();
  nFaces = fixture.nFaces;
  evilIndex = fixture.evilIndex;
  const { html } = await buildReport(fixture.input, { title: 'LFW toy report', galleryClusters: 8, errorItems: 6 });
  const file = join(mkdtempSync(join(tmpdir(), 'facecluster-html-')), 'report.html');
  writeFileSync(file, html);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('dialog', async (d) => { dialogs++; await d.dismiss(); });
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) requests.push(r.url()); });
  await page.goto(pathToFileURL(file).href);
  await page.evaluate('window.faceclusterReport.ready');
  // Record which face the pointer is over (vega's own picking), to aim the hover precisely.
  await page.evaluate(`window.faceclusterReport.views['map-cluster'].addEventListener('pointermove', (e, item) => { window.hovered = item && item.datum ? item.datum.file : null; })`);
});

/** Moves the pointer onto the map point of `file`: its computed position, then nearby pixels until vega picks it. */
async function hover(file: string): Promise<void> {
  const pos = (await page.evaluate(`(${POSITION})(${JSON.stringify(['map-cluster', file])})`)) as { x: number; y: number };
  await page.mouse.move(pos.x + 40, pos.y + 40);
  const offsets: [number, number][] = [];
  for (let r = 0; r <= 4; r++) for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) if (Math.max(Math.abs(dx), Math.abs(dy)) === r) offsets.push([dx, dy]);
  for (const [dx, dy] of offsets) {
    await page.mouse.move(pos.x + dx, pos.y + dy);
    if ((await page.evaluate('window.hovered')) === file) return;
  }
  throw new Error(`could not hover the point of ${file}`);
}

after(async () => {
  await browser?.close();
});

test('report in Chromium: charts draw without console errors or network requests', { skip }, async () => {
  const ids = await page.evaluate('Object.keys(window.faceclusterReport.views).sort()');
  assert.deepEqual(ids, ['histogram', 'map-cluster', 'map-identity', 'metrics', 'sizes', 'sweep-0']);
  assert.deepEqual(consoleErrors, []);
  assert.deepEqual(requests, []);
});

test('report in Chromium: the map has one mark per face', { skip }, async () => {
  assert.equal(await page.evaluate(`(${COUNT})('map-cluster')`), nFaces);
  assert.equal(await page.evaluate(`(${COUNT})('map-identity')`), nFaces);
});

test('report in Chromium: hovering a point shows its thumbnail and file name', { skip }, async () => {
  const target = await page.evaluate(`(() => { const v = window.faceclusterReport.views['map-cluster']; let f; const visit = (m) => { if (m.marktype === 'symbol' && !f) f = m.items[0].datum.file; for (const it of m.items || []) for (const c of it.items || []) visit(c); }; visit(v.scenegraph().root); return f; })()`) as string;
  await hover(target);
  const tip = page.locator('#vg-tooltip-element.visible');
  await tip.waitFor({ state: 'visible', timeout: 5000 });
  const src = await tip.locator('img').getAttribute('src');
  assert.match(src ?? '', /^data:image\/jpeg;base64,/);
  assert.ok((await tip.textContent())?.includes(target), 'tooltip names the file');
  mkdirSync(join(PROJECT_ROOT, 'test-output'), { recursive: true });
  await page.screenshot({ path: join(PROJECT_ROOT, 'test-output', 'report.png') });
});

test('report in Chromium: a malicious file name is shown as text and runs no script', { skip }, async () => {
  // The name appears as text in the error view (the face is an intruder in cluster 0).
  const shown = page.getByText(EVIL_NAME, { exact: true });
  assert.ok((await shown.count()) >= 1, 'name visible as text');
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  // Its tooltip shows it as text too.
  await hover(EVIL_NAME);
  const tip = page.locator('#vg-tooltip-element.visible');
  await tip.waitFor({ state: 'visible', timeout: 5000 });
  const text = await tip.textContent();
  assert.ok(text?.includes(EVIL_NAME), `tooltip text ${text}`);
  assert.equal(await tip.locator('img').count(), 1, 'only the thumbnail image');
  await page.waitForTimeout(200);
  assert.equal(dialogs, 0, 'no alert() ran');
  assert.equal(evilIndex, nFaces - 1);
  assert.deepEqual(consoleErrors, []);
});
