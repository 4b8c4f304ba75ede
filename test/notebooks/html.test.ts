/**
 * `npm run notebooks:html`: the exported pages (out/html/) are self-contained. Chromium opens the page of 04-tune
 * with every network request blocked and must draw each of its charts (an image of non-zero size per chart
 * bundle of the executed notebook) and each table, having attempted no request; and the face map of
 * 06-your-photos, with JavaScript off, must show a face when the pointer is on its point. Screenshots:
 * test-output/html-04-tune.png, html-06-map-hover.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../lib/paths.ts';
import { VEGA_LITE_MIME } from '../../lib/viz/display.ts';
import { EXECUTED_DIR, readExecuted, REQUIRED, skipUnlessExecuted } from './_executed.ts';

const CHROMIUM = '/usr/bin/chromium';
const NAME = '04-tune';
const page = join(PROJECT_ROOT, 'out', 'html', `${NAME}.html`);
const executed = join(EXECUTED_DIR, `${NAME}.ipynb`);
const exportProblem = !existsSync(page) ? `${page} missing: run npm run notebooks:html`
  : existsSync(executed) && statSync(page).mtimeMs < statSync(executed).mtimeMs ? `${page} is older than the executed notebook: rerun npm run notebooks:html` : undefined;
const skip = !existsSync(CHROMIUM) ? `${CHROMIUM} missing (apt-get install chromium)`
  : skipUnlessExecuted() || (exportProblem && !REQUIRED ? exportProblem : false);

test(`notebooks:html: ${NAME}.html draws its charts and tables in Chromium with the network blocked`, { skip }, async () => {
  assert.equal(exportProblem, undefined);
  const outputs = readExecuted(`${NAME}.ipynb`).cells.flatMap((c) => c.outputs ?? []);
  const charts = outputs.filter((o) => o.data?.[VEGA_LITE_MIME]).length;
  const tables = outputs.filter((o) => /<table/i.test(String(o.data?.['text/html'] ?? ''))).length;
  assert.ok(charts >= 3, `the notebook has charts (${charts})`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const blocked: string[] = [];
    const errors: string[] = [];
    await tab.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
    const drawn = (await tab.evaluate(`(() => {
      const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
      const outputs = [...document.querySelectorAll('.jp-OutputArea-output')];
      return {
        images: outputs.flatMap((o) => [...o.querySelectorAll('img, svg')]).filter((e) => visible(e) && (e.tagName !== 'IMG' || e.naturalWidth > 0)).length,
        tables: outputs.flatMap((o) => [...o.querySelectorAll('table')]).filter(visible).length,
      };
    })()`)) as { images: number; tables: number };
    assert.ok(drawn.images >= charts, `${drawn.images} images drawn for ${charts} charts`);
    assert.ok(drawn.tables >= tables, `${drawn.tables} tables drawn of ${tables}`);
    assert.deepEqual(blocked, [], 'the page requested nothing from the network');
    assert.deepEqual(errors, []);
    mkdirSync(join(PROJECT_ROOT, 'test-output'), { recursive: true });
    await tab.screenshot({ path: join(PROJECT_ROOT, 'test-output', `html-${NAME}.png`), fullPage: true });
  } finally {
    await browser.close();
  }
});

const MAP_PAGE = join(PROJECT_ROOT, 'out', 'html', '06-your-photos.html');
const mapSkip = skip || (!existsSync(MAP_PAGE) && !REQUIRED ? `${MAP_PAGE} missing: run npm run notebooks:html` : false);

test('notebooks:html: the face map of 06-your-photos.html shows a face on hover, offline, without script', { skip: mapSkip }, async () => {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
    const tab = await context.newPage();
    await tab.route('**/*', (route) => (/^(file|data):/.test(route.request().url()) ? route.continue() : route.abort()));
    await tab.goto(pathToFileURL(MAP_PAGE).href, { waitUntil: 'load' });
    const map = tab.locator('svg[id^="fm"]');
    assert.equal(await map.count(), 1, 'one face map');
    const id = (await map.getAttribute('id'))!;
    const nFaces = await map.locator('circle').count();
    const mapText = readExecuted('06-your-photos.ipynb').cells.flatMap((c) => c.outputs ?? []).map((o) => String(o.data?.['text/plain'] ?? '')).find((t) => t.startsWith('Map of '));
    assert.equal(mapText?.match(/^Map of (\d+) faces/)?.[1], String(nFaces), 'one point per face');
    // A point not covered by another one, and its thumbnail: hidden, then visible while the pointer is on the point.
    await map.scrollIntoViewIfNeeded();
    const target = (await tab.evaluate((mapId) => {
      const all = Array.from(document.querySelectorAll(`#${mapId} circle`));
      return all.findIndex((c, i) => {
        const r = c.getBoundingClientRect();
        return document.getElementById(`${mapId}t${i}`) !== null && document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === c;
      });
    }, id)) as number;
    assert.ok(target >= 0, 'some point with a thumbnail can be pointed at');
    const thumb = tab.locator(`#${id}t${target}`);
    const visibility = () => thumb.evaluate((e) => getComputedStyle(e).visibility);
    assert.equal(await visibility(), 'hidden');
    await map.locator('circle').nth(target).hover();
    assert.equal(await visibility(), 'visible');
    assert.match((await thumb.getAttribute('href')) ?? '', /^data:image\/jpeg;base64,/);
    mkdirSync(join(PROJECT_ROOT, 'test-output'), { recursive: true });
    await tab.screenshot({ path: join(PROJECT_ROOT, 'test-output', 'html-06-map-hover.png') });
  } finally {
    await browser.close();
  }
});
