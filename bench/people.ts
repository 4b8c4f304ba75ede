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
 * Usage: npm run bench:people [-- --repeat 3] [--rule default|chinese-whispers] [--search auto|exact|index] (how new faces find
 * people: see UpdatePeopleOptions.search)
 *
 * `-- --million [--dim 512] [--faces 1000000] [--new 10000] [--search auto|exact|index] [--compare]`: the incremental update at scale, on synthetic faces
 * (bench/_synthetic-faces.ts): the people of 1,000,000 faces are taken as known (each identity with 2 or more faces
 * a person, the rest unassigned, the rule's threshold as a full clustering recorded it), then 10,000 new faces
 * arrive (a seeded random 1% of the faces, new photos of known people and new people alike) and are placed by
 * updatePeople with the default rule. Printed: seconds (wall and CPU), peak RSS, load, how many joined, and the
 * share of new faces placed in their identity's person. The store's own I/O (reading faces.arrow, writing the
 * people tables) is not in it: see bench:export. `--compare`: the same update again with the exact search, and how many faces
 * it places differently (the index's misses).
 *
 * `--index-dir DIR [--second]`: the face index kept with the store (lib/people/face-index.ts) in DIR, over two runs (two
 * processes, so that the second reads the index from disk). The first (without `--second`): the store is the first
 * `--faces` faces, of which the last `--new` arrive now; the index is built over them (or loaded when DIR has one) and
 * saved. The second (`--second`): the store is all `--faces` + `--new` faces, the last `--new` arrive now; the index
 * saved by the first is loaded, the new faces added to it and searched, and it is saved again. Printed besides: how
 * the index was opened and the seconds to check and load (or build), add, search and save it. `--ef-search N`: the
 * index's candidate list while searching (FACE_INDEX_DEFAULTS.efSearch otherwise).
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { loadPrecomputedEmbeddings } from '../lib/datasets/precomputed.ts';
import { evaluateClustering } from '../lib/evaluate/evaluate.ts';
import { snapshotOf, updatePeople, type PeopleState } from '../lib/people/assign.ts';
import { storeFaceIndex } from '../lib/people/face-index.ts';
import { foldCorrections } from '../lib/people/constraints.ts';
import { chineseWhispersRule, sameFaceRule } from '../lib/people/rule.ts';
import { embedderMixtureOptions } from '../lib/embed/registry.ts';
import { makeSynthetic } from './_synthetic-faces.ts';

const { values } = parseArgs({ options: {
  repeat: { type: 'string', default: '3' }, rule: { type: 'string', default: 'default' },
  million: { type: 'boolean', default: false }, dim: { type: 'string', default: '512' }, faces: { type: 'string', default: '1000000' }, new: { type: 'string', default: '10000' },
  threshold: { type: 'string', default: '0.77' }, search: { type: 'string', default: 'auto' }, compare: { type: 'boolean', default: false },
  'index-dir': { type: 'string' }, second: { type: 'boolean', default: false }, 'ef-search': { type: 'string' },
} });
const repeat = Math.max(1, Number(values.repeat));
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (values.million) {
  million(Number(values.faces), Number(values.new), Number(values.dim), Number(values.threshold), values['index-dir'] ?? null, values.second!);
  process.exit(0);
}

/**
 * The incremental update at scale (see the file comment). `threshold`: the rule's threshold as recorded by the last
 * full clustering (auto chose 0.77 on 100,000 of these 512-d faces: bench:cluster -- --n 100000 --dim 512).
 */
function million(faces: number, nNew: number, dim: number, threshold: number, indexDir: string | null, second: boolean): void {
  const peak = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
  const t0 = performance.now();
  const syn = makeSynthetic(faces + (indexDir !== null ? nNew : 0), dim);
  // with a kept index, the first run's store is the first `faces` faces (its last nNew new), the second's all of them
  const nOld = indexDir !== null && !second ? faces - nNew : faces;
  const total = nOld + nNew;
  // the rows are in a seeded random order: the last nNew arrive now
  const faceIds = Array.from({ length: total }, (_, i) => `p${String(i >> 7).padStart(5, '0')}/photo_${i}.jpg#0`);
  const count = new Map<number, number>();
  for (let i = 0; i < nOld; i++) count.set(syn.labels[i], (count.get(syn.labels[i]) ?? 0) + 1);
  // identity -> person id, for identities with 2 or more known faces
  const personOfId = new Map<number, number>();
  const assignment = new Map<string, number>();
  const known = new Set<string>();
  let nextId = 1;
  for (let i = 0; i < nOld; i++) {
    known.add(faceIds[i]);
    const l = syn.labels[i];
    if (count.get(l)! < 2) continue;
    let p = personOfId.get(l);
    if (p === undefined) personOfId.set(l, (p = nextId++));
    assignment.set(faceIds[i], p);
  }
  const persons = Array.from({ length: nextId - 1 }, (_, k) => ({ id: k + 1, name: null, createdAt: new Date(0).toISOString() }));
  const snap = { persons, assignment, known, nextId, threshold, method: 'auto', unsorted: new Set<string>() };
  console.log(`bench:people --million: ${nOld} known faces (${persons.length} people, ${nOld - assignment.size} unassigned) + ${nNew} new, ${dim}-d synthetic, threshold ${threshold}; made in ${((performance.now() - t0) / 1000).toFixed(1)} s; peak RSS so far ${peak().toFixed(0)} MB; load ${load()}`);
  const rule = sameFaceRule();
  const search = values.search as 'auto' | 'exact' | 'index';
  const x = syn.x.slice(0, total);
  const c = process.cpuUsage();
  const t1 = performance.now();
  const index = indexDir !== null ? storeFaceIndex(indexDir, faceIds, x, values['ef-search'] ? { efSearch: Number(values['ef-search']) } : {}) : null;
  const s = updatePeople(faceIds, x, snap, foldCorrections([]), { rule, now: new Date(0).toISOString(), search, index });
  index?.save();
  const wall = (performance.now() - t1) / 1000;
  const u = process.cpuUsage(c);
  const r = index?.report();
  if (r) console.log(`kept index in ${indexDir}: ${r.how}${r.reason ? ` (${r.reason})` : ''}, ${r.added} faces added, ${r.removed} removed, ${r.size} held; seconds: open (check + load, or build) ${r.seconds.open.toFixed(1)}, add ${r.seconds.add.toFixed(1)}, search ${r.seconds.search.toFixed(1)}, save ${r.seconds.save.toFixed(1)}; load ${load()}`);
  if (values.compare) {
    // the same update with the exact search: how many faces are placed differently (new people matched by their faces)
    const t2 = performance.now();
    const e = updatePeople(faceIds, x, snap, foldCorrections([]), { rule, now: new Date(0).toISOString(), search: 'exact' });
    const ev = evaluateClustering(e.personOf, Array.from(s.personOf, (p, i) => (p < 0 ? `u${i}` : String(p))));
    let differ = 0;
    for (let i = 0; i < total; i++) if ((s.personOf[i] < 0) !== (e.personOf[i] < 0) || (s.personOf[i] <= nextId - 1 && s.personOf[i] !== e.personOf[i])) differ++;
    console.log(`exact search: ${((performance.now() - t2) / 1000).toFixed(1)} s wall; joined ${e.summary.joined}, new people ${e.summary.newPeople}; faces placed differently from --search ${search}: ${differ} (pairwise F between the two: ${ev.pairwiseF1.toFixed(6)}); load ${load()}`);
  }
  let right = 0;
  for (let i = nOld; i < total; i++) { const p = personOfId.get(syn.labels[i]); if (p !== undefined && s.personOf[i] === p) right++; }
  const ofKnown = Array.from({ length: nNew }, (_, k) => nOld + k).filter((i) => personOfId.has(syn.labels[i])).length;
  console.log(`| faces | new | wall s | CPU s | joined | new people | new faces of known people placed in their person | peak RSS MB | load |`);
  console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  console.log(`| ${total} | ${nNew} | ${wall.toFixed(1)} | ${((u.user + u.system) / 1e6).toFixed(1)} | ${s.summary.joined} | ${s.summary.newPeople} | ${right} of ${ofKnown} | ${peak().toFixed(0)} | ${load()} |`);
}

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
    [sInc, t, c] = time(() => updatePeople(b.ids, b.x, snap, none, { rule, search: values.search as 'auto' | 'exact' | 'index' }));
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
