/**
 * Display bundles: charts (Vega-Lite + SVG/PNG + text), tables (HTML + Markdown + text), images (+ text), the
 * static-fallback rule the executed notebooks are checked against, and sending through the real tslab module.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import sharp from 'sharp';
import { clusterSizeSpec } from '../../lib/viz/sizes.ts';
import {
  chartBundle, imageBundle, pngDisplayMetadata, showBundle, showChart, showImage, showTable, staticFallbackProblem, tableBundle, VEGA_LITE_MIME,
  type MimeBundle,
} from '../../lib/viz/display.ts';
import { PROJECT_ROOT } from '../../lib/paths.ts';

const spec = clusterSizeSpec([0, 0, 1], { title: 'Sizes <toy>' });

test('chartBundle: the spec itself, a PNG of it and a line of text; SVG or both on request', async () => {
  const b = await chartBundle(spec);
  assert.deepEqual(Object.keys(b).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
  assert.equal(b[VEGA_LITE_MIME], spec, 'the spec object (tslab sends it as JSON, not a string)');
  const png = await sharp(Buffer.from(b['image/png'] as string, 'base64')).metadata();
  assert.equal(png.format, 'png');
  assert.ok(png.width! > 100 && png.height! > 50, `a chart-sized image, got ${png.width} x ${png.height}`);
  assert.equal(b['text/plain'], 'Vega-Lite chart: Sizes <toy>');
  const s = await chartBundle(spec, { fallback: 'svg', text: 'three faces' });
  assert.deepEqual(Object.keys(s).sort(), ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain']);
  assert.match(s['image/svg+xml'] as string, /^<svg[^>]* width="\d+" height="\d+"/);
  assert.equal(s['text/plain'], 'three faces');
  // Without a title of its own, the titles of the chart's parts.
  const parts = { vconcat: [{ ...spec, title: 'Scores' }, { ...spec, title: { text: 'Clusters' } }] } as unknown as typeof spec;
  assert.equal((await chartBundle(parts, { fallback: 'svg' }))['text/plain'], 'Vega-Lite chart: Scores; Clusters');
  assert.deepEqual(Object.keys(await chartBundle(spec, { fallback: 'both' })).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'image/svg+xml', 'text/plain']);
  await assert.rejects(chartBundle(spec, { fallback: 'gif' as never }), { message: 'chartBundle: fallback must be one of "png", "svg", "both", got "gif".' });
});

test('tableBundle: HTML (escaped, numbers right-aligned), Markdown (pipes escaped), aligned plain text', () => {
  const b = tableBundle([{ method: 'a|b', f: 0.12345, n: 3 }, { method: '<img src=x>', f: 1, n: 10 }], { digits: 2 });
  assert.deepEqual(Object.keys(b), ['text/html', 'text/markdown', 'text/plain']);
  const html = b['text/html'] as string;
  assert.ok(html.includes('<td style="text-align: left">&lt;img src=x&gt;</td>'), html);
  assert.ok(html.includes('<td style="text-align: right">0.12</td>'), 'rounded to 2 decimals, right-aligned');
  assert.ok(html.includes('<td style="text-align: right">1</td>'), 'integers as they are');
  assert.equal(b['text/markdown'], '| method | f | n |\n| --- | ---: | ---: |\n| a\\|b | 0.12 | 3 |\n| <img src=x> | 1 | 10 |');
  assert.equal(b['text/plain'], [
    'method          f   n',
    'a|b          0.12   3',
    '<img src=x>     1  10',
  ].join('\n'));
  // Column order and caption; a missing value is an empty cell; an empty table says so in every type.
  const c = tableBundle([{ a: 1 }, { b: 'x' }], { columns: ['b', 'a'], caption: 'Two' });
  assert.equal(c['text/markdown'], 'Two\n\n| b | a |\n| --- | ---: |\n|  | 1 |\n| x |  |');
  assert.ok((c['text/html'] as string).startsWith('<table><caption>Two</caption>'));
  const e = tableBundle([]);
  assert.equal(e['text/plain'], '(no rows)');
  assert.equal(staticFallbackProblem(e), undefined);
  assert.throws(() => tableBundle([], { digits: -1 }), { message: 'tableBundle: digits must be an integer >= 0 and <= 20, got -1.' });
});

test('imageBundle: PNG or JPEG by magic bytes, with its text; anything else is refused', async () => {
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#f00' } }).png().toBuffer();
  const jpeg = await sharp(png).jpeg().toBuffer();
  assert.deepEqual(Object.keys(imageBundle(png, 'red')), ['image/png', 'text/plain']);
  assert.equal(imageBundle(png, 'red')['image/png'], png.toString('base64'));
  assert.deepEqual(Object.keys(imageBundle(jpeg, 'red')), ['image/jpeg', 'text/plain']);
  assert.throws(() => imageBundle(Buffer.from('GIF89a'), 'x'), { message: 'imageBundle: bytes must be PNG or JPEG data, got 6 bytes starting 47 49 46 38.' });
  assert.throws(() => imageBundle(png, ''), { message: 'imageBundle: text must be a non-empty description of the image, got "".' });
});

test('staticFallbackProblem: which bundles show something without a renderer extension', () => {
  const cases: [MimeBundle, boolean][] = [
    [{ [VEGA_LITE_MIME]: {} }, false], // Vega-Lite only: blank in classic Notebook (issue 11)
    [{ [VEGA_LITE_MIME]: {}, 'text/plain': 'chart' }, false], // text alone is no chart
    [{ [VEGA_LITE_MIME]: {}, 'image/svg+xml': '<svg/>', 'text/plain': 'chart' }, true],
    [{ 'application/vnd.vega.v5+json': {}, 'image/png': 'iVBOR' }, true],
    [{ 'text/markdown': '| a |' }, false], // Markdown tables are not shown by classic Notebook
    [{ 'text/markdown': '| a |', 'text/plain': 'a' }, false],
    [{ 'text/markdown': '| a |', 'text/html': '<table>', 'text/plain': 'a' }, true],
    [{ 'image/png': 'iVBOR' }, true],
    [{ 'text/plain': '42' }, true],
    [{ 'text/html': '<b>x</b>' }, false], // no text/plain for terminals and exporters
    [{ 'text/html': '<b>x</b>', 'text/plain': 'x' }, true],
    [{ 'application/javascript': 'draw()', 'text/plain': 'x' }, false],
    [{}, false],
  ];
  for (const [bundle, ok] of cases) assert.equal(staticFallbackProblem(bundle) === undefined, ok, JSON.stringify(Object.keys(bundle)));
  assert.equal(staticFallbackProblem({ [VEGA_LITE_MIME]: {}, 'text/plain': 'c' }), 'application/vnd.vegalite.v5+json without a static image (has application/vnd.vegalite.v5+json, text/plain)');
});

test('show*: one display_data message per bundle through the real tslab module (display and newDisplay)', async () => {
  const require = createRequire(`${PROJECT_ROOT}/package.json`);
  const tslab = require('tslab') as typeof import('tslab');
  const jupyter = require('tslab/dist/jupyter') as { lastWriteDisplayData: unknown };
  const sent: { data: MimeBundle; metadata: object; transient: { display_id?: string }; update: boolean }[] = [];
  const saved = jupyter.lastWriteDisplayData;
  jupyter.lastWriteDisplayData = (m: { data: MimeBundle; metadata: object; transient: { display_id?: string } }, update: boolean) => sent.push({ ...m, update });
  try {
    await showChart(tslab.display, spec);
    showTable(tslab.display, [{ a: 1 }]);
    showImage(tslab.display, await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } }).png().toBuffer(), 'dot');
    const own = tslab.newDisplay();
    showTable(own, [{ a: 1 }]);
    showTable(own, [{ a: 2 }]);
  } finally {
    jupyter.lastWriteDisplayData = saved;
  }
  assert.equal(sent.length, 5);
  // The chart's PNG (rendered at 2x) is shown at its CSS size.
  const { width, height } = (await sharp(Buffer.from(sent[0].data['image/png'] as string, 'base64')).metadata()) as { width: number; height: number };
  assert.deepEqual(sent[0].metadata, { 'image/png': { width: width / 2, height: height / 2 } });
  assert.deepEqual(sent[1].metadata, {});
  assert.deepEqual(Object.keys(sent[0].data).sort(), ['application/vnd.vegalite.v5+json', 'image/png', 'text/plain']);
  assert.deepEqual(Object.keys(sent[1].data), ['text/html', 'text/markdown', 'text/plain']);
  assert.deepEqual(Object.keys(sent[2].data), ['image/png', 'text/plain']);
  assert.deepEqual(sent.slice(0, 3).map((s) => [s.update, s.transient.display_id]), [[false, undefined], [false, undefined], [false, undefined]]);
  // newDisplay(): the same display id twice, the second message updates the first.
  assert.ok(sent[3].transient.display_id);
  assert.equal(sent[4].transient.display_id, sent[3].transient.display_id);
  assert.deepEqual([sent[3].update, sent[4].update], [false, true]);
});

test('showBundle: a display object with bundle() is called directly; anything else is refused', () => {
  const got: MimeBundle[] = [];
  showBundle({ bundle: (d) => got.push(d) }, { 'text/plain': 'x' });
  assert.deepEqual(got, [{ 'text/plain': 'x' }]);
  assert.deepEqual(pngDisplayMetadata({ 'text/plain': 'x' }), {}, 'no PNG, no metadata');
  assert.throws(() => showTable({ raw: () => undefined }, []), { message: "showTable: display must be tslab's display object (import { display } from 'tslab', in a running tslab kernel) or have a bundle(data) method, got an object without either." });
  assert.throws(() => showTable(undefined as never, []), { message: "showTable: display must be tslab's display object (import { display } from 'tslab'), got undefined." });
});
