/**
 * The self-contained HTML report: one file with the 2-D map of the faces (coloured by cluster and by true
 * identity, thumbnails in the tooltips), a metrics table of every clustering, sweep curves with sliders, the
 * pair-distance histogram, the cluster size distribution, a montage per cluster and an error view (impure
 * clusters, split people) with the faces shown.
 *
 * Self-contained: vega, vega-lite and vega-embed are inlined from node_modules (their UMD builds), thumbnails
 * and montages are data URIs; the page loads nothing from the network. Every file and identity name is escaped
 * ({@link escapeHtml}); chart data is embedded as JSON made safe for <script> ({@link jsonForScript}).
 *
 * For tests and tools, the page exposes `window.faceclusterReport = { views, ready }`: the vega View of each chart
 * by id (`map-cluster`, `map-identity`, `metrics`, `sweep-0`, `histogram`, `sizes`) and a promise resolved when all
 * charts are drawn.
 *
 * @example
 *   const { html } = await buildReport({ faces, embeddings, truth, clusterings: [{ name: 'dbscan', labels }] });
 *   await writeFile('report.html', html);
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { FaceclusterError, invalidParameter } from '../errors.ts';
import { checkInteger, checkNumber, checkOneOf, resolveOptions } from '../options.ts';
import type { Box, ProgressCallback } from '../types.ts';
import { encodeLabels } from '../datasets/precomputed.ts';
import { evaluateClustering } from '../evaluate/evaluate.ts';
import { thumbnail } from '../image/thumbnail.ts';
import { montage } from '../image/montage.ts';
import { reduceBy, type ReducerName } from '../reduce/registry.ts';
import { clusterErrors } from './cluster-errors.ts';
import { escapeHtml, jsonForScript } from './escape.ts';
import { distanceHistogramSpec } from './histogram.ts';
import { metricsTableSpec, type MetricsRow } from './metrics-table.ts';
import { pairDistances } from './pairs.ts';
import { scatterSpec } from './scatter.ts';
import { clusterSizeSpec } from './sizes.ts';
import { sweepSpec, type SweepRow } from './sweep.ts';
import { expectedCurveSpec, mixtureHistogramSpec } from './auto-evidence.ts';
import type { AutoEvidence } from '../cluster/auto.ts';
import type { LeastCertain } from '../cluster/least-certain.ts';

/** One face of the report. */
export interface ReportFace {
  /** Name shown to the reader (e.g. the path relative to the photo folder). */
  file: string;
  /** Where to read the photo for the thumbnail; none: no thumbnail. */
  path?: string;
  /** Face box in upright original pixels; none: the whole photo. */
  box?: Box;
  /** True identity name, when known. */
  identity?: string;
  /** A ready thumbnail data URI (skips reading `path`). */
  thumbnail?: string;
}

/** One clustering to show (the first one colours the map and drives the galleries). */
export interface ReportClustering {
  name: string;
  labels: ArrayLike<number>;
  /** The clustering's main parameter and value (e.g. eps 0.45): drawn on the distance histogram. */
  parameter?: string;
  value?: number;
  /** Display names of clusters by label (e.g. people's names), used in gallery captions. */
  clusterNames?: Readonly<Record<number, string>>;
}

/** One parameter sweep (rows of scores per parameter value). */
export interface ReportSweep {
  name: string;
  parameter: string;
  rows: SweepRow[];
  chosen?: number;
}

export interface ReportInput {
  faces: readonly ReportFace[];
  embeddings: readonly ArrayLike<number>[];
  /** True identity per face (integers); default: from `faces[i].identity` when every face has one. */
  truth?: ArrayLike<number>;
  clusterings?: readonly ReportClustering[];
  sweeps?: readonly ReportSweep[];
  /** A ready 2-D map (one [x, y] per face); default: computed with `options.reducer`. */
  map?: readonly (readonly number[])[];
  /** How the first clustering chose its cut, when it is the default method (clusterAuto's `evidence`). */
  evidence?: AutoEvidence;
  /** True scores of the evidence's cuts (labelled collections only), drawn dashed beside the expected ones. */
  evidenceWithLabels?: { bcubedF1: number[]; pairwiseF1: number[] };
  /** The first clustering's least certain decisions (leastCertain), shown with the faces. */
  decisions?: LeastCertain;
  /**
   * Faces too poor to recognise that are in no person (lib/people status `unsorted`), with their quality scores:
   * shown in the section "Faces too poor to recognise", lowest score first.
   */
  unsorted?: readonly { face: number; quality: number }[];
  /** The quality bar they fell below (for the section's text). */
  minQuality?: number;
}

export interface ReportOptions {
  /** @default 'facecluster report' */
  title: string;
  /** Reducer of the map when `input.map` is absent. @default 'umap' (keeps clusters apart and scales to 13k faces) */
  reducer: ReducerName;
  /** Seed of the reducer. @default 42 */
  seed: number;
  /** Thumbnail side in pixels (tooltips, galleries). @default 64 (about 2.5 KB a face as JPEG) */
  thumbnailSize: number;
  /** Clusters shown as montages (largest first). @default 24 */
  galleryClusters: number;
  /** Faces per montage at most. @default 32 */
  galleryFaces: number;
  /** Impure clusters and split people shown in the error view. @default 12 */
  errorItems: number;
  /** Faces shown per error item at most. @default 24 */
  errorFaces: number;
  /** Faces shown in "Faces too poor to recognise" at most. @default 120 */
  unsortedFaces: number;
  /** Thumbnails made at the same time. @default 4 */
  concurrency: number;
  /** Called as thumbnails are made, (done, total). @default undefined */
  onProgress: ProgressCallback | undefined;
}

export const REPORT_DEFAULTS: Readonly<ReportOptions> = Object.freeze({
  title: 'facecluster report',
  reducer: 'umap' as const,
  seed: 42,
  thumbnailSize: 64,
  galleryClusters: 24,
  galleryFaces: 32,
  errorItems: 12,
  errorFaces: 24,
  unsortedFaces: 120,
  concurrency: 4,
  onProgress: undefined,
});

export interface ReportResult {
  html: string;
  /** The 2-D map used (one [x, y] per face). */
  map: number[][];
  /** Per-face problems (e.g. a photo that could not be read for its thumbnail): file and reason. */
  warnings: string[];
}

const require = createRequire(import.meta.url);

/** Directory of an installed package (its package.json may not export the build files). */
function packageDir(pkg: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    if (dir.endsWith(join('node_modules', pkg)) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new FaceclusterError('buildReport', `cannot find the installed package ${pkg} (run npm install).`);
    dir = up;
  }
}

function libraryScript(pkg: string, file: string): string {
  const path = join(packageDir(pkg), file);
  // Inline <script>: a literal "</script" inside would end the element early.
  return readFileSync(path, 'utf8').replace(/<\/(script)/gi, '<\\/$1');
}

async function pool<T>(n: number, limit: number, work: (i: number) => Promise<T>, onDone?: () => void): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await work(i);
      onDone?.();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}

/** Builds the report's HTML (see the module comment). */
export async function buildReport(input: ReportInput, options?: Partial<ReportOptions>): Promise<ReportResult> {
  const fn = 'buildReport';
  const o = resolveOptions(fn, REPORT_DEFAULTS, options);
  checkOneOf(fn, 'reducer', o.reducer, ['pca', 'tsne', 'umap'] as const);
  checkInteger(fn, 'thumbnailSize', o.thumbnailSize, 8, 512);
  checkInteger(fn, 'galleryClusters', o.galleryClusters, 0);
  checkInteger(fn, 'galleryFaces', o.galleryFaces, 1);
  checkInteger(fn, 'unsortedFaces', o.unsortedFaces, 0);
  for (const [k, u] of (input.unsorted ?? []).entries()) {
    if (!Number.isInteger(u?.face) || u.face < 0 || u.face >= input.faces.length) throw invalidParameter(fn, `input.unsorted[${k}].face`, `a face index below ${input.faces.length}`, u?.face);
  }
  checkInteger(fn, 'errorItems', o.errorItems, 0);
  checkInteger(fn, 'errorFaces', o.errorFaces, 1);
  checkInteger(fn, 'concurrency', o.concurrency, 1, 64);
  const { faces, embeddings } = input;
  if (!Array.isArray(faces)) throw invalidParameter(fn, 'input.faces', 'an array of faces', faces);
  const n = faces.length;
  if (!Array.isArray(embeddings) || embeddings.length !== n) {
    throw new FaceclusterError(fn, `input.embeddings must have one embedding per face (${n}), got ${Array.isArray(embeddings) ? embeddings.length : showType(embeddings)}.`, 'input.embeddings');
  }
  faces.forEach((f, i) => {
    if (f.thumbnail !== undefined && !/^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=]*$/.test(f.thumbnail)) {
      throw invalidParameter(fn, `input.faces[${i}].thumbnail`, 'a data:image/(png|jpeg|webp|gif);base64 URI (the report loads nothing from the network)', f.thumbnail);
    }
  });
  const clusterings = input.clusterings ?? [];
  clusterings.forEach((c, k) => {
    if (!c || c.labels?.length !== n) throw new FaceclusterError(fn, `input.clusterings[${k}].labels must have one label per face (${n}), got ${c?.labels?.length}.`, 'input.clusterings');
  });
  let truth: ArrayLike<number> | undefined = input.truth;
  if (truth !== undefined && truth.length !== n) throw new FaceclusterError(fn, `input.truth must have one label per face (${n}), got ${truth.length}.`, 'input.truth');
  if (truth === undefined && n > 0 && faces.every((f) => typeof f.identity === 'string')) truth = encodeLabels(faces.map((f) => f.identity as string));
  const identityName = (i: number): string => faces[i].identity ?? (truth ? `#${truth[i]}` : '');
  const warnings: string[] = [];

  // Map.
  let map: number[][];
  if (input.map) {
    if (input.map.length !== n) throw new FaceclusterError(fn, `input.map must have one point per face (${n}), got ${input.map.length}.`, 'input.map');
    map = input.map.map((p) => [p[0], p[1]]);
  } else {
    map = n === 0 ? [] : reduceBy(o.reducer, embeddings as ArrayLike<number>[] as number[][], (o.reducer === 'pca' ? {} : { seed: o.seed }) as never);
  }

  // Thumbnails.
  let done = 0;
  const thumbs = await pool(n, o.concurrency, async (i) => {
    const f = faces[i];
    if (f.thumbnail) return f.thumbnail;
    if (!f.path) return '';
    try {
      return await thumbnail(f.path, f.box, { size: o.thumbnailSize });
    } catch (e) {
      warnings.push(`${f.file}: ${(e as Error).message}`);
      return '';
    }
  }, () => o.onProgress?.(++done, n));

  // Charts.
  const charts: { id: string; title: string; spec: TopLevelSpec; note?: string }[] = [];
  const main = clusterings[0];
  const points = map.map(([x, y], i) => ({
    x,
    y,
    cluster: main ? main.labels[i] : undefined,
    identity: faces[i].identity ?? (truth ? identityName(i) : undefined),
    file: faces[i].file,
    image: thumbs[i] || undefined,
  }));
  if (main) charts.push({ id: 'map-cluster', title: `Map (${o.reducer}) coloured by cluster: ${main.name}`, spec: scatterSpec(points, { colorBy: 'cluster' }) });
  if (truth) charts.push({ id: 'map-identity', title: `Map (${o.reducer}) coloured by true identity`, spec: scatterSpec(points, { colorBy: 'identity' }) });
  if (!main && !truth) charts.push({ id: 'map-cluster', title: `Map (${o.reducer})`, spec: scatterSpec(points, { colorBy: 'cluster' }) });
  if (input.evidence) {
    charts.push({ id: 'auto-histogram', title: `How ${main?.name ?? 'the default'} chose its cut: the pair distances`, spec: mixtureHistogramSpec(input.evidence), note: `${input.evidence.weakEvidence ? `Warning, ${input.evidence.weakEvidence} ` : ''}No labels needed: the two modes are fitted to the distances of this collection; the cut is where the expected score below is highest.` });
    charts.push({ id: 'auto-curve', title: 'Expected scores of each cut', spec: expectedCurveSpec(input.evidence, { withLabels: input.evidenceWithLabels }), note: input.evidenceWithLabels ? 'Dashed: the true scores of the same cuts, computed with the labels (an upper bound the default cannot see).' : undefined });
  }
  const metricRows: MetricsRow[] = [];
  if (truth && clusterings.length > 0) {
    for (const c of clusterings) metricRows.push({ method: c.name, ...(evaluateClustering(c.labels, truth) as unknown as Record<string, number>) });
    charts.push({ id: 'metrics', title: 'Metrics against the true identities', spec: metricsTableSpec(metricRows) });
  }
  (input.sweeps ?? []).forEach((s, k) => {
    charts.push({ id: `sweep-${k}`, title: `Sweep: ${s.name}`, spec: sweepSpec(s.rows, { parameter: s.parameter, chosen: s.chosen ?? NaN }), note: 'Drag the slider to read the scores at a parameter value.' });
  });
  if (truth && n >= 2) {
    const threshold = main?.value !== undefined && Number.isFinite(main.value) ? main.value : NaN;
    charts.push({ id: 'histogram', title: 'Same-person and different-person distances', spec: distanceHistogramSpec(pairDistances(embeddings, truth, { seed: o.seed }), { threshold, xTitle: 'Euclidean distance' }) });
  }
  if (main) charts.push({ id: 'sizes', title: `Cluster sizes: ${main.name}`, spec: clusterSizeSpec(main.labels) });

  // Galleries: a montage per cluster, largest first.
  const galleries: string[] = [];
  if (main && o.galleryClusters > 0) {
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = main.labels[i];
      if (c < 0) continue;
      const m = members.get(c);
      if (m) m.push(i);
      else members.set(c, [i]);
    }
    const top = [...members.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).slice(0, o.galleryClusters);
    for (const [c, idx] of top) {
      const shown = idx.slice(0, o.galleryFaces);
      const tiles = shown.map((i) => thumbs[i] || Buffer.alloc(0));
      const jpeg = await montage(tiles, { tileSize: o.thumbnailSize, columns: 8, format: 'jpeg' });
      let caption = `${main.clusterNames?.[c] !== undefined ? main.clusterNames[c] : `Cluster ${c}`}: ${idx.length} face${idx.length === 1 ? '' : 's'}`;
      if (truth) {
        const counts = new Map<string, number>();
        for (const i of idx) counts.set(identityName(i), (counts.get(identityName(i)) ?? 0) + 1);
        const [name, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        caption += `, ${count} of ${name}${counts.size > 1 ? ` (${counts.size} people)` : ''}`;
      }
      const names = shown.map((i) => faces[i].file).join('\n');
      galleries.push(`<figure class="montage"><img alt="${escapeHtml(caption)}" title="${escapeHtml(names)}" src="data:image/jpeg;base64,${jpeg.toString('base64')}"><figcaption>${escapeHtml(caption)}${idx.length > shown.length ? ` (first ${shown.length} shown)` : ''}</figcaption></figure>`);
    }
  }

  // Faces too poor to recognise: thumbnails with their scores, lowest first.
  let unsortedHtml = '';
  if (input.unsorted && input.unsorted.length > 0 && o.unsortedFaces > 0) {
    const list = [...input.unsorted].sort((a, b) => a.quality - b.quality || a.face - b.face);
    const shown = list.slice(0, o.unsortedFaces);
    const tiles = shown.map(({ face: i, quality }) =>
      `<figure class="face">${thumbs[i] ? `<img alt="" src="${escapeHtml(thumbs[i])}">` : '<div class="noimg"></div>'}<figcaption><b>quality ${quality.toFixed(2)}</b><br><span class="file">${escapeHtml(faces[i].file)}</span></figcaption></figure>`);
    const bar = input.minQuality !== undefined ? ` (quality score below ${input.minQuality})` : '';
    unsortedHtml = `<section id="unsorted"><h2>Faces too poor to recognise (${list.length} unsorted)</h2>
<p class="note">These faces are too small, blurred or turned to be recognised${escapeHtml(bar)}: they make no person and are in none (a poor face stays in a person only when the clustering put it with enough of that person's good faces). They stay in the store; move one into a person by hand (<code>facecluster people &lt;store&gt; move FACE ID</code>) and it stays there.${list.length > shown.length ? ` Lowest ${shown.length} shown.` : ''}</p>
<div class="faces">${tiles.join('')}</div></section>`;
  }

  // Error view.
  let errorsHtml = '';
  if (main && truth && o.errorItems > 0) {
    const { impure, split } = clusterErrors(main.labels, truth, { maxItems: o.errorItems });
    const face = (i: number, odd: boolean): string =>
      `<figure class="face${odd ? ' odd' : ''}">${thumbs[i] ? `<img alt="" src="${escapeHtml(thumbs[i])}">` : '<div class="noimg"></div>'}<figcaption><b>${escapeHtml(identityName(i))}</b><br><span class="file">${escapeHtml(faces[i].file)}</span></figcaption></figure>`;
    const imp = impure.map((c) => {
      const shown = c.members.slice(0, o.errorFaces);
      const majority = shown.length ? identityName(c.members[0]) : '';
      return `<div class="err"><h4>Cluster ${c.cluster}: ${c.size} faces, ${c.intruders} not ${escapeHtml(majority)}</h4><div class="faces">${shown.map((i) => face(i, truth![i] !== c.majority)).join('')}</div></div>`;
    });
    const spl = split.map((s) => {
      const first = s.parts[0].members[0];
      let left = o.errorFaces;
      const parts = s.parts.map((p) => {
        const shown = p.members.slice(0, Math.max(0, left));
        left -= shown.length;
        return `<div class="part"><div class="partname">${p.cluster < 0 ? 'noise' : `cluster ${p.cluster}`} (${p.members.length})</div><div class="faces">${shown.map((i) => face(i, false)).join('')}</div></div>`;
      });
      return `<div class="err"><h4>${escapeHtml(identityName(first))}: ${s.size} faces in ${s.parts.length} parts</h4>${parts.join('')}</div>`;
    });
    errorsHtml = `<section id="errors"><h2>Errors of ${escapeHtml(main.name)}</h2>
<h3>Impure clusters (${impure.length} shown; faces of other people outlined in red)</h3>${imp.join('') || '<p>None: every cluster holds one person.</p>'}
<h3>People split across clusters (${split.length} shown)</h3>${spl.join('') || '<p>None: every person is in one cluster.</p>'}</section>`;
  }

  // Decisions to check: clusters closest to being merged, faces closest to leaving their cluster. Only decisions
  // about the clusters of `main` (the ones shown) are listed, each with its faces; one that names a cluster with
  // no face here (decisions of another partition) is left out rather than shown empty.
  let decisionsHtml = '';
  if (main && input.decisions) {
    const members = new Map<number, number[]>();
    for (let i = 0; i < n; i++) { const c = main.labels[i]; if (c >= 0) (members.get(c) ?? members.set(c, []).get(c)!).push(i); }
    const tile = (i: number, odd = false) => `<figure class="face${odd ? ' odd' : ''}">${thumbs[i] ? `<img alt="" src="${escapeHtml(thumbs[i])}">` : '<div class="noimg"></div>'}<figcaption>${truth ? `<b>${escapeHtml(identityName(i))}</b><br>` : ''}<span class="file">${escapeHtml(faces[i].file)}</span></figcaption></figure>`;
    const few = (c: number, k: number, skip = -1) => (members.get(c) ?? []).filter((i) => i !== skip).slice(0, k).map((i) => tile(i)).join('');
    const label = (c: number) => escapeHtml(main.clusterNames?.[c] ?? `cluster ${c}`);
    const pct = (p: number) => (Number.isNaN(p) ? '' : `, P(one person) ${p.toFixed(2)}`);
    const shownMerges = input.decisions.merges.filter((m) => (members.get(m.a)?.length ?? 0) > 0 && (members.get(m.b)?.length ?? 0) > 0).slice(0, 10);
    const shownLeavers = input.decisions.leavers.filter((l) => main.labels[l.face] === l.cluster && (members.get(l.cluster)?.length ?? 0) > 1 && (members.get(l.nearestCluster)?.length ?? 0) > 0).slice(0, 10);
    const merges = shownMerges.map((m) => `<div class="err"><h4>${label(m.a)} (${members.get(m.a)!.length}) and ${label(m.b)} (${members.get(m.b)!.length}): distance ${m.distance.toFixed(3)}${pct(m.sameProbability)}</h4><div class="part"><div class="faces">${few(m.a, 6)}</div></div><div class="part"><div class="faces">${few(m.b, 6)}</div></div></div>`);
    const leavers = shownLeavers.map((l) => `<div class="err"><h4>Face ${escapeHtml(faces[l.face].file)} in ${label(l.cluster)} (distance ${l.ownDistance.toFixed(3)}), near ${label(l.nearestCluster)} (${l.nearestDistance.toFixed(3)})</h4><div class="part"><div class="partname">the face</div><div class="faces">${tile(l.face, true)}</div></div><div class="part"><div class="partname">its cluster</div><div class="faces">${few(l.cluster, 5, l.face)}</div></div><div class="part"><div class="partname">the nearest other cluster</div><div class="faces">${few(l.nearestCluster, 5)}</div></div></div>`);
    decisionsHtml = `<section id="decisions"><h2>Decisions to check (${escapeHtml(main.name)})</h2>
<p class="note">To act on them (merge, move, split, ignore, each kept across runs), open the store with <code>facecluster serve</code>: its Review page asks these questions with yes / no / skip.</p>
<h3>Clusters closest to being merged (one person split in two shows up here)</h3>${merges.join('') || '<p>None.</p>'}
<h3>Faces closest to leaving their cluster (a stranger in a cluster shows up here)</h3>${leavers.join('') || '<p>None.</p>'}</section>`;
  }

  const summary = [
    `${n} faces`,
    truth ? `${new Set(Array.from(truth)).size} people` : '',
    clusterings.length ? `clusterings: ${clusterings.map((c) => (c.parameter && !c.name.includes(`${c.parameter} `) ? `${c.name} (${c.parameter} ${c.value})` : c.name)).join(', ')}` : '',
    `map: ${input.map ? 'given' : o.reducer}`,
  ].filter(Boolean).join(' · ');
  const chartHtml = charts.map((c) => `<section class="chart-box"><h2>${escapeHtml(c.title)}</h2>${c.note ? `<p class="note">${escapeHtml(c.note)}</p>` : ''}<div class="chart" id="${c.id}"></div></section>`).join('\n');
  // Both maps draw the same rows (they differ only in the colour field): embed the rows once.
  const specs = Object.fromEntries(charts.map((c) => [c.id, c.spec])) as Record<string, TopLevelSpec>;
  const mapIds = charts.filter((c) => c.id.startsWith('map-')).map((c) => c.id);
  const faceRows = mapIds.length ? (specs[mapIds[0]] as { data: { values: unknown[] } }).data.values : [];
  for (const id of mapIds) specs[id] = { ...specs[id], data: { name: 'faces' } } as TopLevelSpec;
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(o.title)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
h1 { margin-bottom: 4px; } .summary { color: #555; margin-top: 0; }
.chart-box { display: inline-block; vertical-align: top; margin: 0 24px 24px 0; }
.chart-box h2, #galleries h2, #errors h2, #decisions h2 { font-size: 16px; } .note { color: #666; font-size: 13px; }
.montage { display: inline-block; margin: 0 16px 16px 0; vertical-align: top; } .montage figcaption { font-size: 13px; }
.err { margin-bottom: 18px; } .err h4 { margin: 6px 0; font-size: 14px; }
.faces { display: flex; flex-wrap: wrap; gap: 4px; } .part { display: inline-block; margin-right: 16px; vertical-align: top; }
.partname { font-size: 12px; color: #555; }
.face { margin: 0; width: ${o.thumbnailSize + 24}px; font-size: 10px; overflow-wrap: anywhere; border: 2px solid transparent; }
.face.odd { border-color: #d62728; } .face img, .noimg { width: ${o.thumbnailSize}px; height: ${o.thumbnailSize}px; display: block; background: #eee; }
.file { color: #666; } #vg-tooltip-element img { width: ${o.thumbnailSize * 2}px; height: ${o.thumbnailSize * 2}px; }
</style>
<script>${libraryScript('vega', 'build/vega.min.js')}</script>
<script>${libraryScript('vega-lite', 'build/vega-lite.min.js')}</script>
<script>${libraryScript('vega-embed', 'build/vega-embed.min.js')}</script>
</head>
<body>
<h1>${escapeHtml(o.title)}</h1>
<p class="summary">${escapeHtml(summary)}</p>
${warnings.length ? `<details><summary>${warnings.length} warning(s)</summary><pre>${escapeHtml(warnings.join('\n'))}</pre></details>` : ''}
${chartHtml}
${galleries.length ? `<section id="galleries"><h2>Clusters of ${escapeHtml(main!.name)} (largest ${galleries.length})</h2>${galleries.join('\n')}</section>` : ''}
${decisionsHtml}
${unsortedHtml}
${errorsHtml}
<script>
(function () {
  var specs = ${jsonForScript(specs)};
  var faces = ${jsonForScript(faceRows)};
  var views = {};
  var jobs = Object.keys(specs).map(function (id) {
    if (specs[id].data && specs[id].data.name === 'faces') specs[id].data = { values: faces };
    return vegaEmbed('#' + id, specs[id], { actions: false, renderer: 'canvas' }).then(function (r) { views[id] = r.view; });
  });
  window.faceclusterReport = { views: views, ready: Promise.all(jobs) };
})();
</script>
</body>
</html>
`;
  return { html, map, warnings };
}

function showType(v: unknown): string {
  return v === null ? 'null' : typeof v;
}

