/**
 * `npm run bench:transfer`: does the default clustering hold on collections it was not tuned on, on every face
 * `facecluster run` finds?
 *
 * Each labelled collection (bench/_collections.ts: all of LFW, 120faces, pins, yale, celeba, families, LFW's
 * one-photo people, all of LFW downscaled to 100 px) is clustered twice: **every face found** in its photos (as
 * `run` and `cluster` do: background faces included), scored on the labelled face of each photo (the centre face
 * for LFW, the largest elsewhere); and the labelled face of each photo alone (the one-face-per-photo rows). For
 * each: the default's (`auto`, no labels) pairwise F / BCubed F / clusters / largest cluster / chosen threshold /
 * which mixture chose it / seconds, then the best swept value of every method found WITH the labels (an upper
 * bound, never a result) and the gap between the best BCubed F and the default's.
 *
 * Leave one collection out. `auto`'s fitted constants are the embedder's same-person reference
 * (`sameReference`: the mean over collections of their same-person squared distances' mean and variance) and the
 * criterion / space / cap (`--grid`: 16 choices, slow). The LOO column refits the reference without the held-out
 * collection (and without the collections made from the same people: LFW, its one-photo people, its
 * downscaled copy and the 120faces subset are one group) and scores it there. The reference the embedder ships is printed: the fit on all
 * collections of the pool (those with photos of their own: not the one-photo view, not the downscaled copy).
 *
 * Usage: npm run bench:transfer -- [--collections a,b] [--embedder NAME] [--faces all|labelled|both] [--grid]
 *                                  [--no-sweeps | --sweep-max N] [--no-halves] [--encode] [--json FILE]
 *   --sweep-max N   sweep the other methods only on collections of at most N faces (auto's own tree, cut with
 *                   the labels, is the upper bound above)
 * Prints markdown and the load average.
 */
import { loadavg } from 'node:os';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AUTO_DEFAULTS, clusterAuto, cutTree, DEFAULT_EMBEDDER, embedderDistanceScale, embedderMixtureOptions, evaluateClustering, MIXTURE_SPACES, modeDistance, scaledClusterMethod, sweep, type AutoCriterion, type AutoOptions, type MixtureComponent } from '../lib/index.ts';
import type { ClusterMethodName } from '../lib/cluster/registry.ts';
import { UPDATE_PEOPLE_DEFAULTS } from '../lib/people/assign.ts';
import { clusterGoodFaces } from '../lib/people/poor-faces.ts';
import { fitStudentT } from '../lib/cluster/distance-mixture.ts';
import { createEmbedder, isEmbedderName } from '../lib/embed/registry.ts';
import { embedderNullResponse, embeddingQuality, NULL_SIMILARITY_BAR } from '../lib/quality/null-response.ts';
import { COLLECTIONS, encodeCollection, loadCollection, storeDirOf, type Collection } from './_collections.ts';

const CRITERIA: AutoCriterion[] = ['bcubed', 'pairwise'];
const CAPS = [1, 1.25, 1.5, 2];
const CHOICES = CRITERIA.flatMap((criterion) => MIXTURE_SPACES.flatMap((space) => CAPS.map((sameSpreadCap) => ({ criterion, space, sameSpreadCap }))));
const keyOf = (o: Pick<AutoOptions, 'criterion' | 'space' | 'sameSpreadCap'>) => `${o.criterion}/${o.space}/${o.sameSpreadCap}`;

const { values: flags } = parseArgs({ options: { collections: { type: 'string' }, embedder: { type: 'string' }, faces: { type: 'string' }, grid: { type: 'boolean' }, encode: { type: 'boolean' }, json: { type: 'string' }, 'no-halves': { type: 'boolean' }, 'no-sweeps': { type: 'boolean' }, 'sweep-max': { type: 'string' }, 'null-bars': { type: 'string' } } });
const sweepMax = Number(flags['sweep-max'] ?? Infinity);
const names = flags.collections ? flags.collections.split(',') : Object.keys(COLLECTIONS);
const modes = (flags.faces ?? 'both') === 'both' ? (['all', 'labelled'] as const) : ([flags.faces as 'all' | 'labelled'] as const);
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

/** Collections made from the same photos are one group for leave-one-out. */
const groupOf = (name: string) => (COLLECTIONS[name].folder.startsWith('lfw') ? 'lfw' : name);
/** Collections whose same-person pairs make the reference: photos of their own (not a view, not a degraded copy). */
const inPool = (name: string) => !COLLECTIONS[name].store && !COLLECTIONS[name].downscale;

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

/** auto's options for the collection's embedder (`EMBEDDER_SPECS[e].mixture`, else the unmeasured fallback). */
function ownOptions(embedder: string): Partial<AutoOptions> {
  return embedderMixtureOptions(embedder.replace('precomputed ', ''));
}

/** Scores of a partition of all the collection's faces, on its labelled faces; and the largest cluster's share of all faces. */
function score(c: Collection, labels: Int32Array) {
  const e = evaluateClustering(Int32Array.from(c.labelled, (i) => labels[i]), c.labels);
  const sizes = new Map<number, number>();
  for (const l of labels) if (l >= 0) sizes.set(l, (sizes.get(l) ?? 0) + 1);
  const largest = Math.max(0, ...sizes.values());
  return { pairwiseF1: e.pairwiseF1, bcubedF1: e.bcubedF1, largestShare: largest / labels.length, largestMixedShare: largestMixed(c, labels, sizes) / labels.length, mergedShare: mergedShare(c, labels) };
}

/**
 * Faces of the largest cluster that is no one person: no identity holds more than half of its labelled faces (a
 * cluster of unlabelled background faces only counts too when it has 3 or more faces).
 */
function largestMixed(c: Collection, labels: Int32Array, sizes: Map<number, number>): number {
  const counts = new Map<number, Map<number, number>>();
  c.labelled.forEach((i, k) => { const l = labels[i]; if (l < 0) return; if (!counts.has(l)) counts.set(l, new Map()); const m = counts.get(l)!; m.set(c.labels[k], (m.get(c.labels[k]) ?? 0) + 1); });
  let worst = 0;
  for (const [l, size] of sizes) {
    if (size < 3) continue;
    const m = counts.get(l);
    const total = m ? [...m.values()].reduce((a, b) => a + b, 0) : 0;
    const top = m ? Math.max(...m.values()) : 0;
    if (top * 2 <= total || total === 0) worst = Math.max(worst, size);
  }
  return worst;
}

/** Share of the labelled faces that share their cluster with another labelled face of another person. */
function mergedShare(c: Collection, labels: Int32Array): number {
  const people = new Map<number, Set<number>>();
  c.labelled.forEach((i, k) => { const l = labels[i]; if (l < 0) return; if (!people.has(l)) people.set(l, new Set()); people.get(l)!.add(c.labels[k]); });
  let merged = 0;
  c.labelled.forEach((i) => { if (labels[i] >= 0 && people.get(labels[i])!.size > 1) merged++; });
  return merged / c.labelled.length;
}

/** Same-person squared distances among the labelled faces: mean and sd (the embedder's reference is made of these). */
function sameStats(c: Collection): MixtureComponent & { pairs: number } {
  const byLabel = new Map<number, number[]>();
  c.labelled.forEach((i, k) => { const l = c.labels[k]; if (!byLabel.has(l)) byLabel.set(l, []); byLabel.get(l)!.push(i); });
  let s1 = 0, s2 = 0, pairs = 0;
  for (const g of byLabel.values()) {
    for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) {
      const x = c.embeddings[g[a]], y = c.embeddings[g[b]];
      let d = 0;
      for (let t = 0; t < x.length; t++) d += (x[t] - y[t]) ** 2;
      s1 += d; s2 += d * d; pairs++;
    }
  }
  const mean = pairs ? s1 / pairs : 0;
  return { mean, sd: pairs ? Math.sqrt(Math.max(0, s2 / pairs - mean * mean)) : 0, pairs };
}

/** Degrees of freedom tried for the different-person mode's Student t (Infinity: a normal). */
const DF_GRID = [4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 25, 30, 35, 40, 50, 60, 80, 100, Infinity];

/**
 * The different-person squared distances among the labelled faces (a seeded sample of up to 300,000 pairs of
 * different identities): the mean log-likelihood per pair of the maximum-likelihood Student t at each df of
 * {@link DF_GRID} (the embedder's `differentDf` is the df that fits the pool best).
 */
function strangerTail(c: Collection): { pairs: number; logLik: number[]; ml: number } {
  const n = c.labelled.length;
  let a = 97;
  const rand = () => { a = (a + 0x6d2b79f5) | 0; let t = Math.imul(a ^ (a >>> 15), 1 | a); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
  const out: number[] = [];
  for (let tries = 0; tries < 3_000_000 && out.length < 300_000; tries++) {
    const p = Math.floor(rand() * n), q = Math.floor(rand() * n);
    if (c.labels[p] === c.labels[q]) continue;
    const x = c.embeddings[c.labelled[p]], y = c.embeddings[c.labelled[q]];
    let d = 0;
    for (let t = 0; t < x.length; t++) d += (x[t] - y[t]) ** 2;
    out.push(d);
  }
  const logLik = DF_GRID.map((df) => fitStudentT(out, df).logLikelihood);
  return { pairs: out.length, logLik, ml: DF_GRID[logLik.indexOf(Math.max(...logLik))] };
}

/** The df of {@link DF_GRID} with the highest mean log-likelihood over a set of collections, each weighed equally. */
function poolDf(tails: { logLik: number[] }[]): number {
  if (tails.length === 0) return Infinity;
  const mean = DF_GRID.map((_, k) => tails.reduce((s, t) => s + t.logLik[k], 0) / tails.length);
  return DF_GRID[mean.indexOf(Math.max(...mean))];
}

/** The reference of a set of collections: each weighed equally, the mean of their means and their pooled variance. */
function poolReference(stats: MixtureComponent[]): MixtureComponent | null {
  if (stats.length === 0) return null;
  const mean = stats.reduce((s, x) => s + x.mean, 0) / stats.length;
  const second = stats.reduce((s, x) => s + x.sd ** 2 + x.mean ** 2, 0) / stats.length;
  return { mean, sd: Math.sqrt(second - mean * mean) };
}

interface Run { pairwiseF1: number; bcubedF1: number; largestShare: number; largestMixedShare: number; mergedShare: number; nClusters: number; threshold: number; basis: string; weak: boolean; expectedBcubedF1: number; seconds: number }
interface Row {
  name: string; faces: 'all' | 'labelled'; embedder: string; n: number; labelled: number; people: number;
  auto: Run;
  /** auto with the reference refitted without this collection's group (LOO). */
  loo: Run | null;
  /** auto without any reference (the collection's own mixture alone: the previous default). */
  ownOnly: Run;
  /** auto with every face steering and clustered as it is (quality ignored); null when the store has no quality. */
  noQuality: Run | null;
  /** Quality ignored, poor faces told by the embedder's null response at NULL_SIMILARITY_BAR (embeddingQuality). */
  nullQuality: Run | null;
  /** `--null-bars`: BCubed F at each bar of the null-response cosine. */
  byNullBar: Record<string, number>;
  /** ROC AUC of the null-response cosine for the faces under the store's quality bar (null without quality). */
  nullAuc: number | null;
  byChoice: Record<string, number>;
  best: { method: string; value: number; pairwiseF1: number; bcubedF1: number; nClusters: number }[];
  halves: { faces: number; bcubedF1: number; threshold: number }[];
}

// the same-person statistics first (labelled faces), for the references
const loaded = new Map<string, Partial<Record<'all' | 'labelled', Collection>>>();
const stats = new Map<string, MixtureComponent & { pairs: number }>();
const tails = new Map<string, ReturnType<typeof strangerTail>>();
for (const name of names) {
  const entry: Partial<Record<'all' | 'labelled', Collection>> = {};
  for (const mode of new Set<'all' | 'labelled'>([...modes, 'labelled'])) {
    const c = await loadCollection(name, flags.embedder ?? DEFAULT_EMBEDDER, mode);
    if (c) entry[mode] = c;
  }
  if (!entry.labelled) { log(`${name}: no store at ${storeDirOf(name)}${flags.embedder ? ` with ${flags.embedder}` : ''} (npm run data:encode -- ${name})`); continue; }
  loaded.set(name, entry);
  const st = sameStats(entry.labelled);
  if (st.pairs > 0) stats.set(name, st);
  if (inPool(name)) tails.set(name, strangerTail(entry.labelled));
}
// the reference pool is every collection with photos of its own, whether scored in this run or not
for (const name of Object.keys(COLLECTIONS).filter(inPool)) {
  if (stats.has(name)) continue;
  const c = await loadCollection(name, flags.embedder ?? DEFAULT_EMBEDDER, 'labelled');
  const st = c && sameStats(c);
  if (st && st.pairs > 0) stats.set(name, st);
  if (c && !tails.has(name)) tails.set(name, strangerTail(c));
}
const poolNames = [...stats.keys()].filter(inPool);
const shipped = poolReference(poolNames.map((n) => stats.get(n)!));
const tailNames = [...tails.keys()];
const shippedDf = poolDf(tailNames.map((n) => tails.get(n)!));

/** ROC AUC of a score that is LOW for the positives (ties count half): P(score of a positive < score of a negative). */
function rocAuc(score: ArrayLike<number>, positive: boolean[]): number {
  const order = Array.from(positive.keys()).sort((a, b) => score[b] - score[a]);
  let rankSum = 0, pos = 0;
  for (let r = 0; r < order.length;) {
    let e = r;
    while (e + 1 < order.length && score[order[e + 1]] === score[order[r]]) e++;
    const mid = (r + e) / 2 + 1;
    for (let t = r; t <= e; t++) if (positive[order[t]]) { rankSum += mid; pos++; }
    r = e + 1;
  }
  const neg = order.length - pos;
  return pos && neg ? (rankSum - (pos * (pos + 1)) / 2) / (pos * neg) : NaN;
}

/** Bars of the null-response cosine tried (`--null-bars`), the shipped one always. */
const nullBars = [...new Set([NULL_SIMILARITY_BAR, ...(flags['null-bars'] ? flags['null-bars'].split(',').map(Number) : [])])].sort((a, b) => a - b);
const nullResponses = new Map<string, Float32Array | null>();
/** The embedder's null response (its model run on the identity-less chips), once per embedder; null for precomputed vectors. */
async function nullResponseOf(embedder: string): Promise<Float32Array | null> {
  if (!nullResponses.has(embedder)) {
    if (!isEmbedderName(embedder)) nullResponses.set(embedder, null);
    else {
      const e = await createEmbedder(embedder);
      try { nullResponses.set(embedder, await embedderNullResponse(e)); } finally { e.dispose(); }
    }
  }
  return nullResponses.get(embedder)!;
}

const rows: Row[] = [];
for (const [name, entry] of loaded) {
  for (const mode of modes) {
    const c = entry[mode];
    if (!c) continue;
    const people = new Set(c.labels).size;
    log(`${name} (${mode === 'all' ? 'every face' : 'labelled faces'}): ${c.embeddings.length} faces, ${c.labelled.length} labelled, ${people} people, ${c.embedder}`);
    const own = ownOptions(c.embedder);
    // as `cluster` and `run` do: faces too poor to recognise (quality below the bar) do not steer the cut and make
    // no cluster of their own (unsorted: alone); `ignoreQuality` clusters every face as it is
    // `quality`: another per-face score and its bar in place of the store's (the null response's)
    const run = (options: Partial<AutoOptions>, ignoreQuality = false, quality?: { score: Float32Array; bar: number }): Run & { result: ReturnType<typeof clusterAuto> } => {
      const t0 = performance.now();
      let a!: ReturnType<typeof clusterAuto>;
      const { result } = clusterGoodFaces(c.embeddings, quality ? quality.score : ignoreQuality ? null : c.quality, quality ? quality.bar : UPDATE_PEOPLE_DEFAULTS.minQuality, (x, steering) => (a = clusterAuto(x, options, steering)),
        { minGood: UPDATE_PEOPLE_DEFAULTS.minFaces, minGoodShare: UPDATE_PEOPLE_DEFAULTS.minGoodShare });
      const seconds = (performance.now() - t0) / 1000;
      const s = score(c, result.labels);
      return { ...s, nClusters: a.nClusters, threshold: a.evidence.threshold, basis: a.evidence.basis, weak: a.evidence.weakEvidence !== null, expectedBcubedF1: a.evidence.expected.bcubedF1, seconds, result: a };
    };
    const auto = run(own);
    const looRef = poolReference(poolNames.filter((n) => groupOf(n) !== groupOf(name)).map((n) => stats.get(n)!));
    // leave the group out of both fitted constants: the same-person reference and the stranger tail's df
    const looDf = poolDf(tailNames.filter((n) => groupOf(n) !== groupOf(name)).map((n) => tails.get(n)!));
    const loo = own.sameReference === undefined || own.sameReference === null ? null : run({ ...own, sameReference: looRef, ...(own.differentDf === undefined || own.differentDf === Infinity ? {} : { differentDf: looDf }) });
    const ownOnly = run({ ...own, sameReference: null });
    const noQuality = c.quality ? run(own, true) : null;
    // the store's quality ignored, poor faces told by the embedder's null response (embeddings alone)
    const nullResp = await nullResponseOf(c.embedder);
    const nullScore = nullResp && embeddingQuality(c.embeddings, nullResp);
    const nullQuality = nullScore ? run(own, false, { score: nullScore, bar: 1 - NULL_SIMILARITY_BAR }) : null;
    const byNullBar: Record<string, number> = {};
    const nullAuc = nullScore && c.quality ? rocAuc(nullScore, Array.from(c.quality, (q) => q < UPDATE_PEOPLE_DEFAULTS.minQuality)) : null;
    if (nullScore) for (const bar of nullBars) byNullBar[bar] = bar === NULL_SIMILARITY_BAR ? nullQuality!.bcubedF1 : run(own, false, { score: nullScore, bar: 1 - bar }).bcubedF1;
    const byChoice: Record<string, number> = {};
    if (flags.grid) {
      for (const ch of CHOICES) byChoice[keyOf(ch)] = score(c, clusterAuto(c.embeddings, { ...own, ...ch }).labels).bcubedF1;
      log(`${name}: ${CHOICES.length} choices of criterion/space/cap scored`);
    }
    const best: Row['best'] = [];
    // the default's own tree, cut at its best place with the labels
    let treeBest = { value: 0, b: -1, p: 0, k: 0 };
    for (const t of auto.result.evidence.curve.threshold) {
      const cut = cutTree(auto.result.tree, { distanceThreshold: t });
      const e = score(c, cut.labels);
      if (e.bcubedF1 > treeBest.b) treeBest = { value: t, b: e.bcubedF1, p: e.pairwiseF1, k: cut.nClusters };
    }
    best.push({ method: 'auto (its tree, cut with labels)', value: treeBest.value, pairwiseF1: treeBest.p, bcubedF1: treeBest.b, nClusters: treeBest.k });
    if (!flags['no-sweeps'] && c.embeddings.length <= sweepMax) {
      const mx = ownOnly.result.evidence.mixture;
      const [same, different] = [modeDistance(mx, mx.same), modeDistance(mx, mx.different)];
      for (const g of grids(c, Math.min(same, 0.8 * different), different)) {
        log(`${name}: sweeping ${g.method} ${g.parameter} (${g.values.length} values)`);
        const s = sweep(g.method, g.parameter, g.values, c.embeddings, null, { methodOptions: g.fixed });
        let b = { value: 0, pairwiseF1: 0, bcubedF1: -1, nClusters: 0 };
        for (const r of s.rows) { const e = score(c, r.labels); if (e.bcubedF1 > b.bcubedF1) b = { value: r.value as number, pairwiseF1: e.pairwiseF1, bcubedF1: e.bcubedF1, nClusters: r.nClusters }; }
        best.push({ method: g.method, ...b });
      }
    }
    const halves: Row['halves'] = [];
    if (!flags['no-halves'] && mode === 'labelled') {
      // two random halves (seeded), each clustered on its own
      let seed = 12345;
      const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
      const order = c.embeddings.map((_, i) => ({ i, r: rand() })).sort((a, b) => a.r - b.r).map((o) => o.i);
      for (const part of [order.slice(0, order.length >> 1), order.slice(order.length >> 1)]) {
        const h = clusterAuto(part.map((i) => c.embeddings[i]), own);
        halves.push({ faces: part.length, bcubedF1: evaluateClustering(h.labels, Int32Array.from(part, (i) => c.labels[i])).bcubedF1, threshold: h.evidence.threshold });
      }
    }
    const strip = ({ result: _r, ...r }: Run & { result: unknown }): Run => r;
    rows.push({ name, faces: mode, embedder: c.embedder, n: c.embeddings.length, labelled: c.labelled.length, people, auto: strip(auto), loo: loo && strip(loo), ownOnly: strip(ownOnly), noQuality: noQuality && strip(noQuality), nullQuality: nullQuality && strip(nullQuality), byNullBar, nullAuc, byChoice, best, halves });
    log(`${name} (${mode}): auto ${f3(auto.bcubedF1)} at ${f3(auto.threshold)} (${auto.basis}), own mixture only ${f3(ownOnly.bcubedF1)}, best ${f3(Math.max(...best.map((b) => b.bcubedF1)))}`);
  }
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const bestOf = (r: Row) => r.best.reduce((a, x) => (x.bcubedF1 > a.bcubedF1 ? x : a));
for (const mode of modes) {
  const set = rows.filter((r) => r.faces === mode);
  if (!set.length) continue;
  console.log(`## ${mode === 'all' ? 'Every face found clustered (as `run` does), scored on the labelled face of each photo' : 'The labelled face of each photo alone (one face per photo)'}\n`);
  console.log(`Default: auto with the embedder's constants (${keyOf({ ...AUTO_DEFAULTS, ...ownOptions(set[0].embedder) })}, same-person reference from its spec). "LOO": the reference refitted without the collection's group. "own mixture only": no reference (the previous default). Best swept: with the labels, an upper bound.\n`);
  console.log('| collection | faces clustered / labelled / people | default pairwise F / BCubed F | clusters | largest cluster (largest that is no one person) | labelled faces merged with another person | threshold (mixture) | weak evidence said | seconds | LOO BCubed F (gap) | own mixture only: BCubed F, largest | quality ignored: BCubed F, largest, largest mixed | quality ignored, poor faces by the null response: BCubed F, largest, largest mixed | best swept (with labels) | best pairwise F / BCubed F | gap (BCubed) |');
  console.log('|---|---|---|---:|---:|---:|---|---|---:|---|---|---|---|---|---|---:|');
  const gaps: number[] = [], looGaps: number[] = [];
  for (const r of set) {
    const b = bestOf(r);
    gaps.push(b.bcubedF1 - r.auto.bcubedF1);
    if (r.loo) looGaps.push(b.bcubedF1 - r.loo.bcubedF1);
    console.log(`| ${r.name} | ${r.n} / ${r.labelled} / ${r.people} | ${f3(r.auto.pairwiseF1)} / **${f3(r.auto.bcubedF1)}** | ${r.auto.nClusters} | ${pct(r.auto.largestShare)} (${pct(r.auto.largestMixedShare)}) | ${pct(r.auto.mergedShare)} | ${f3(r.auto.threshold)} (${r.auto.basis}) | ${r.auto.weak ? 'yes' : 'no'} | ${r.auto.seconds.toFixed(1)} | ${r.loo ? `${f3(r.loo.bcubedF1)} (${f3(b.bcubedF1 - r.loo.bcubedF1)})` : '–'} | ${f3(r.ownOnly.bcubedF1)}, ${pct(r.ownOnly.largestShare)} | ${r.noQuality ? `${f3(r.noQuality.bcubedF1)}, ${pct(r.noQuality.largestShare)}, ${pct(r.noQuality.largestMixedShare)}` : '(no quality in the store)'} | ${r.nullQuality ? `${f3(r.nullQuality.bcubedF1)}, ${pct(r.nullQuality.largestShare)}, ${pct(r.nullQuality.largestMixedShare)}` : '–'} | ${b.method} at ${+b.value.toFixed(4)} | ${f3(b.pairwiseF1)} / ${f3(b.bcubedF1)} | ${f3(b.bcubedF1 - r.auto.bcubedF1)} |`);
  }
  const mean = (a: number[]) => a.reduce((s, g) => s + g, 0) / a.length;
  const aucs = set.filter((r) => r.nullAuc !== null);
  if (aucs.length) console.log(`\nNull response: ROC AUC of its cosine for the faces under the quality bar (${UPDATE_PEOPLE_DEFAULTS.minQuality}): ${aucs.map((r) => `${r.name} ${f3(r.nullAuc!)}`).join(', ')}.`);
  console.log(`\nGap (best swept BCubed F − default's): mean ${f3(mean(gaps))}, worst ${f3(Math.max(...gaps))}.${looGaps.length ? ` Held out (LOO reference): mean ${f3(mean(looGaps))}, worst ${f3(Math.max(...looGaps))}.` : ''}\n`);
}

console.log('## The same-person reference (squared distances of the labelled same-person pairs)\n');
console.log('| collection | same-person pairs | mean | sd | in the pool |');
console.log('|---|---:|---:|---:|---|');
for (const [name, st] of stats) console.log(`| ${name} | ${st.pairs} | ${f3(st.mean)} | ${f3(st.sd)} | ${inPool(name) ? 'yes' : 'no'} |`);
if (shipped) console.log(`\nFit on the pool (${poolNames.join(', ')}; each weighed equally): mean ${f3(shipped.mean)}, sd ${f3(shipped.sd)}. The default embedder ships: mean ${AUTO_DEFAULTS.sameReference?.mean}, sd ${AUTO_DEFAULTS.sameReference?.sd}.\n`);

if (nullBars.length > 1) {
  for (const mode of modes) {
    const set = rows.filter((r) => r.faces === mode && Object.keys(r.byNullBar).length);
    if (!set.length) continue;
    const pickOn = (s: Row[]) => nullBars.reduce((a, b) => (s.reduce((t, r) => t + r.byNullBar[b], 0) > s.reduce((t, r) => t + r.byNullBar[a], 0) + 1e-9 ? b : a), NULL_SIMILARITY_BAR);
    console.log(`## Quality ignored, poor faces by the null response: BCubed F per bar of the cosine (${mode === 'all' ? 'every face' : 'labelled faces'}); fit on all: ${pickOn(set)}\n`);
    console.log(`| bar | ${set.map((r) => r.name).join(' | ')} | mean |`);
    console.log(`|---|${set.map(() => '---:').join('|')}|---:|`);
    for (const bar of nullBars) console.log(`| ${bar}${bar === NULL_SIMILARITY_BAR ? ' (shipped)' : ''} | ${set.map((r) => f3(r.byNullBar[bar])).join(' | ')} | ${f3(set.reduce((t, r) => t + r.byNullBar[bar], 0) / set.length)} |`);
    console.log('\n| held out | bar picked on the others (their mean BCubed F) | BCubed F there |');
    console.log('|---|---:|---:|');
    for (const r of set) { const b = pickOn(set.filter((o) => groupOf(o.name) !== groupOf(r.name))); console.log(`| ${r.name} | ${b} | ${f3(r.byNullBar[b])} |`); }
    console.log('');
  }
}

console.log('## The different-person tail (squared distances of labelled different-person pairs, Student t fitted at each df)\n');
console.log(`| collection | pairs | ML df | mean log-likelihood per pair at df ${DF_GRID.map((d) => (d === Infinity ? '∞' : d)).join(' / ')} |`);
console.log('|---|---:|---:|---|');
for (const [name, t] of tails) console.log(`| ${name} | ${t.pairs} | ${t.ml === Infinity ? '∞ (normal)' : t.ml} | ${t.logLik.map((v) => v.toFixed(4)).join(' / ')} |`);
console.log(`\nFit on the pool (${tailNames.join(', ')}; each weighed equally): df ${shippedDf}. Left out by group: ${[...new Set(tailNames.map(groupOf))].map((g) => `without ${g}: ${poolDf(tailNames.filter((n) => groupOf(n) !== g).map((n) => tails.get(n)!))}`).join(', ')}. The default embedder ships: df ${AUTO_DEFAULTS.differentDf}.\n`);

if (flags.grid) {
  const choices = CHOICES.map(keyOf);
  for (const mode of modes) {
    const set = rows.filter((r) => r.faces === mode);
    if (!set.length) continue;
    const defaultChoice = keyOf({ ...AUTO_DEFAULTS, ...ownOptions(set[0].embedder) });
    const pickOn = (s: Row[]) => {
      const m = (ch: string) => (s.length ? s.reduce((a, o) => a + o.byChoice[ch], 0) / s.length : 0);
      return choices.reduce((a, b) => (m(b) > m(a) + 1e-9 ? b : a), defaultChoice);
    };
    console.log(`## True BCubed F of auto for every criterion/space/cap (${mode === 'all' ? 'every face' : 'labelled faces'}); fit on all: ${pickOn(set)}\n`);
    console.log(`| choice | ${set.map((r) => r.name).join(' | ')} | mean |`);
    console.log(`|---|${set.map(() => '---:').join('|')}|---:|`);
    for (const ch of choices) console.log(`| ${ch}${ch === defaultChoice ? ' (default)' : ''} | ${set.map((r) => f3(r.byChoice[ch])).join(' | ')} | ${f3(set.reduce((s, r) => s + r.byChoice[ch], 0) / set.length)} |`);
    console.log('\n| held out | pick from the others | BCubed F there | gap to best swept |');
    console.log('|---|---|---:|---:|');
    for (const r of set) { const p = pickOn(set.filter((o) => groupOf(o.name) !== groupOf(r.name))); console.log(`| ${r.name} | ${p} | ${f3(r.byChoice[p])} | ${f3(bestOf(r).bcubedF1 - r.byChoice[p])} |`); }
    console.log('');
  }
}

if (!flags['no-sweeps']) {
  console.log('## Best swept value of each method, with labels (upper bounds)\n');
  const methods = [...new Set(rows.flatMap((r) => r.best.map((b) => b.method)))];
  console.log(`| collection | faces | ${methods.join(' | ')} |`);
  console.log(`|---|---|${methods.map(() => '---').join('|')}|`);
  for (const r of rows) {
    const cell = (m: string) => { const b = r.best.find((x) => x.method === m); return b ? `${f3(b.bcubedF1)} (${+b.value.toFixed(4)}, ${b.nClusters} cl.)` : '(not run: > 5,000 faces)'; };
    console.log(`| ${r.name} | ${r.faces} | ${methods.map(cell).join(' | ')} |`);
  }
}

if (!flags['no-halves']) {
  console.log('\n## The default on two random halves of each collection (labelled faces)\n');
  console.log('| collection | half 1: faces, BCubed F, threshold | half 2: faces, BCubed F, threshold |');
  console.log('|---|---|---|');
  for (const r of rows.filter((o) => o.halves.length)) console.log(`| ${r.name} | ${r.halves.map((h) => `${h.faces}, ${f3(h.bcubedF1)}, ${f3(h.threshold)}`).join(' | ')} |`);
}
console.log(`\nLoad average at the end: ${load()}`);
if (flags.json) writeFileSync(flags.json, JSON.stringify(rows, null, 1));
