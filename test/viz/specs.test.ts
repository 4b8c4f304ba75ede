/**
 * Spec builders: each spec compiles with vega-lite's `compile` and renders with a vega View to SVG; key fields
 * are checked against hand-written expectations (numbers rounded).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, type TopLevelSpec } from 'vega-lite';
import { scatterSpec } from '../../lib/viz/scatter.ts';
import { distanceHistogramSpec, histogramBins } from '../../lib/viz/histogram.ts';
import { sweepSpec, SWEEP_SLIDER_PARAM } from '../../lib/viz/sweep.ts';
import { clusterSizeCounts, clusterSizeSpec } from '../../lib/viz/sizes.ts';
import { metricsTableSpec } from '../../lib/viz/metrics-table.ts';
import { renderPng, renderSvg } from '../../lib/viz/render.ts';
import sharp from 'sharp';

const round = (v: unknown): unknown =>
  typeof v === 'number' ? Math.round(v * 1000) / 1000 : Array.isArray(v) ? v.map(round) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)])) : v;

async function checkRenders(spec: TopLevelSpec): Promise<string> {
  const vg = compile(spec).spec;
  assert.ok(Array.isArray(vg.marks) && vg.marks.length > 0, 'compiled Vega spec has marks');
  const svg = await renderSvg(spec);
  assert.match(svg, /^<svg[\s\S]*<\/svg>$/);
  return svg;
}

const SWEEP_ROWS = [0.3, 0.4, 0.5].map((v, k) => ({ value: v, nClusters: 10 - 3 * k, pairwisePrecision: 1 - 0.1 * k, pairwiseRecall: 0.5 + 0.2 * k, pairwiseF1: 0.6 + 0.1 * k, bcubedF1: 0.7 + 0.05 * k }));

test('scatterSpec: one datum per point, colour by cluster (noise grey) or identity, thumbnail in the tooltip', async () => {
  const pts = [
    { x: 0.12345, y: 1, cluster: 0, identity: 'Ann', file: 'a.jpg', image: 'data:image/jpeg;base64,AAAA' },
    { x: 2, y: -1, cluster: -1, identity: 'Bob', file: 'b.jpg', image: 'data:image/jpeg;base64,BBBB' },
    { x: 3, y: 0, cluster: 1, identity: 'Bob', file: 'c.jpg' },
  ];
  const s = scatterSpec(pts) as any;
  assert.deepEqual(round(s.data.values[0]), { x: 0.123, y: 1, cluster: 0, clusterName: 'cluster 0', identity: 'Ann', file: 'a.jpg', image: 'data:image/jpeg;base64,AAAA' });
  assert.equal(s.data.values[1].clusterName, 'noise');
  assert.equal(s.data.values[2].image, '');
  assert.equal(s.mark.type, 'point');
  assert.equal(s.encoding.color.field, 'clusterName');
  assert.deepEqual(s.encoding.color.condition, { test: 'datum.cluster < 0', value: '#bbbbbb' });
  // The tooltip's first field is titled `image`: vega-tooltip draws it as a picture.
  assert.deepEqual(s.encoding.tooltip.map((t: any) => t.title), ['image', 'file', 'identity', 'cluster']);
  const byId = scatterSpec(pts, { colorBy: 'identity' }) as any;
  assert.equal(byId.encoding.color.field, 'identity');
  assert.equal(byId.encoding.color.condition, undefined);
  // 3 groups <= maxLegend: legend shown; maxLegend 1: hidden.
  assert.deepEqual(s.encoding.color.legend, { title: 'cluster' });
  assert.equal((scatterSpec(pts, { maxLegend: 1 }) as any).encoding.color.legend, null);
  const svg = await checkRenders(s);
  // 3 points drawn as 3 paths in the SVG's symbol mark group.
  const group = /<g class="mark-symbol role-mark marks"[^>]*>([\s\S]*?)<\/g>/.exec(svg);
  assert.ok(group, 'a symbol mark group');
  assert.equal((group[1].match(/<path/g) ?? []).length, 3);
  await checkRenders(byId);
});

test('scatterSpec: bad input', () => {
  assert.throws(() => scatterSpec([{ x: NaN, y: 0 }]), { message: 'scatterSpec: points[0] must be an {x, y} of finite numbers, got {"x":null,"y":0}.' });
  assert.throws(() => scatterSpec([], { colorBy: 'size' as never }), { message: 'scatterSpec: colorBy must be one of "cluster", "identity", got "size".' });
  assert.throws(() => scatterSpec([], { color: 'x' } as never), /scatterSpec: unknown option "color"/);
});

test('histogramBins: hand-worked bins and fractions', () => {
  // All values 0..1: 2 bins of width 0.5. same = [0.1, 0.2, 0.9] -> 2 in bin 0, 1 in bin 1 (the max falls in the last bin).
  const rows = histogramBins({ same: [0, 0.2, 1], different: [0.6, 0.9] }, 2);
  assert.deepEqual(round(rows), [
    { group: 'same person', start: 0, end: 0.5, count: 2, fraction: 0.667 },
    { group: 'same person', start: 0.5, end: 1, count: 1, fraction: 0.333 },
    { group: 'different people', start: 0, end: 0.5, count: 0, fraction: 0 },
    { group: 'different people', start: 0.5, end: 1, count: 2, fraction: 1 },
  ]);
  assert.deepEqual(histogramBins({ same: [], different: [] }, 4), []);
  // All equal values: one non-empty bin, no division by zero.
  assert.deepEqual(histogramBins({ same: [0.5, 0.5], different: [] }, 2).map((r) => r.count), [2, 0, 0, 0]);
});

test('distanceHistogramSpec: bins, threshold rule, renders', async () => {
  const s = distanceHistogramSpec({ same: [0.3, 0.35, 0.4], different: [0.7, 0.8, 0.9] }, { threshold: 0.55, bins: 10 }) as any;
  assert.equal(s.title, 'Pair distances (3 same-person, 3 different-person pairs)');
  assert.equal(s.layer[0].data.values.length, 20);
  assert.equal(s.layer[0].mark.type, 'rect');
  assert.deepEqual(s.layer[1].data.values, [{ threshold: 0.55, label: 'threshold 0.55' }]);
  assert.equal(s.layer[1].layer[0].mark.type, 'rule');
  const svg = await checkRenders(s);
  assert.match(svg, /threshold 0\.55/);
  // No threshold: no rule layer.
  assert.equal((distanceHistogramSpec({ same: [1], different: [2] }) as any).layer.length, 1);
  assert.throws(() => distanceHistogramSpec({ same: [1] } as never), /distanceHistogramSpec: pairs must be an object/);
  assert.throws(() => distanceHistogramSpec({ same: [], different: [] }, { bins: 0 }), { message: 'distanceHistogramSpec: bins must be an integer >= 1 and <= 1000, got 0.' });
});

test('sweepSpec: curves, slider bound to the parameter, rule at the chosen value, renders', async () => {
  const s = sweepSpec(SWEEP_ROWS, { parameter: 'eps', chosen: 0.4 }) as any;
  // Slider: a range input from the smallest to the largest swept value, step = the sweep's step.
  assert.deepEqual(round(s.params), [{ name: SWEEP_SLIDER_PARAM, value: 0.4, bind: { input: 'range', min: 0.3, max: 0.5, step: 0.1, name: 'eps ' } }]);
  assert.equal(s.vconcat.length, 2);
  const curves = s.vconcat[0].layer[0].data.values;
  // 3 values x 4 metrics, long format with readable metric names.
  assert.equal(curves.length, 12);
  assert.deepEqual(round(curves[0]), { value: 0.3, metric: 'pairwise precision', score: 1 });
  assert.deepEqual(s.vconcat[0].layer[3].encoding.x.datum, { expr: SWEEP_SLIDER_PARAM });
  assert.deepEqual(s.vconcat[1].layer[0].data.values.map((r: any) => r.nClusters), [10, 7, 4]);
  const svg = await checkRenders(s);
  // The nearest swept value's scores are printed beside the rule: 0.900 precision at eps 0.4.
  assert.match(svg, /0\.900/);
  // Default chosen: the best value of the last metric (bcubedF1 is largest at 0.5).
  assert.equal((sweepSpec(SWEEP_ROWS) as any).params[0].value, 0.5);
  // Without nClusters: one chart.
  assert.equal((sweepSpec(SWEEP_ROWS.map(({ nClusters, ...r }) => r) as never) as any).vconcat.length, 1);
});

test('sweepSpec: bad input', () => {
  assert.throws(() => sweepSpec([]), { message: 'sweepSpec: rows must be a non-empty array of {value, ...scores}, got [].' });
  assert.throws(() => sweepSpec([{ value: 1 }] as never), { message: 'sweepSpec: rows must all have the field "pairwisePrecision" (options.metrics), got a row without it (value 1).' });
  assert.throws(() => sweepSpec([{ value: Infinity }] as never), { message: 'sweepSpec: rows[0].value must be a finite number, got Infinity.' });
});

test('clusterSizeCounts / clusterSizeSpec: hand-worked classes', async () => {
  // Clusters: 0 (2 faces), 1 (1), 2 (3), 3 (7); 2 noise faces.
  const labels = [0, 0, 1, 2, 2, 2, -1, 3, 3, 3, 3, 3, 3, 3, -1];
  const { rows, nNoise, nClusters } = clusterSizeCounts(labels);
  assert.equal(nNoise, 2);
  assert.equal(nClusters, 4);
  assert.deepEqual(rows.filter((r) => r.clusters > 0), [
    { size: '1', clusters: 1, faces: 1 },
    { size: '2', clusters: 1, faces: 2 },
    { size: '3-5', clusters: 1, faces: 3 },
    { size: '6-10', clusters: 1, faces: 7 },
  ]);
  assert.deepEqual(rows.map((r) => r.size), ['1', '2', '3-5', '6-10', '11-20', '21-50', '51-100', '101+']);
  const s = clusterSizeSpec(Int32Array.from(labels)) as any;
  assert.equal(s.title.subtitle, '4 clusters, 2 noise faces, 15 faces');
  await checkRenders(s);
});

test('metricsTableSpec: one cell per method and metric, scores shaded, counts plain', async () => {
  const s = metricsTableSpec(
    [
      { method: 'dbscan', nClusters: 12, pairwiseF1: 0.91234, bcubedF1: 0.8 },
      { method: 'chineseWhispers', nClusters: 15, pairwiseF1: 0.7, bcubedF1: NaN },
    ],
    { metrics: ['nClusters', 'pairwiseF1', 'bcubedF1'] },
  ) as any;
  assert.deepEqual(s.data.values.map((c: any) => [c.method, c.metric, c.text, c.score === null ? null : round(c.score)]), [
    ['dbscan', 'clusters', '12', null],
    ['dbscan', 'pair F', '0.912', 0.912],
    ['dbscan', 'BCubed F', '0.800', 0.8],
    ['chineseWhispers', 'clusters', '15', null],
    ['chineseWhispers', 'pair F', '0.700', 0.7],
    ['chineseWhispers', 'BCubed F', '–', null],
  ]);
  assert.deepEqual(s.encoding.y.sort, ['dbscan', 'chineseWhispers']);
  const svg = await checkRenders(s);
  assert.match(svg, /0\.912/);
  assert.throws(() => metricsTableSpec([]), /metricsTableSpec: rows must be a non-empty array/);
});

test('renderPng: a PNG of the chart at the asked scale', async () => {
  const s = clusterSizeSpec([0, 0, 1]);
  const png1 = await renderPng(s, { scale: 1 });
  const png2 = await renderPng(s, { scale: 2 });
  const m1 = await sharp(png1).metadata();
  const m2 = await sharp(png2).metadata();
  assert.equal(m1.format, 'png');
  // Twice the scale, twice the pixels each way (within rounding).
  assert.ok(Math.abs(m2.width! - 2 * m1.width!) <= 2 && Math.abs(m2.height! - 2 * m1.height!) <= 2, `${m1.width}x${m1.height} vs ${m2.width}x${m2.height}`);
  assert.ok(m1.width! > 420, 'at least the plot width');
  await assert.rejects(renderPng(s, { scale: 0 }), { message: 'renderPng: scale must be a finite number > 0 and <= 16, got 0.' });
  await assert.rejects(renderSvg({ mark: 'nope' } as never), /toVegaSpec: spec must be a valid Vega-Lite v5 spec/);
});
