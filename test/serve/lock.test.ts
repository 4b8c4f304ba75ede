// Two writers: a change from the browser waits on the store's people lock as `facecluster people` does (another
// process holding it: test/people/_lock-holder.ts), gets it once the other lets go, and is refused with the
// library's message (409) when the wait runs out; nothing is journalled then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeToyStore } from '../cli/_toy.ts';
import { updateStorePeople } from '../../lib/people/people.ts';
import { readCorrections } from '../../lib/people/journal.ts';
import { startServer } from '../../lib/serve/server.ts';

async function until(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('a change waits for another writer of the people, and is refused (409) when the wait runs out', async () => {
  const t = await makeToyStore();
  const patient = await startServer(t.store, { port: 0, waitMs: 60_000 });
  const hasty = await startServer(t.store, { port: 0, waitMs: 0 });
  const holder = spawn(process.execPath, ['--import', 'tsx', join('test', 'people', '_lock-holder.ts'), t.store], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    await updateStorePeople(t.store).then(() => undefined);
    let out = '';
    holder.stdout!.on('data', (d) => (out += d));
    await until('the lock holder', () => out.includes('locked'));
    const name = (s: typeof patient, who: string) => fetch(`${s.origin}/api/name`, {
      method: 'POST', body: JSON.stringify({ person: 1, name: who }),
      headers: { 'content-type': 'application/json', 'x-facecluster-token': s.token, origin: s.origin },
    });
    const refused = await name(hasty, 'hasty');
    assert.equal(refused.status, 409);
    assert.match(((await refused.json()) as { error: string }).error, new RegExp(`^namePerson: another facecluster process \\(pid ${holder.pid}\\) is changing the people of the store`));
    let settled = false;
    const waiting = name(patient, 'patient').finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(settled, false, 'the change waits while the other process holds the lock');
    assert.equal((await readCorrections(t.store)).entries.length, 0);
    holder.stdin!.end('release\n');
    const r = await waiting;
    assert.equal(r.status, 200, await r.clone().text());
    assert.deepEqual((await readCorrections(t.store)).entries.map((e) => e.op === 'name' && e.name), ['patient']);
  } finally {
    holder.kill();
    await patient.close();
    await hasty.close();
    rmSync(t.root, { recursive: true, force: true });
  }
});
