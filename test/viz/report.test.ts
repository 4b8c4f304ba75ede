/** buildReport without a browser: structure, self-containment, escaping, validation (generated photos). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { buildReport, REPORT_DEFAULTS } from '../../lib/viz/report.ts';

const EVIL = '<img src=x onerror=alert(1)>.jpg';

async function fixture() {
  const dir = mkdtempSync(join(tmpdir(), 'facecluster-report-unit-'));
  const colours = ['#c04040', '#40c040', '#4040c0'];
  const faces = [];
  const embeddings: number[][] = [];
  for (let i = 0; i < 9; i++) {
    const name = i === 4 ? EVIL : `p${i}.jpg`;
    const path = join(dir, name);
    await sharp({ create: { width: 60, height: 60, channels: 3, background: colours[i % 3] } }).jpeg().toFile(path);
    faces.push({ file: name, path, identity: i === 7 ? '</script><b>x</b>' : `person ${i % 3}` });
    embeddings.push([i % 3, (i % 3) * 2 + i * 0.01, 1]);
  }
  faces.push({ file: 'missing.jpg', path: join(dir, 'missing.jpg'), identity: 'person 0' });
  embeddings.push([0, 0.2, 1]);
  return { faces, embeddings };
}

test('buildReport: self-contained page with every chart, galleries and error view', async () => {
  const { faces, embeddings } = await fixture();
  const pred = faces.map((_, i) => (i === 9 ? 0 : i % 3 === 2 ? 1 : i % 3));
  const r = await buildReport(
    { faces, embeddings, clusterings: [{ name: 'toy', labels: pred, parameter: 'eps', value: 0.5 }], sweeps: [{ name: 's', parameter: 'eps', rows: [{ value: 0.1, nClusters: 3, pairwisePrecision: 1, pairwiseRecall: 0.5, pairwiseF1: 0.6, bcubedF1: 0.7 }, { value: 0.2, nClusters: 2, pairwisePrecision: 0.9, pairwiseRecall: 0.6, pairwiseF1: 0.7, bcubedF1: 0.8 }] }] },
    { reducer: 'pca', galleryClusters: 2 },
  );
  const { html, warnings, map } = r;
  assert.equal(map.length, 10);
  // The missing photo is reported, not fatal.
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /^missing\.jpg: thumbnail: cannot make a thumbnail/);
  for (const id of ['map-cluster', 'map-identity', 'metrics', 'sweep-0', 'histogram', 'sizes']) assert.ok(html.includes(`<div class="chart" id="${id}">`), id);
  // Inlined libraries, no external resources.
  assert.ok(html.includes('vegaEmbed') && html.length > 800_000);
  assert.ok(!/\b(src|href)\s*=\s*["']?(https?:)?\/\//i.test(html), 'no external src/href');
  // Galleries: 2 montages (JPEG data URIs); error view: cluster 0 holds person 0 and person 2 faces.
  assert.equal((html.match(/<figure class="montage">/g) ?? []).length, 2);
  assert.match(html, /Impure clusters/);
  // Escaping: the evil name and identity never appear raw; they appear escaped.
  assert.ok(!html.includes(EVIL));
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;.jpg'));
  assert.ok(html.includes('\\u003cimg src=x onerror=alert(1)\\u003e.jpg'), 'JSON-escaped in the chart data');
  assert.equal((html.match(/<\/script>/gi) ?? []).length, (html.match(/<script>/gi) ?? []).length, 'every </script> closes a script we opened');
  assert.ok(!html.includes('<b>x</b>'));
});

test('buildReport: without truth or clusterings, just the map; empty input', async () => {
  const { faces, embeddings } = await fixture();
  const plain = faces.map(({ file, path }) => ({ file, path }));
  const r = await buildReport({ faces: plain, embeddings, map: embeddings.map((e) => [e[0], e[1]]) });
  assert.ok(r.html.includes('id="map-cluster"'));
  assert.ok(!r.html.includes('id="metrics"') && !r.html.includes('id="histogram"'));
  assert.deepEqual(r.map[1], [1, 2.01]);
  const empty = await buildReport({ faces: [], embeddings: [] });
  assert.deepEqual(empty.map, []);
  assert.match(empty.html, /0 faces/);
});

test('buildReport: bad input names the field', async () => {
  await assert.rejects(buildReport({ faces: [{ file: 'a' }], embeddings: [] }), { message: 'buildReport: input.embeddings must have one embedding per face (1), got 0.' });
  await assert.rejects(buildReport({ faces: [{ file: 'a' }], embeddings: [[1]], clusterings: [{ name: 'x', labels: [0, 1] }] }), { message: 'buildReport: input.clusterings[0].labels must have one label per face (1), got 2.' });
  await assert.rejects(buildReport({ faces: [{ file: 'a' }], embeddings: [[1]], truth: [0, 0] }), { message: 'buildReport: input.truth must have one label per face (1), got 2.' });
  await assert.rejects(buildReport({ faces: [], embeddings: [] }, { reducer: 'mds' as never }), { message: 'buildReport: reducer must be one of "pca", "tsne", "umap", got "mds".' });
  await assert.rejects(buildReport({ faces: [{ file: 'a', thumbnail: 'https://example.com/a.jpg' }], embeddings: [[1]] }), {
    message: 'buildReport: input.faces[0].thumbnail must be a data:image/(png|jpeg|webp|gif);base64 URI (the report loads nothing from the network), got "https://example.com/a.jpg".',
  });
  assert.equal(REPORT_DEFAULTS.reducer, 'umap');
});

test('buildReport: "Faces too poor to recognise" shows the unsorted faces with their scores, lowest first; bad indices named', async () => {
  const { faces, embeddings } = await fixture();
  const r = await buildReport({ faces, embeddings, map: embeddings.map((e) => [e[0], e[1]]), unsorted: [{ face: 3, quality: 0.31 }, { face: 1, quality: 0.12 }], minQuality: 0.5 });
  const i = r.html.indexOf('<section id="unsorted">');
  assert.ok(i > 0);
  const section = r.html.slice(i, r.html.indexOf('</section>', i));
  assert.match(section, /<h2>Faces too poor to recognise \(2 unsorted\)<\/h2>/);
  assert.match(section, /quality score below 0\.5/);
  assert.equal((section.match(/<figure class="face">/g) ?? []).length, 2);
  assert.ok(section.indexOf('quality 0.12') < section.indexOf('quality 0.31'), 'lowest score first');
  assert.ok(section.indexOf('p1.jpg') < section.indexOf('p3.jpg'));
  assert.equal((section.match(/<img alt="" src="data:image\/jpeg;base64,/g) ?? []).length, 2, 'thumbnails inlined');
  // none unsorted: no section
  assert.ok(!(await buildReport({ faces, embeddings, map: embeddings.map((e) => [e[0], e[1]]) })).html.includes('id="unsorted"'));
  await assert.rejects(buildReport({ faces, embeddings, unsorted: [{ face: 99, quality: 0.1 }] }), /buildReport: input.unsorted\[0\].face must be a face index below 10, got 99/);
});
