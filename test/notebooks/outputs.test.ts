/**
 * Every output of every executed notebook shows something in every Jupyter front end (issue 11): no display
 * bundle without a static fallback (`staticFallbackProblem`), no error output, and the outputs the notebooks are
 * about (charts, tables, galleries) are really there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staticFallbackProblem } from '../../lib/viz/display.ts';
import { executedProblem, notebookNames, readExecuted, skipUnlessExecuted, text } from './_executed.ts';

const skip = skipUnlessExecuted();

test('executed notebooks: every display bundle has a static fallback (count without = 0)', { skip }, () => {
  assert.equal(executedProblem(), undefined);
  const problems: string[] = [];
  let bundles = 0;
  for (const name of notebookNames()) {
    readExecuted(name).cells.forEach((cell, i) => {
      for (const out of cell.outputs ?? []) {
        if (out.output_type === 'error') problems.push(`${name} cell ${i}: error output`);
        if (!out.data) continue;
        bundles++;
        const problem = staticFallbackProblem(out.data);
        if (problem) problems.push(`${name} cell ${i}: ${problem}`);
      }
    });
  }
  assert.ok(bundles >= 20, `the notebooks display charts, tables and galleries (found ${bundles} bundles)`);
  assert.deepEqual(problems, [], `${problems.length} of ${bundles} display bundles without a static fallback`);
});

test('executed notebooks: each has output, and the charts come with their Vega-Lite spec and an image', { skip }, () => {
  for (const name of notebookNames()) {
    const outputs = readExecuted(name).cells.flatMap((c) => c.outputs ?? []);
    assert.ok(outputs.length > 0, `${name} has outputs`);
    for (const out of outputs) {
      if (!out.data?.['application/vnd.vegalite.v5+json']) continue;
      const png = out.data['image/png'] as string | undefined;
      if (png) assert.ok(Buffer.from(png, 'base64').subarray(1, 4).toString() === 'PNG', `${name}: the PNG fallback is a PNG`);
      assert.match(text(out.data['text/plain'] as string | string[]), /\S/, `${name}: a chart has a line of text`);
    }
  }
});
