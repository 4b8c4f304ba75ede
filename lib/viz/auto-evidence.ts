/**
 * The two charts that show how the default clustering ({@link clusterAuto}) chose its cut, neither needing labels:
 * - {@link mixtureHistogramSpec}: the histogram of pair distances with the fitted same-person and
 *   different-person modes drawn over it, the crossing and the chosen threshold (square-root y axis, so the small
 *   same-person mode shows beside the large different-person one);
 * - {@link expectedCurveSpec}: the expected BCubed and pairwise F1 over the cuts, the chosen cut marked; when
 *   the true scores of the same cuts are known (labelled collections) they are drawn beside them, dashed, as
 *   "with labels".
 */
import type { TopLevelSpec } from 'vega-lite';
import { invalidParameter } from '../errors.ts';
import type { AutoEvidence } from '../cluster/auto.ts';
import { componentDensities } from '../cluster/distance-mixture.ts';


function checkEvidence(fn: string, e: AutoEvidence): void {
  if (!e || !e.mixture || !e.curve || !Array.isArray(e.curve.threshold)) throw invalidParameter(fn, 'evidence', "clusterAuto's result.evidence", e);
}

/** Pair-distance histogram with the fitted modes, the crossing and the chosen threshold. */
export function mixtureHistogramSpec(evidence: AutoEvidence, options: { bins?: number; width?: number; height?: number } = {}): TopLevelSpec {
  checkEvidence('mixtureHistogramSpec', evidence);
  const { mixture, threshold } = evidence;
  const bins = options.bins ?? 80;
  const { edges, counts } = mixture.histogram;
  // re-bin the fit's histogram to `bins` bars
  const per = Math.max(1, Math.round(counts.length / bins));
  const total = counts.reduce((s, c) => s + c, 0) || 1;
  const bars: { start: number; end: number; share: number }[] = [];
  for (let b = 0; b < counts.length; b += per) {
    let c = 0;
    for (let t = b; t < Math.min(counts.length, b + per); t++) c += counts[t];
    bars.push({ start: edges[b], end: edges[Math.min(counts.length, b + per)], share: c / total });
  }
  const width = bars.length ? bars[0].end - bars[0].start : 1;
  const curves: { d: number; share: number; mode: string }[] = [];
  const hi = edges[edges.length - 1] ?? 1;
  for (let s = 0; s <= 200; s++) {
    const d = (hi * s) / 200;
    const density = componentDensities(mixture, d);
    curves.push({ d, share: density.same * width, mode: 'same person (fitted)' });
    curves.push({ d, share: density.different * width, mode: 'different people (fitted)' });
  }
  const rules = [
    { x: mixture.crossing, label: `crossing ${mixture.crossing.toFixed(3)}`, kind: 'crossing' },
    { x: threshold, label: `chosen cut ${threshold.toFixed(3)}`, kind: 'chosen' },
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Pair distances (${mixture.exhaustive ? 'all' : 'a sample of'} ${mixture.pairs.toLocaleString('en-US')} pairs) and the two fitted modes`,
    width: options.width ?? 520,
    height: options.height ?? 260,
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', color: '#bbb' },
        encoding: {
          x: { field: 'start', type: 'quantitative', title: 'euclidean distance between two faces' },
          x2: { field: 'end' },
          y: { field: 'share', type: 'quantitative', title: 'share of pairs (square-root scale)', scale: { type: 'sqrt' } },
          tooltip: [{ field: 'start', type: 'quantitative', format: '.3f', title: 'from' }, { field: 'end', type: 'quantitative', format: '.3f', title: 'to' }, { field: 'share', type: 'quantitative', format: '.5f' }],
        },
      },
      {
        data: { values: curves },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { field: 'd', type: 'quantitative' },
          y: { field: 'share', type: 'quantitative' },
          color: { field: 'mode', type: 'nominal', scale: { domain: ['same person (fitted)', 'different people (fitted)'], range: ['#1f77b4', '#d62728'] }, title: null },
        },
      },
      {
        data: { values: rules },
        layer: [
          { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: { field: 'x', type: 'quantitative' }, strokeDash: { field: 'kind', type: 'nominal', scale: { domain: ['chosen', 'crossing'], range: [[1, 0], [4, 3]] }, legend: null } } },
          { mark: { type: 'text', align: 'left', dx: 4, baseline: 'top', angle: 0 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { value: 4 }, yOffset: { field: 'kind', type: 'nominal', scale: { domain: ['chosen', 'crossing'], range: [0, 14] } }, text: { field: 'label' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** Expected scores over the cuts (and true ones, when given), with the chosen cut marked. */
export function expectedCurveSpec(evidence: AutoEvidence, options: { withLabels?: { bcubedF1: number[]; pairwiseF1: number[] }; width?: number; height?: number } = {}): TopLevelSpec {
  checkEvidence('expectedCurveSpec', evidence);
  const { curve, chosen } = evidence;
  const rows: { threshold: number; score: number; curve: string; clusters: number }[] = [];
  curve.threshold.forEach((t, i) => {
    rows.push({ threshold: t, score: curve.bcubedF1[i], curve: 'BCubed F (expected, no labels)', clusters: curve.nClusters[i] });
    rows.push({ threshold: t, score: curve.pairwiseF1[i], curve: 'pairwise F (expected, no labels)', clusters: curve.nClusters[i] });
    if (options.withLabels) {
      rows.push({ threshold: t, score: options.withLabels.bcubedF1[i], curve: 'BCubed F (with labels)', clusters: curve.nClusters[i] });
      rows.push({ threshold: t, score: options.withLabels.pairwiseF1[i], curve: 'pairwise F (with labels)', clusters: curve.nClusters[i] });
    }
  });
  const domain = ['BCubed F (expected, no labels)', 'pairwise F (expected, no labels)', ...(options.withLabels ? ['BCubed F (with labels)', 'pairwise F (with labels)'] : [])];
  const point = chosen >= 0 ? [{ threshold: curve.threshold[chosen], score: evidence.criterion === 'bcubed' ? curve.bcubedF1[chosen] : curve.pairwiseF1[chosen], label: `chosen ${curve.threshold[chosen].toFixed(3)}: ${curve.nClusters[chosen]} clusters` }] : [];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Expected scores of each cut of the linkage tree (the default takes the highest)',
    width: options.width ?? 520,
    height: options.height ?? 260,
    layer: [
      {
        data: { values: rows },
        mark: { type: 'line' },
        encoding: {
          x: { field: 'threshold', type: 'quantitative', title: 'cut (linkage distance)', scale: { zero: false } },
          y: { field: 'score', type: 'quantitative', title: 'F1', scale: { zero: false } },
          color: { field: 'curve', type: 'nominal', scale: { domain, range: ['#1f77b4', '#ff7f0e', '#1f77b4', '#ff7f0e'] }, title: null },
          strokeDash: { field: 'curve', type: 'nominal', scale: { domain, range: [[1, 0], [1, 0], [4, 3], [4, 3]] }, legend: null },
          tooltip: [{ field: 'curve', type: 'nominal' }, { field: 'threshold', type: 'quantitative', format: '.3f' }, { field: 'score', type: 'quantitative', format: '.3f' }, { field: 'clusters', type: 'quantitative' }],
        },
      },
      {
        data: { values: point },
        layer: [
          { mark: { type: 'point', filled: true, size: 80, color: 'black' }, encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { field: 'score', type: 'quantitative' } } },
          { mark: { type: 'text', align: 'left', dx: 6, dy: -8 }, encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { field: 'score', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}
