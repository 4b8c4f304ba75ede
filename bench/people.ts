/**
 * `npm run bench:people`: incremental people vs a full re-clustering, on all of LFW (the precomputed face-api
 * embeddings, face nearest the image centre, 12,424 faces).
 *
 * The people of the first 90% of the photos are made once; then the last 10% arrive and are placed
 * incrementally (lib/people updatePeople, default); next to it the full re-clustering of 100% (`recluster: true`,
 * what `facecluster people update --recluster` does, and the bare default clustering for reference). Printed:
 * seconds (median of --repeat runs, interleaved, with the load average), speed-up, BCubed F and pairwise F of
 * the people against the LFW identities (unassigned faces count as people of one). CPU seconds (this process,
 * user + system) are printed beside wall seconds: on a shared machine they move less with the other jobs.
 *
 * Two arrival orders: `file` (the literal last 10% of the file: identities late in the alphabet, mostly new
 * people) and `random` (a seeded random 10%: mostly new photos of people already known).
 *
 * Usage: npm run bench:people [-- --repeat 3] [--rule default|chinese-whispers]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings } from '../lib/datasets/precomputed.ts';
import { evaluateClustering } from '../lib/evaluate/evaluate.ts';
import { snapshotOf, updatePeople, type PeopleState } from '../lib/people/assign.ts';
import { foldCorrections } from '../lib/people/constraints.ts';
import { chineseWhispersRule, sameFaceRule } from '../lib/people/rule.ts';
import { embedderMixtureOptions } from '../lib/embed/registry.ts';

const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' }, rule: { type: 'string', default: 'default' } } });
const repeat = Math.max(1, Number(values.repeat));
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const data = await loadPrecomputedEmbeddings();
const n = data.embeddings.length;
const ids = data.files.map((f) => `${f}#0`);
const none = foldCorrections([]);
if (!['default', 'chinese-whispers'].includes(values.rule!)) throw new Error(`bench:people: --rule must be default or chinese-whispers, got ${values.rule}`);
const rule = values.rule === 'chinese-whispers' ? chineseWhispersRule() : sameFaceRule(embedderMixtureOptions('resnet128')); // the precomputed vectors are face-api's resnet128
console.log(`bench:people: all of LFW, ${n} faces of ${new Set(data.identities).size} people; rule: ${rule.method} (${rule.metric}, join by ${rule.join}); load ${load()}`);

function order(kind: 'file' | 'random'): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  if (kind === 'file') return idx;
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

function scores(state: PeopleState, truth: string[]): { bcubed: number; pairwise: number; people: number } {
  const m = evaluateClustering(state.personOf, truth);
  return { bcubed: m.bcubedF1, pairwise: m.pairwiseF1, people: state.persons.length };
}

/** Runs `f`; returns its result, wall seconds and CPU seconds (user + system of this process: less sensitive to the
 * other jobs of a shared machine than wall time). */
const time = <T>(f: () => T): [T, number, number] => {
  const c = process.cpuUsage();
  const t = performance.now();
  const r = f();
  const u = process.cpuUsage(c);
  return [r, (performance.now() - t) / 1000, (u.user + u.system) / 1e6];
};

for (const kind of ['file', 'random'] as const) {
  const o = order(kind);
  const cut = Math.floor(n * 0.9);
  const first = o.slice(0, cut);
  const all = o; // 90% then the 10%
  const pick = (idx: number[]) => ({ ids: idx.map((i) => ids[i]), x: idx.map((i) => data.embeddings[i]), truth: idx.map((i) => data.identities[i]) });
  const a = pick(first);
  const b = pick(all);
  const [s90, t90] = time(() => updatePeople(a.ids, a.x, null, none, { rule }));
  const snap = snapshotOf(s90);
  const inc: number[] = [], incCpu: number[] = [];
  const full: number[] = [], fullCpu: number[] = [];
  const bare: number[] = [], bareCpu: number[] = [];
  let sInc!: PeopleState;
  let sFull!: PeopleState;
  let loads = '';
  for (let r = 0; r < repeat; r++) {
    let t: number, c: number;
    [sInc, t, c] = time(() => updatePeople(b.ids, b.x, snap, none, { rule }));
    inc.push(t); incCpu.push(c);
    [sFull, t, c] = time(() => updatePeople(b.ids, b.x, snap, none, { recluster: true, rule }));
    full.push(t); fullCpu.push(c);
    [, t, c] = time(() => rule.clusterAll(b.x));
    bare.push(t); bareCpu.push(c);
    loads += ` [${load()}]`;
  }
  const si = scores(sInc, b.truth);
  const sf = scores(sFull, b.truth);
  const s9 = scores(s90, a.truth);
  console.log(`\n== arrival order: ${kind} (first ${cut} faces, then ${n - cut}) ==`);
  console.log(`people of the first 90%: ${s9.people} people in ${t90.toFixed(2)} s, BCubed F ${s9.bcubed.toFixed(4)}; threshold ${s90.rule.threshold}`);
  console.log(`incremental: ${sInc.summary.newFaces} new faces, ${sInc.summary.joined} joined existing people, ${sInc.summary.newPeople} new people`);
  console.log(`| run | wall s (median of ${repeat}) | speed-up | CPU s (median) | speed-up | BCubed F | pairwise F | people |`);
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  const row = (name: string, wall: number[], cpu: number[], s?: { bcubed: number; pairwise: number; people: number }) =>
    console.log(`| ${name} | ${median(wall).toFixed(3)} | ${(median(full) / median(wall)).toFixed(1)}x | ${median(cpu).toFixed(3)} | ${(median(fullCpu) / median(cpu)).toFixed(1)}x | ${s ? s.bcubed.toFixed(4) : ''} | ${s ? s.pairwise.toFixed(4) : ''} | ${s ? s.people : ''} |`);
  row('incremental: place the last 10%', inc, incCpu, si);
  row('full re-cluster of 100% (people, --recluster)', full, fullCpu, sf);
  row(`bare default clustering of 100% (${rule.method}, reference)`, bare, bareCpu);
  console.log(`BCubed F incremental - full: ${(si.bcubed - sf.bcubed).toFixed(4)}; load averages per repeat:${loads}`);
}
