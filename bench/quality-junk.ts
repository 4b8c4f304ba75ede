/**
 * `npm run bench:quality-junk`: what the junk people of a first `facecluster run` are, at the shipped quality bar.
 *
 * For each collection (cached stores of the default pipeline, every face; bench/_collections.ts): the people that
 * `updatePeople` makes with the shipped QUALITY_BAR / MIN_GOOD_SHARE / POOR_JOIN_FACTOR (as bench/_quality-people.ts),
 * then every junk person (>= 3 faces, no photo folder holding more than half) with its folders, whether one family
 * (the folder name before its first "_") holds more than half of it (relatives) or not (a crowd), the median quality
 * score and the median null-response quality (`nullResponseQuality`, issue 18). Then: the share of faces whose box
 * touches the photo's edge (2% margin) in junk people and in the other people of 3 faces or more, and what dissolving
 * every person whose median null-response quality is under T would do (junk people, "kept": the largest faces of
 * people with >= 2 photos that are in a person). Prints figures and the load average; never asserts.
 *
 * Usage: npm run bench:quality-junk [-- --collections families,celeba,pins,120faces] [--list]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../lib/index.ts';
import { nullResponseQuality } from '../lib/quality/null-response.ts';
import { MIN_GOOD_SHARE, POOR_JOIN_FACTOR, QUALITY_BAR } from '../lib/people/assign.ts';
import { loadCollection, storeDirOf } from './_collections.ts';
import { countBy, foldersOf, membersOf, peopleAt, repeatedLargest } from './_quality-people.ts';
import { shippedQuality } from './_quality-signals.ts';

const { values: flags } = parseArgs({ options: { collections: { type: 'string' }, list: { type: 'boolean' } } });
const names = (flags.collections ?? 'families,celeba,pins,120faces').split(',');
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1];
const share = (a: number, b: number) => (b > 0 ? `${a}/${b} (${((100 * a) / b).toFixed(1)}%)` : 'none');

console.log(`# Junk people at the shipped bar ${QUALITY_BAR} / ${MIN_GOOD_SHARE} / ${POOR_JOIN_FACTOR} (load ${load()})\n`);
for (const name of names) {
  const c = await loadCollection(name, 'mobilefacenet512', 'all');
  if (!c) { console.log(`${name}: no store at ${storeDirOf(name)}; skipped\n`); continue; }
  const store = await openStore(storeDirOf(name));
  const quality = await shippedQuality(name, () => {});
  const folder = foldersOf(c);
  const family = folder.map((f) => f.split('_')[0]);
  const { personOf } = peopleAt(c, quality, { bar: QUALITY_BAR, share: MIN_GOOD_SHARE, factor: POOR_JOIN_FACTOR });
  const nullQ = (await nullResponseQuality('mobilefacenet512', c.embeddings))!.quality;
  const members = membersOf(personOf);
  const holdsHalf = (m: number[], key: string[]) => {
    const count = countBy(m, key);
    return { top: Math.max(...count.values()) * 2 > m.length, count };
  };
  const edge = (i: number) => {
    const f = store.faces[i];
    const b = f.box;
    const mg = 0.02 * Math.max(f.imageWidth, f.imageHeight);
    return b.x < mg || b.y < mg || b.x + b.width > f.imageWidth - mg || b.y + b.height > f.imageHeight - mg;
  };
  let junk = 0, crowds = 0;
  const edges = { junk: [0, 0], other: [0, 0] };
  const crowdNull: number[] = [], otherNull: number[] = [];
  const lines: string[] = [];
  for (const [p, m] of members) {
    if (m.length < 3) continue;
    const isJunk = !holdsHalf(m, folder).top;
    const e = isJunk ? edges.junk : edges.other;
    for (const i of m) { e[1]++; if (edge(i)) e[0]++; }
    const nq = median(m.map((i) => nullQ[i]));
    if (!isJunk) { otherNull.push(nq); continue; }
    junk++;
    const crowd = !holdsHalf(m, family).top;
    if (crowd) { crowds++; crowdNull.push(nq); }
    lines.push(`| ${p} | ${m.length} | ${crowd ? 'crowd' : 'relatives'} | ${median(m.map((i) => quality[i])).toFixed(2)} | ${nq.toFixed(3)} | ${[...holdsHalf(m, folder).count].map(([f, k]) => `${f}:${k}`).join(' ')} |`);
  }
  console.log(`## ${name}: ${junk} junk people, ${crowds} of them crowds (no family holds half), ${junk - crowds} relatives\n`);
  if (flags.list && lines.length) console.log(`| person | faces | kind | median quality | median null-response quality | folders |\n|---|---:|---|---:|---:|---|\n${lines.join('\n')}\n`);
  const q = (v: number[], f: number) => (v.length ? [...v].sort((a, b) => a - b)[Math.min(v.length - 1, Math.floor(f * v.length))].toFixed(3) : '–');
  console.log(`boxes at the photo's edge: in junk people ${share(edges.junk[0], edges.junk[1])}, in the other people of >= 3 faces ${share(edges.other[0], edges.other[1])}`);
  console.log(`median null-response quality of a person: crowds ${crowdNull.map((v) => v.toFixed(2)).join(' ') || '–'}; the other people of >= 3 faces p10 / p50 / p90 ${q(otherNull, 0.1)} / ${q(otherNull, 0.5)} / ${q(otherNull, 0.9)}`);
  const counted = repeatedLargest(c);
  const rows: string[] = [];
  for (const T of [0, 0.8, 0.85, 0.9]) {
    const alive = new Set([...members].filter(([, m]) => median(m.map((i) => nullQ[i])) >= T).map(([p]) => p));
    let j = 0;
    for (const [p, m] of members) if (alive.has(p) && m.length >= 3 && !holdsHalf(m, folder).top) j++;
    let num = 0;
    for (const i of counted) if (personOf[i] >= 0 && alive.has(personOf[i])) num++;
    const den = counted.size;
    rows.push(`T ${T}: junk ${j}, kept ${((100 * num) / den).toFixed(1)}%`);
  }
  console.log(`people dissolved under a median null-response quality T: ${rows.join('; ')}\n`);
}
console.log(`load ${load()}`);
