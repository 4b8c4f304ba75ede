/** progressDisplay: one output updated in place, throttled, with counts, rate and time left. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, progressDisplay, progressText } from '../../lib/viz/progress-display.ts';
import type { MimeBundle } from '../../lib/viz/display.ts';

test('progressText and formatDuration: hand-worked lines', () => {
  assert.equal(formatDuration(0), '0:00');
  assert.equal(formatDuration(61.4), '1:01');
  assert.equal(formatDuration(3723), '1:02:03');
  // 30 of 120 photos in 10 s: 3 photos/s, 90 left -> 30 s left.
  assert.equal(progressText(30, 120, 10, { label: 'encoding', unit: 'photos' }), 'encoding: 30 / 120 photos (25%), 3.0 photos/s, 0:30 left');
  assert.equal(progressText(0, 120, 0), 'progress: 0 / 120 items (0%), starting');
  assert.equal(progressText(120, 120, 75), 'progress: 120 / 120 items (100%), in 1:15');
  assert.equal(progressText(0, 0, 1), 'progress: 0 / 0 items (100%), in 0:01', 'nothing to do is done');
});

test('progressDisplay: first and last updates always shown, the ones in between throttled; HTML escaped', () => {
  const sent: MimeBundle[] = [];
  const cb = progressDisplay({ bundle: (b) => sent.push(b) }, { label: 'encoding', unit: 'photos', minInterval: 60 });
  cb(0, 3, { path: '' }); // the first update is shown
  cb(1, 3, { path: 'a.jpg' }); // within 60 s of the previous update: skipped
  cb(2, 3, { path: 'b.jpg' }); // skipped
  cb(3, 3, { path: 'c.jpg' }); // the last is always shown
  assert.equal(sent.length, 2);
  assert.deepEqual(Object.keys(sent[0]), ['text/html', 'text/plain']);
  assert.match(sent[1]['text/plain'] as string, /^encoding: 3 \/ 3 photos \(100%\), in 0:00$/);
  assert.ok(!(sent[1]['text/html'] as string).includes('c.jpg'), 'no file name once done');
  const eager = progressDisplay({ bundle: (b) => sent.push(b) }, { minInterval: 0 });
  eager(1, 3, { path: '<b>a.jpg' });
  assert.match(sent[2]['text/html'] as string, /<progress value="1" max="3"[^>]*>33%<\/progress>.*<small>&lt;b&gt;a\.jpg<\/small>/);
  assert.throws(() => progressDisplay({ raw: () => undefined }), { message: "progressDisplay: display must be a display that updates its own output (tslab's newDisplay()), got one that would add a new output per update." });
  assert.throws(() => progressDisplay({ bundle: () => undefined }, { minInterval: -1 }), { message: 'progressDisplay: minInterval must be a finite number >= 0, got -1.' });
});
