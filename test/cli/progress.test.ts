import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress } from '../../lib/cli/progress.ts';

function fakeStream(columns = 200) {
  const chunks: string[] = [];
  return { chunks, stream: { write: (s: string) => chunks.push(s), columns, isTTY: false } as unknown as NodeJS.WriteStream };
}

test('createProgress: plain mode prints a line per 10% step, with counts and extra fields', () => {
  const { chunks, stream } = fakeStream();
  const p = createProgress('encode', 20, { stream, tty: false });
  for (let i = 1; i <= 20; i++) p.update(i, { faces: i * 2 });
  p.done();
  // the first update, then one line per 10% step (10 steps), none in between
  assert.equal(chunks.length, 11);
  assert.match(chunks[0], /^encode 1\/20\s+5%  faces 2  [\d.]+\/s  ETA /);
  assert.match(chunks[1], /^encode 2\/20\s+10%  faces 4 /);
  assert.match(chunks[10], /^encode 20\/20 100%  faces 40 .*ETA 0:00\n$/);
  assert.ok(chunks.every((c) => !c.includes('\r')), 'no carriage returns in plain mode');
});

test('createProgress: TTY mode redraws one line in place and prints logs above it', () => {
  const { chunks, stream } = fakeStream(60);
  const p = createProgress('encode', 4, { stream, tty: true });
  p.update(4, { faces: 1 }); // the last update always draws
  p.log('failed: a.jpg: truncated image');
  p.done();
  assert.match(chunks[0], /^\rencode \[#{24}\] 4\/4 100%/); // full bar
  assert.ok(chunks[0].length <= 60 + 4, 'cut to the terminal width');
  assert.ok(chunks.includes('failed: a.jpg: truncated image\n'));
  assert.equal(chunks.at(-1), '\r\x1b[K'); // done() clears the bar
});
