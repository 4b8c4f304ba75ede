import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, jsonForScript } from '../../lib/viz/escape.ts';

test('escapeHtml: the five markup characters', () => {
  assert.equal(escapeHtml('<img src=x onerror=alert(1)>.jpg'), '&lt;img src=x onerror=alert(1)&gt;.jpg');
  assert.equal(escapeHtml(`a&b "c" 'd'`), 'a&amp;b &quot;c&quot; &#39;d&#39;');
  // Already-escaped text is escaped again (shown literally, never decoded).
  assert.equal(escapeHtml('&lt;'), '&amp;lt;');
  assert.equal(escapeHtml(42), '42');
  assert.equal(escapeHtml(''), '');
});

test('jsonForScript: no </script>, <!--, & or line separators survive, and it parses back to the same value', () => {
  const value = { file: '</script><script>alert(1)</script>', c: '<!-- x -->', amp: 'a&b', ls: 'x\u2028y\u2029z', n: [1, 2.5, null] };
  const out = jsonForScript(value);
  assert.ok(!/[<>&\u2028\u2029]/.test(out), out);
  assert.ok(out.includes('\\u003c/script\\u003e'));
  assert.deepEqual(JSON.parse(out), value);
  // eslint-disable-next-line no-eval
  assert.deepEqual((0, eval)(`(${out})`), value);
  assert.equal(jsonForScript(undefined), 'null');
});
