/** faceMapSvg / faceMapBundle: points, hover thumbnails by CSS alone, escaped names, every fallback. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceMapBundle, faceMapSvg } from '../../lib/viz/face-map.ts';
import { staticFallbackProblem, VEGA_LITE_MIME } from '../../lib/viz/display.ts';

const DOT = 'data:image/png;base64,iVBORw0KGgo=';
const points = [
  { x: 0, y: 0, cluster: 0, file: 'a.jpg', image: DOT },
  { x: 10, y: 5, cluster: -1, file: '<img src=x onerror=alert(1)>.jpg', image: DOT },
  { x: 5, y: 10, cluster: 1, file: 'c.jpg' }, // no thumbnail: a point without a hover image
];

test('faceMapSvg: one circle per face, a hover rule per thumbnail, names as escaped titles', () => {
  const svg = faceMapSvg(points, { width: 100, height: 100, radius: 4, thumbnailSize: 20 });
  const id = /<svg[^>]* id="(fm[0-9a-f]{8})"/.exec(svg)![1];
  assert.equal(svg.match(/<circle /g)!.length, 3);
  assert.equal(svg.match(/<image /g)!.length, 2);
  assert.ok(svg.includes(`#${id}p0:hover~#${id}t0,#${id}p1:hover~#${id}t1{visibility:visible}`), 'hover rules for the two thumbnails');
  assert.ok(svg.indexOf('<image') > svg.lastIndexOf('<circle'), 'thumbnails after every point, so drawn above them');
  // Corners of the data go to the padded corners: x 0 -> pad (6), x 10 -> 100 - 6; y is flipped.
  assert.ok(svg.includes(`<circle id="${id}p0" cx="6.0" cy="94.0" r="4" fill="#4c78a8">`));
  assert.ok(svg.includes(`<circle id="${id}p1" cx="94.0" cy="50.0" r="4" fill="#bbbbbb">`), 'noise is grey');
  assert.ok(svg.includes('<title>&lt;img src=x onerror=alert(1)&gt;.jpg · noise</title>'));
  assert.ok(!svg.includes('<img'), 'no markup from a file name');
  // The hover image of the point at the right edge stays inside the map.
  assert.match(svg, new RegExp(`<image id="${id}t1" x="80.0"`));
  assert.notEqual(faceMapSvg(points).match(/id="(fm[0-9a-f]+)"/)![1], id, 'a fresh id prefix per map');
  assert.throws(() => faceMapSvg([{ x: NaN, y: 0 }]), { message: 'faceMapSvg: points[0] must be an {x, y} of finite numbers, got {"x":null,"y":0}.' });
});

test('faceMapBundle: Vega-Lite with thumbnails in the tooltip, the hover SVG, a PNG and text', async () => {
  const b = await faceMapBundle(points, { title: 'toy' });
  assert.deepEqual(Object.keys(b), [VEGA_LITE_MIME, 'image/svg+xml', 'image/png', 'text/plain']);
  assert.equal(staticFallbackProblem(b), undefined);
  const values = (b[VEGA_LITE_MIME] as { data: { values: { image: string }[] } }).data.values;
  assert.equal(values[0].image, DOT);
  assert.equal(Buffer.from(b['image/png'] as string, 'base64').subarray(1, 4).toString(), 'PNG');
  assert.equal(b['text/plain'], 'Map of 3 faces in 2 clusters: toy (hover a point to see the face)');
});
