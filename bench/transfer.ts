/**
 * `npm run bench:transfer`: does the default clustering hold on collections it was not tuned on?
 *
 * For each labelled collection (all of LFW, 120faces, pins, yale, celeba encoded with the default pipeline into
 * cached stores; see bench/_collections.ts):
 * faces, people, the default's (`auto`, no labels) pairwise F / BCubed F / clusters / chosen threshold / seconds,
 * then the best swept value of every method found WITH the labels (an upper bound, not a result), the gap
 * between the best BCubed F and the default's, and the mean and worst gap. Then the default on two random halves
 * of each collection (its result should not depend on the collection's size).
 *
 * The default is `auto` with the embedder's measured mixture constants (`EMBEDDER_SPECS[e].mixture`). Leave one
 * collection out: `auto` has three fitted choices, the criterion it maximises (expected BCubed or pairwise F1), the
 * space its modes are normal in (distance or squared distance) and `sameSpreadCap` (1, 1.25, 1.5 or 2). The
 * `LOO` column picks the triple, for each collection, by the mean true BCubed F on the other collections, and
 * scores the pick on the held-out one; "fit on all" is the pick on every collection, the embedder's constants.
 *
 * Usage: npm run bench:transfer -- [--collections lfw,120faces,pins,yale,celeba] [--embedder NAME] [--encode] [--json FILE]
 *   --embedder which of the stores' embedders (or a fusion a+b; default: the default embedder)
 *   --encode   encode the missing stores first (the default pipeline plus resnet128; minutes per collection, LFW
 *              ~15 min; `npm run data:encode` does the same for every collection, resuming)
 * Prints markdown and the load average.
 */
import { loadavg } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AUTO_DEFAULTS, clusterAuto, DEFAULT_EMBEDDER, embedderDistanceScale, embedderMixtureOptions, evaluateClustering, MIXTURE_SPACES, modeDistance, scaledClusterMethod, sweep, cutTree, type AutoCriterion, type AutoOptions } from '../lib/index.ts';
import { isEmbedderName } from '../lib/embed/registry.ts';

const CRITERIA: AutoCriterion[] = ['bcubed', 'pairwise'];
const CAPS = [1, 1.25, 1.5, 2];
const CHOICES = CRITERIA.flatMap((criterion) => MIXTURE_SPACES.flatMap((space) => CAPS.map((sameSpreadCap) => ({ criterion, space, sameSpreadCap }))));
const keyOf = (o: Pick<AutoOptions, 'criterion' | 'space' | 'sameSpreadCap'>) => `${o.criterion}/${o.space}/${o.sameSpreadCap}`;
import type { ClusterMethodName } from '../lib/cluster/registry.ts';
import { COLLECTIONS, encodeCollection, loadCollection, storeDirOf, type Collection } from './_collections.ts';

const { values: flags } = parseArgs({ options: { collections: { type: 'string' }, embedder: { type: 'string' }, encode: { type: 'boolean' }, json: { type: 'string' }, 'no-halves': { type: 'boolean' } } });
const names = flags.collections ? flags.collections.split(',') : Object.keys(COLLECTIONS);
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const f3 = (v: number) => v.toFixed(3);
const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${s}`);

console.log(`# Transfer of the default clustering (load average at start: ${load()})\n`);

if (flags.encode) {
  for (const name of names) {
    if (existsSync(join(storeDirOf(name), 'manifest.json'))) continue;
    log(`${name}: encoding into ${storeDirOf(name)}`);
    const s = await encodeCollection(name, undefined, (done, total) => { if (done % 200 === 0 || done === total) log(`${name}: ${done}/${total}`); });
    if (!s) log(`${name}: ${COLLECTIONS[name].folder} not in the data folder; skipped`);
  }
}

/** Swept grids, spread over each collection's own distance scale (the mixture's two modes), so any embedder fits. */
function grids(c: Collection, same: number, different: number): { method: ClusterMethodName; parameter: string; values: number[]; fixed?: Record<string, unknown> }[] {
  const lin = (lo: number, hi: number, count: number) => Array.from({ length: count }, (_, i) => Number((lo + ((hi - lo) * i) / (count - 1)).toFixed(4)));
  const span = lin(same, same + 0.75 * (different - same), 31);
  const out: { method: ClusterMethodName; parameter: string; values: number[]; fixed?: Record<string, unknown> }[] = [
    { method: 'agglomerative', parameter: 'distanceThreshold', values: span },
    { method: 'chinese-whispers', parameter: 'threshold', values: span },
    { method: 'dbscan', parameter: 'eps', values: lin(same, same + 0.6 * (different - same), 16) },
    // its maxDistance (a distance) at its default rescaled to the embedder (1 for the precomputed resnet128)
    { method: 'approximate-rank-order', parameter: 'threshold', values: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5], fixed: { maxDistance: scaledClusterMethod('approximate-rank-order', embedderDistanceScale(c.embedder.replace('precomputed ', '')) ?? 1).defaults.maxDistance } },
  ];
  if (c.embeddings.length <= 5000) out.push({ method: 'rank-order', parameter: 'rankThreshold', values: [2, 4, 6, 8, 12, 16, 24, 32] });
  return out;
}

/** auto's mixture options for the collection's embedder (`EMBEDDER_SPECS[e].mixture`, else the unmeasured fallback). */
function ownOptions(embedder: string): Partial<AutoOptions> {
  return embedderMixtureOptions(embedder.replace('precomputed ', ''));
}

interface Row {
  name: string; embedder: string; faces: number; people: number;
  auto: { pairwiseF1: number; bcubedF1: number; nClusters: number; threshold: number; seconds: number };
  /** True BCubed F of `auto` per fitted choice, `criterion/sameSpreadCap`. */
  byChoice: Record<string, number>;
  best: { method: string; value: number; pairwiseF1: number; bcubedF1: number; nClusters: number }[];
  halves: { faces: number; bcubedF1: number; pairwiseF1: number; threshold: number; bestBcubedF1: number }[];
}
const rows: Row[] = [];

for (const name of names) {
  const c = await loadCollection(name, flags.embedder ?? DEFAULT_EMBEDDER);
  if (!c) { log(`${name}: no store at ${storeDirOf(name)}${flags.embedder ? ` with ${flags.embedder}` : ''} (run with --encode)`); continue; }
  const people = new Set(c.labels).size;
  log(`${name}: ${c.embeddings.length} faces, ${people} people, ${c.embedder}`);
  const own = ownOptions(c.embedder);
  const t0 = performance.now();
  const auto = clusterAuto(c.embeddings, own);
  const seconds = (performance.now() - t0) / 1000;
  const m = evaluateClustering(auto.labels, c.labels);
  const byChoice: Record<string, number> = {};
  for (const ch of CHOICES) {
    byChoice[keyOf(ch)] = keyOf(ch) === keyOf({ ...AUTO_DEFAULTS, ...own }) ? m.bcubedF1 : evaluateClustering(clusterAuto(c.embeddings, ch).labels, c.labels).bcubedF1;
  }
  log(`${name}: ${CHOICES.length} choices of criterion/space/cap scored`);
  const mx = auto.evidence.mixture;
  const [same, different] = [modeDistance(mx, mx.same), modeDistance(mx, mx.different)];
  const best: Row['best'] = [];
  // the default's own tree, cut at its best place with the labels
  let treeBest = { value: 0, b: -1, p: 0, k: 0 };
  for (const t of auto.evidence.curve.threshold) {
    const cut = cutTree(auto.tree, { distanceThreshold: t });
    const e = evaluateClustering(cut.labels, c.labels);
    if (e.bcubedF1 > treeBest.b) treeBest = { value: t, b: e.bcubedF1, p: e.pairwiseF1, k: cut.nClusters };
  }
  best.push({ method: 'auto (its tree, cut with labels)', value: treeBest.value, pairwiseF1: treeBest.p, bcubedF1: treeBest.b, nClusters: treeBest.k });
  for (const g of grids(c, same, different)) {
    log(`${name}: sweeping ${g.method} ${g.parameter} (${g.values.length} values)`);
    const s = sweep(g.method, g.parameter, g.values, c.embeddings, c.labels, { select: 'bcubedF1', methodOptions: g.fixed });
    const r = s.rows[s.recommended!.index];
    best.push({ method: g.method, value: r.value as number, pairwiseF1: r.metrics!.pairwiseF1, bcubedF1: r.metrics!.bcubedF1, nClusters: r.nClusters });
  }
  const halves: Row['halves'] = [];
  if (!flags['no-halves']) {
    // two random halves (seeded), each clustered on its own
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const order = c.embeddings.map((_, i) => ({ i, r: rand() })).sort((a, b) => a.r - b.r).map((o) => o.i);
    for (const part of [order.slice(0, order.length >> 1), order.slice(order.length >> 1)]) {
      const x = part.map((i) => c.embeddings[i]);
      const truth = Int32Array.from(part, (i) => c.labels[i]);
      const h = clusterAuto(x, own);
      const e = evaluateClustering(h.labels, truth);
      let hb = 0;
      for (const t of h.evidence.curve.threshold) hb = Math.max(hb, evaluateClustering(cutTree(h.tree, { distanceThreshold: t }).labels, truth).bcubedF1);
      halves.push({ faces: x.length, bcubedF1: e.bcubedF1, pairwiseF1: e.pairwiseF1, threshold: h.evidence.threshold, bestBcubedF1: hb });
    }
  }
  rows.push({ name, embedder: c.embedder, faces: c.embeddings.length, people, auto: { pairwiseF1: m.pairwiseF1, bcubedF1: m.bcubedF1, nClusters: auto.nClusters, threshold: auto.evidence.threshold, seconds }, byChoice, best, halves });
}

// leave one collection out: the choice that did best (mean true BCubed F) on the others; ties keep the default's
const choices = CHOICES.map(keyOf);
const defaultChoice = keyOf({ ...AUTO_DEFAULTS, ...ownOptions(rows[0]?.embedder ?? '') });
const pickOn = (set: Row[]) => {
  const mean = (ch: string) => (set.length ? set.reduce((s, o) => s + o.byChoice[ch], 0) / set.length : 0);
  return choices.reduce((a, b) => (mean(b) > mean(a) + 1e-9 ? b : a), defaultChoice);
};
const loo = new Map<string, { pick: string; bcubedF1: number }>();
for (const r of rows) {
  const pick = pickOn(rows.filter((o) => o !== r));
  loo.set(r.name, { pick, bcubedF1: r.byChoice[pick] });
}

console.log('## The default (`auto`, no labels) against the best swept value of every method (with labels)\n');
console.log(`Default: auto with ${defaultChoice} (criterion/space/sameSpreadCap${isEmbedderName((rows[0]?.embedder ?? '').replace('precomputed ', '')) ? ', the embedder\'s measured constants' : ', UNMEASURED_MIXTURE: no constants measured for this embedder'}). Fit on all collections here: ${pickOn(rows)}.\n`);
console.log('| collection | embedder | faces | people | default pairwise F | default BCubed F | clusters | chosen threshold | seconds | LOO criterion/space/cap → BCubed F (gap) | best swept (with labels) | best pairwise F / BCubed F | gap (BCubed) |');
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|');
const gaps: number[] = [];
for (const r of rows) {
  const b = r.best.reduce((a, x) => (x.bcubedF1 > a.bcubedF1 ? x : a));
  const gap = b.bcubedF1 - r.auto.bcubedF1;
  gaps.push(gap);
  const l = loo.get(r.name)!;
  console.log(`| ${r.name} | ${r.embedder} | ${r.faces} | ${r.people} | ${f3(r.auto.pairwiseF1)} | **${f3(r.auto.bcubedF1)}** | ${r.auto.nClusters} | ${f3(r.auto.threshold)} | ${r.auto.seconds.toFixed(1)} | ${l.pick} → ${f3(l.bcubedF1)} (${f3(b.bcubedF1 - l.bcubedF1)}) | ${b.method} at ${+b.value.toFixed(4)} | ${f3(b.pairwiseF1)} / ${f3(b.bcubedF1)} | ${f3(gap)} |`);
}
if (gaps.length) {
  const looGaps = rows.map((r) => r.best.reduce((a, x) => Math.max(a, x.bcubedF1), 0) - loo.get(r.name)!.bcubedF1);
  console.log(`\nGap (best swept BCubed F − default's): mean ${f3(gaps.reduce((s, g) => s + g, 0) / gaps.length)}, worst ${f3(Math.max(...gaps))}. Held out (LOO): mean ${f3(looGaps.reduce((s, g) => s + g, 0) / looGaps.length)}, worst ${f3(Math.max(...looGaps))}.\n`);
  console.log('## True BCubed F of auto for every criterion/space/cap (the LOO grid)\n');
  console.log(`| choice | ${rows.map((r) => r.name).join(' | ')} | mean |`);
  console.log(`|---|${rows.map(() => '---:').join('|')}|---:|`);
  for (const ch of choices) console.log(`| ${ch}${ch === defaultChoice ? ' (default)' : ''} | ${rows.map((r) => f3(r.byChoice[ch])).join(' | ')} | ${f3(rows.reduce((s, r) => s + r.byChoice[ch], 0) / rows.length)} |`);
  console.log('');
}

console.log('## Best swept value of each method, with labels (upper bounds)\n');
const methods = [...new Set(rows.flatMap((r) => r.best.map((b) => b.method)))];
console.log(`| collection | ${methods.join(' | ')} |`);
console.log(`|---|${methods.map(() => '---').join('|')}|`);
for (const r of rows) {
  const cell = (m: string) => { const b = r.best.find((x) => x.method === m); return b ? `${f3(b.bcubedF1)} (${+b.value.toFixed(4)}, ${b.nClusters} cl.)` : '(not run: > 5,000 faces)'; };
  console.log(`| ${r.name} | ${methods.map(cell).join(' | ')} |`);
}

if (!flags['no-halves']) {
  console.log('\n## The default on two random halves of each collection\n');
  console.log('| collection | half 1: faces, BCubed F (best cut), threshold | half 2: faces, BCubed F (best cut), threshold |');
  console.log('|---|---|---|');
  for (const r of rows) console.log(`| ${r.name} | ${r.halves.map((h) => `${h.faces}, ${f3(h.bcubedF1)} (${f3(h.bestBcubedF1)}), ${f3(h.threshold)}`).join(' | ')} |`);
}
console.log(`\nLoad average at the end: ${load()}`);
if (flags.json) writeFileSync(flags.json, JSON.stringify(rows, null, 1));
