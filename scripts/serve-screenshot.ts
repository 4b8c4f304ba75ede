/**
 * `npx tsx scripts/serve-screenshot.ts`: the README's picture of `facecluster serve` (docs/serve-people.png and
 * docs/serve-person.png), made from a synthetic store of drawn cartoon faces (bench/_synthetic-people.ts), so no
 * photo of anyone is committed. Headless Debian Chromium; the server binds 127.0.0.1 and is closed at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { makeSyntheticPeople } from '../bench/_synthetic-people.ts';
import { PROJECT_ROOT } from '../lib/paths.ts';
import { startServer } from '../lib/serve/server.ts';

const root = mkdtempSync(join(tmpdir(), 'fc-serve-shot-'));
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const { store } = await makeSyntheticPeople(root, { faces: 240, people: 24, perPhoto: 8, tile: 160, nameEvery: 2, variants: 5, seed: 7 });
  const server = await startServer(store, { port: 0 });
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 640 } });
    await page.goto(server.url);
    await page.waitForSelector('[data-person]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-person] img')).every((i) => i.complete && i.naturalWidth > 0));
    await page.screenshot({ path: join(PROJECT_ROOT, 'docs', 'serve-people.png') });
    await page.click('[data-person="1"]');
    await page.waitForSelector('[data-testid="faces"] [data-face]');
    await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('[data-testid="faces"] img')).every((i) => i.complete && i.naturalWidth > 0));
    const faces = page.locator('[data-testid="faces"] button.pick');
    await faces.nth(2).click();
    await faces.nth(5).click({ modifiers: ['Shift'] });
    await page.screenshot({ path: join(PROJECT_ROOT, 'docs', 'serve-person.png') });
  } finally {
    await server.close();
  }
} finally {
  await browser.close();
  rmSync(root, { recursive: true, force: true });
}
console.log('wrote docs/serve-people.png, docs/serve-person.png');
