/**
 * A cross-origin write in a real browser: Chromium holds the app's cookie (the user opened the printed URL), then
 * visits a page of another local server (127.0.0.1, another port: same site, so the SameSite cookie is sent). That
 * page tries a form post, a no-cors fetch with the cookie, a fetch with a JSON body and a guessed header, and reading
 * the people; every attempt is refused or unreadable, and the journal stays empty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeToyStore } from '../cli/_toy.ts';
import { updateStorePeople } from '../../lib/people/people.ts';
import { readCorrections } from '../../lib/people/journal.ts';
import { startServer } from '../../lib/serve/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} missing (apt-get install chromium)`;

test('another origin cannot change the people, nor read them, from the browser that holds the cookie', { skip }, async () => {
  const t = await makeToyStore();
  await updateStorePeople(t.store);
  const app = await startServer(t.store, { port: 0 });
  const evil = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(`<!DOCTYPE html><form id="f" method="POST" action="${app.origin}/api/name" enctype="text/plain"><input name='{"person":1,"name":"x","pad":"' value='"}'></form>`);
  });
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
  const evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(app.url);
    await page.waitForSelector('[data-person]');
    assert.ok((await context.cookies(app.origin)).some((c) => c.name === 'facecluster_token'), 'the browser holds the cookie');
    const answers: number[] = [];
    page.on('response', (r) => { if (r.url().startsWith(`${app.origin}/api/`)) answers.push(r.status()); });
    await page.goto(evilOrigin);
    // A string, not a function: tsx adds helpers to named functions that the page does not have.
    const attempts = await page.evaluate<Record<string, string>>(`(async (target) => {
      const out = {};
      const body = JSON.stringify({ person: 1, name: 'Mallory' });
      const tryIt = async (what, f) => {
        try {
          const r = await f();
          out[what] = r.type + ' ' + r.status;
        } catch (e) {
          out[what] = 'blocked: ' + e.name;
        }
      };
      await tryIt('no-cors post with the cookie', () => fetch(target + '/api/name', { method: 'POST', mode: 'no-cors', credentials: 'include', headers: { 'content-type': 'text/plain' }, body }));
      await tryIt('cors post, JSON and a guessed header', () => fetch(target + '/api/name', { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json', 'x-facecluster-token': 'guess' }, body }));
      await tryIt('read the people', () => fetch(target + '/api/people', { credentials: 'include' }));
      return out;
    })(${JSON.stringify(app.origin)})`);
    assert.equal(attempts['no-cors post with the cookie'], 'opaque 0', 'sent blind; the server refuses it (below)');
    assert.match(attempts['cors post, JSON and a guessed header'], /^blocked: TypeError$/, 'the preflight is not answered with CORS headers');
    assert.match(attempts['read the people'], /^blocked: TypeError$/, 'no CORS: nothing readable');
    await Promise.all([page.waitForNavigation(), page.evaluate(`document.getElementById('f').submit()`)]);
    assert.match(await page.content(), /a change needs the token in the x-facecluster-token header/);
    assert.ok(answers.length >= 2 && answers.every((s) => s >= 400), `the server answered ${answers.join(', ')}`);
    assert.deepEqual((await readCorrections(t.store)).entries, [], 'nothing was journalled');
  } finally {
    await browser.close();
    await new Promise((r) => evil.close(r));
    await app.close();
    rmSync(t.root, { recursive: true, force: true });
  }
});
