// `facecluster serve` joins the CLI as the other commands do: --help, and usage errors that exit 2 naming the
// bad argument (the server itself: test/serve/).
import { test } from 'node:test';
import assert from 'node:assert/strict';

async function cli(...args: string[]) {
  const { main } = await import('../../lib/cli/main.ts');
  const out: string[] = [];
  const err: string[] = [];
  const [e, l] = [console.error, console.log];
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.error, console.log] = [e, l];
  }
}

test('serve --help; listed among the commands', async () => {
  const r = await cli('serve', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /^Usage: facecluster serve \[folder\|store\]/);
  assert.match(r.out, /--allow-remote/);
  assert.match((await cli('--help')).out, /\n {2}serve {4}review and correct the people in a browser/);
});

test('serve: usage errors exit 2 and name the bad argument', async () => {
  const cases: [string[], RegExp][] = [
    [['serve', '/nonexistent/folder'], /^facecluster serve: "\/nonexistent\/folder" does not exist\.$/],
    [['serve', 'a', 'b'], /^facecluster serve: expected at most one folder or store, got 2: "a" "b"\.$/],
    [['serve', '.', '--port', '70000'], /^facecluster serve: --port must be an integer in 0\.\.65535, got 70000\.$/],
    [['serve', '.', '--port', 'http'], /^facecluster serve: --port must be a number, got "http"\.$/],
    [['serve', '.', '--bogus'], /^facecluster serve: Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.err, message);
  }
});
