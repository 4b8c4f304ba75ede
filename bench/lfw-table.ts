/**
 * The README's clustering table for all of LFW: every method at its best parameter (max BCubed F over a sweep),
 * with pairwise F, BCubed F, NMI, the number of clusters and the seconds of one run at that value.
 *
 * Data: the precomputed face-api embeddings of LFW deep-funneled (`$FACECLUSTER_DATA/embeddings/...jsonl`), the
 * face nearest the image centre of each photo (12,424 faces of 5,749 people; 809 photos have no face).
 * k-means (k near the number of people makes every iteration O(n k d)) and affinity propagation (dense n x n
 * messages, hundreds of iterations) are too slow at 12,424 faces to sweep here: they run on the faces of the
 * first --subset photos (default 2,000 lines of the file), in a second table where every method runs on that
 * subset too, so their rows compare like with like.
 *
 * Usage: npx tsx bench/lfw-table.ts [--methods a,b] [--subset N] [--json FILE]
 * Prints markdown. Timings depend on the machine's load: the script prints `uptime`'s load average at the start
 * and end.
 */
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings, precomputedEmbeddingsPath, sweep } from '../lib/index.ts';
import type { ParameterSweepResult } from '../lib/index.ts';
import { CLUSTER_METHODS, CLUSTER_METHOD_NAMES, type ClusterMethodName } from '../lib/cluster/registry.ts';

/** The sweep of each method: its registry parameter, over a grid around the registry's default. */
const GRIDS: Record<ClusterMethodName, { values: number[]; methodOptions?: Record<string, unknown> }> = {
  'auto': { values: [16] }, // no threshold: see bench/transfer.ts
  'chinese-whispers': { values: [0.38, 0.4, 0.42, 0.44, 0.45, 0.46, 0.48, 0.5, 0.52] },
  'dbscan': { values: [0.36, 0.38, 0.4, 0.42, 0.44, 0.46, 0.48, 0.5] },
  'approximate-rank-order': { values: [0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 5] },
  'rank-order': { values: [2, 4, 6, 8, 10, 14] },
  'agglomerative': { values: range(0.35, 0.75, 0.01) },
  'kmeans': { values: [] }, // set from the subset's number of people
  'affinity-propagation': { values: [-1, -0.75, -0.5, -0.4, -0.3, -0.2, -0.1] },
};
const FULL: ClusterMethodName[] = ['chinese-whispers', 'dbscan', 'approximate-rank-order', 'rank-order', 'agglomerative'];

function range(lo: number, hi: number, step: number): number[] {
  const out: number[] = [];
  for (let v = lo; v <= hi + step / 1e6; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

const { values: flags } = parseArgs({ options: { methods: { type: 'string' }, subset: { type: 'string' }, json: { type: 'string' } } });
const only = flags.methods ? new Set(flags.methods.split(',')) : undefined;
for (const m of only ?? []) if (!CLUSTER_METHOD_NAMES.includes(m as ClusterMethodName)) throw new Error(`unknown method ${m}; valid: ${CLUSTER_METHOD_NAMES.join(', ')}`);
const subsetLines = Number(flags.subset ?? 2000);
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

const startLoad = load();
const all = await loadPrecomputedEmbeddings();
const sub = await loadPrecomputedEmbeddings({ limit: subsetLines });
const people = (labels: Int32Array) => new Set(labels).size;
const dump: Record<string, unknown> = {};

function row(name: string, s: ParameterSweepResult, note = ''): string {
  const best = s.rows[s.recommended!.index];
  const m = best.metrics!;
  const param = `${s.parameter} = ${best.value}`;
  return `| ${name}${note} | ${param} | ${m.pairwiseF1.toFixed(3)} | ${m.bcubedF1.toFixed(3)} | ${m.nmi.toFixed(3)} | ${best.nClusters} | ${best.seconds.toFixed(1)} |`;
}
function bestBy(s: ParameterSweepResult, key: 'pairwiseF1' | 'bcubedF1'): string {
  let b = s.rows[0];
  for (const r of s.rows) if (r.metrics![key] > b.metrics![key]) b = r;
  return `${b.metrics![key].toFixed(3)} at ${b.value}`;
}
function run(method: ClusterMethodName, x: Float32Array[], truth: Int32Array, values: number[]): ParameterSweepResult {
  const g = GRIDS[method];
  const s = sweep(method, CLUSTER_METHODS[method].sweep.parameter, values, x, truth, {
    methodOptions: g.methodOptions,
    onProgress: (done, total, info) => console.error(`${method} (${x.length} faces): ${done}/${total} ${JSON.stringify(info)}`),
  });
  dump[`${method}@${x.length}`] = s.rows.map(({ labels: _l, ...r }) => r);
  return s;
}

const header = '| method | best parameter (max BCubed F) | pairwise F | BCubed F | NMI | clusters | seconds |\n|---|---|---:|---:|---:|---:|---:|';
const lines: string[] = [];
lines.push(`### All of LFW: ${all.embeddings.length} faces, ${people(all.labels)} people\n`);
lines.push(header);
const notes: string[] = [];
for (const method of FULL) {
  if (only && !only.has(method)) continue;
  const s = run(method, all.embeddings, all.labels, GRIDS[method].values);
  lines.push(row(method, s));
  notes.push(`- ${method}: best pairwise F ${bestBy(s, 'pairwiseF1')}; best BCubed F ${bestBy(s, 'bcubedF1')} (${s.parameter} swept over ${s.rows.map((r) => r.value).join(', ')}).`);
}
lines.push('', ...notes, '');

lines.push(`### First ${subsetLines} photos of the file: ${sub.embeddings.length} faces, ${people(sub.labels)} people (every method, k-means and affinity propagation included)\n`);
lines.push(header);
const k = people(sub.labels);
GRIDS.kmeans.values = [Math.round(k * 0.6), Math.round(k * 0.8), k, Math.round(k * 1.2)];
const subNotes: string[] = [];
for (const method of CLUSTER_METHOD_NAMES) {
  if (only && !only.has(method)) continue;
  const s = run(method, sub.embeddings, sub.labels, GRIDS[method].values);
  lines.push(row(method, s));
  subNotes.push(`- ${method}: best pairwise F ${bestBy(s, 'pairwiseF1')}; best BCubed F ${bestBy(s, 'bcubedF1')}.`);
}
lines.push('', ...subNotes, '');
lines.push(`Embeddings: ${precomputedEmbeddingsPath()}. Seconds: one clustering run at the best value (sweep() timing; agglomerative builds its tree once, each row counts the tree). Load average (1, 5, 15 min) at start: ${startLoad}; at end: ${load()}.`);
console.log(lines.join('\n'));
if (flags.json) writeFileSync(flags.json, JSON.stringify(dump, null, 1));
