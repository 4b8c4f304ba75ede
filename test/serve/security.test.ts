/**
 * `facecluster serve` is private by default, on the toy store (test/cli/_toy.ts, people placed): no token or a
 * wrong one is refused; `../../etc/passwd`-like and absolute paths, as URL paths or as face / photo ids, are 404;
 * a change from another origin, without the header token or with the cookie alone is refused and writes nothing;
 * an unknown Host is refused; a non-loopback host needs allowRemote (`--allow-remote`); the photo folder is never
 * written; a change from the page's own origin is the same correction `facecluster people` makes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { makeToyStore } from '../cli/_toy.ts';
import { updateStorePeople } from '../../lib/people/people.ts';
import { readCorrections } from '../../lib/people/journal.ts';
import { startServer, type RunningServer } from '../../lib/serve/server.ts';

let toy: Awaited<ReturnType<typeof makeToyStore>>;
let server: RunningServer;
let photosBefore = '';

/** A raw request (fetch would normalise `..` out of the path). */
function raw(path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method: init.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...init.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const listing = (dir: string): string => readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort().map((f) => `${f}:${statSync(join(dir, f)).mtimeMs}`).join('\n');

before(async () => {
  toy = await makeToyStore();
  await updateStorePeople(toy.store);
  photosBefore = listing(toy.photos);
  server = await startServer(toy.store, { port: 0 });
});

after(async () => {
  await server?.close();
  if (toy) rmSync(toy.root, { recursive: true, force: true });
});

const face = 'Ann/Ann_0001.jpg#0';

test('no token, or a wrong one: every route is refused (401)', async () => {
  for (const path of ['/', '/person/1', '/api/people', '/api/person/1', `/thumb?face=${encodeURIComponent(face)}&size=96`, '/image?photo=Ann%2FAnn_0001.jpg', '/assets/app.js', '/nothing']) {
    assert.equal((await raw(path)).status, 401, path);
    assert.equal((await raw(path, { headers: { 'x-facecluster-token': 'x'.repeat(43) } })).status, 401, `${path} with a wrong token`);
  }
  assert.equal((await raw(`/api/people?token=${server.token.slice(0, -1)}`)).status, 401, 'a token one character short');
  // With the token: the page, and the cookie that the page's own requests carry.
  const page = await raw(`/?token=${server.token}`);
  assert.equal(page.status, 200);
  assert.match(String(page.headers['set-cookie']), /facecluster_token=[\w-]+; Path=\/; HttpOnly; SameSite=Strict/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
  assert.equal((await raw('/api/people', { headers: { cookie: `facecluster_token=${server.token}` } })).status, 200);
});

test('paths: ../../etc/passwd and absolute paths, as URL paths and as face or photo ids, are 404', async () => {
  const auth = { headers: { 'x-facecluster-token': server.token } };
  const enc = encodeURIComponent;
  for (const path of [
    '/../../etc/passwd', '/assets/../../etc/passwd', '/assets/..%2F..%2Fpackage.json', '/%2E%2E/%2E%2E/etc/passwd', '/etc/passwd',
    `/image?photo=${enc('../../etc/passwd')}`, `/image?photo=${enc('/etc/passwd')}`, `/image?photo=${enc(join(toy.photos, 'Ann/Ann_0001.jpg'))}`,
    `/image?photo=${enc('Ann/../Ann/Ann_0001.jpg')}`, `/thumb?face=${enc('../../etc/passwd#0')}&size=96`, `/thumb?face=${enc('/etc/passwd#0')}&size=96`,
    `/thumb?face=${enc(face)}&size=4096`, `/api/photo?path=${enc('/etc/passwd')}`, '/api/person/..%2F..%2Fetc', '/api/group/..%2Fpasswd',
  ]) {
    const r = await raw(path, auth);
    assert.equal(r.status, 404, `${path}: ${r.status} ${r.body.slice(0, 80)}`);
    assert.doesNotMatch(r.body, /root:/);
  }
  // What the store lists is served.
  const ok = await raw(`/thumb?face=${enc(face)}&size=96`, auth);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['content-type'], 'image/jpeg');
  assert.equal((await raw('/image?photo=Ann%2FAnn_0001.jpg', auth)).status, 200);
});

test('changes: need the header token and the same origin; refused ones write nothing; an accepted one is journalled', async () => {
  const origin = `http://127.0.0.1:${server.port}`;
  const body = JSON.stringify({ person: 1, name: 'Mallory' });
  const json = { 'content-type': 'application/json' };
  const refused: [string, Record<string, string>][] = [
    ['another origin', { ...json, 'x-facecluster-token': server.token, origin: 'http://evil.example' }],
    ['another port', { ...json, 'x-facecluster-token': server.token, origin: `http://127.0.0.1:${server.port + 1}` }],
    ['no origin', { ...json, 'x-facecluster-token': server.token }],
    ['cross-site fetch metadata', { ...json, 'x-facecluster-token': server.token, origin, 'sec-fetch-site': 'cross-site' }],
    ['the cookie alone', { ...json, cookie: `facecluster_token=${server.token}`, origin }],
    ['the token in the URL alone', { ...json, origin }],
  ];
  for (const [why, headers] of refused) {
    const path = why === 'the token in the URL alone' ? `/api/name?token=${server.token}` : '/api/name';
    const r = await raw(path, { method: 'POST', headers, body });
    assert.equal(r.status, why === 'the token in the URL alone' ? 403 : headers['x-facecluster-token'] || headers.cookie ? 403 : 401, `${why}: ${r.status} ${r.body}`);
  }
  assert.equal((await readCorrections(toy.store)).entries.length, 0, 'nothing was written');
  // Not JSON: refused too (a form post cannot send application/json without CORS).
  const form = await raw('/api/name', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-facecluster-token': server.token, origin }, body: 'person=1&name=x' });
  assert.equal(form.status, 400);
  // The page's own: accepted, one correction, as `facecluster people name` writes it.
  const r = await raw('/api/name', { method: 'POST', headers: { ...json, 'x-facecluster-token': server.token, origin, 'sec-fetch-site': 'same-origin' }, body });
  assert.equal(r.status, 200, r.body);
  const journal = (await readCorrections(toy.store)).entries;
  assert.deepEqual(journal.map(({ op, ...rest }) => ({ op, person: (rest as { person: number }).person, name: (rest as { name: string }).name })), [{ op: 'name', person: 1, name: 'Mallory' }]);
  // A bad argument is the library's message, 400.
  const bad = await raw('/api/merge', { method: 'POST', headers: { ...json, 'x-facecluster-token': server.token, origin }, body: JSON.stringify({ into: 1, from: 99 }) });
  assert.equal(bad.status, 400);
  assert.match(JSON.parse(bad.body).error, /^mergePeople: from must be the id of a person of this store/);
});

test('Host: a name the server does not listen on (DNS rebinding) is refused', async () => {
  const r = await raw(`/api/people?token=${server.token}`, { headers: { host: `evil.example:${server.port}` } });
  assert.equal(r.status, 421);
  assert.equal((await raw(`/api/people?token=${server.token}`, { headers: { host: `localhost:${server.port}` } })).status, 200);
});

test('a non-loopback host without allowRemote is refused, by the library and by `facecluster serve`', async () => {
  for (const host of ['0.0.0.0', '192.168.1.20', '::', 'example.com']) {
    await assert.rejects(startServer(toy.store, { port: 0, host }), (e: Error) => {
      assert.match(e.message, new RegExp(`^startServer: host must be a loopback address \\(127.0.0.1, ::1, localhost\\) unless remote access is asked for .*got "${host.replace(/\./g, '\\.')}"\\.$`));
      return true;
    });
  }
  const { main } = await import('../../lib/cli/main.ts');
  const err: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = () => undefined;
  let code: number;
  try {
    code = await main(['serve', toy.store, '--host', '0.0.0.0', '--port', '0']);
  } finally {
    [console.error, console.log] = [e, l];
  }
  assert.equal(code, 2, err.join('\n'));
  assert.match(err.join('\n'), /facecluster serve: startServer: host must be a loopback address .*--allow-remote/);
});

test('the photo folder is never written; thumbnails are cached in the store folder', () => {
  assert.equal(listing(toy.photos), photosBefore);
  assert.ok(existsSync(join(toy.store, 'thumbnails')) && readdirSync(join(toy.store, 'thumbnails')).some((f) => /^[0-9a-f]{32}\.jpg$/.test(f)));
  assert.ok(readFileSync(join(toy.store, 'manifest.json'), 'utf8').includes(toy.photos));
});
