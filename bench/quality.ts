/**
 * `npm run bench:quality`: which signals say that a face can be recognised, and where the bar goes.
 *
 * For each labelled collection (cached stores of the default pipeline, every face of every photo; see
 * bench/_collections.ts), every face's signals: box side, eye distance, detector score, pose from the 5 points
 * (|yaw|, |pitch|), sharpness of the aligned chip (variance of the Laplacian) and mobilefacenet512's raw embedding
 * norm before normalisation (MagFace, Meng et al., CVPR 2021), the last two from the photo's pixels (cached under
 * out/quality/). A face is *recognisable* when its nearest neighbour among the faces of other photos is a
 * labelled face (the largest face of its photo, or LFW's centred face) of the same identity.
 * - ROC AUC of each signal, per collection: on the labelled faces only ("lab"), and on every face with the
 *   background faces as negatives ("all": an unknown face cannot be recognised as anyone of the collection).
 * - The logistic model of the quality score (lib/quality/face-quality.ts), refitted leaving each collection
 *   out and scored on it (AUC), beside the shipped coefficients (fitted on all of them).
 * - The bar (`PEOPLE_QUALITY_DEFAULTS.minQuality`): with `--people`, the people pipeline (`updatePeople`, as
 *   `facecluster run` makes people on a first run) on each store at several bars: junk people, "nobody lost",
 *   auto's BCubed F on the largest faces.
 *
 * Usage: npm run bench:quality -- [--collections 120faces,pins,families,celeba] [--people] [--bars 0,0.1,...]
 * Prints markdown and the load average.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openStore } from '../lib/index.ts';
import { FACE_QUALITY_MODEL, qualityFeatures, QUALITY_FEATURE_NAMES, type FaceQualityModel } from '../lib/quality/face-quality.ts';
import { qualitySignals, type QualitySignals } from '../lib/quality/signals.ts';
import { loadCollection, storeDirOf } from './_collections.ts';
import { MIN_GOOD_SHARE, POOR_JOIN_FACTOR, QUALITY_BAR } from '../lib/people/assign.ts';
import { pixelSignals } from './_quality-signals.ts';
import { fitLogistic, rocAuc } from './_quality-fit.ts';
import { peopleRows, pickBar, type PeopleRow, type Setting } from './_quality-people.ts';

const { values: flags } = parseArgs({ options: { collections: { type: 'string' }, people: { type: 'boolean' }, bars: { type: 'string' }, factors: { type: 'string' }, shares: { type: 'string' }, all: { type: 'boolean' }, 'loo-model': { type: 'boolean' }, 'no-signals': { type: 'boolean' } } });
const names = (flags.collections ?? '120faces,pins,families,celeba').split(',');
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');
const log = (s: string) => console.error(`[${new Date().toISOString().slice(11, 19)} load ${load()}] ${s}`);
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

interface Data {
  name: string;
  signals: QualitySignals[];
  /** 1: labelled and recognisable, 0: labelled and not, -1: background face, -2: labelled, the only photo of its person (left out). */
  target: Int8Array;
}

async function collect(name: string): Promise<Data | null> {
  const c = await loadCollection(name, 'mobilefacenet512', 'all');
  if (!c) return null;
  const store = await openStore(storeDirOf(name));
  const px = await pixelSignals(name, log);
  const n = c.embeddings.length;
  const labelOf = new Int32Array(n).fill(-1);
  c.labelled.forEach((i, k) => (labelOf[i] = c.labels[k]));
  const target = new Int8Array(n).fill(-1);
  const photosOf = new Map<number, number>();
  for (const l of c.labels) photosOf.set(l, (photosOf.get(l) ?? 0) + 1);
  const d = c.embeddings[0].length;
  for (let i = 0; i < n; i++) {
    if (labelOf[i] < 0) continue;
    if (photosOf.get(labelOf[i])! < 2) { target[i] = -2; continue; } // alone in the collection: nobody to be recognised as
    let best = -Infinity, nn = -1;
    const a = c.embeddings[i];
    for (let j = 0; j < n; j++) {
      if (c.paths[j] === c.paths[i]) continue;
      const b = c.embeddings[j];
      let s = 0;
      for (let t = 0; t < d; t++) s += a[t] * b[t];
      if (s > best) { best = s; nn = j; }
    }
    target[i] = nn >= 0 && labelOf[nn] === labelOf[i] ? 1 : 0;
  }
  const signals = store.faces.map((f, i) => ({ ...qualitySignals(f), sharpness: px.sharpness[i], embeddingNorm: px.rawNorm[i] }));
  return { name, signals, target };
}

/** AUC over every face but the left-out ones (background faces negative). */
function aucAll(d: Data, v: number[]): number {
  const keep = d.signals.map((_, i) => i).filter((i) => d.target[i] !== -2);
  return rocAuc(keep.map((i) => v[i]), keep.map((i) => d.target[i] === 1));
}

const SIGNALS: { name: string; value: (s: Data['signals'][number]) => number }[] = [
  { name: 'box side', value: (s) => s.faceSide },
  { name: 'eye distance', value: (s) => s.eyeDistance },
  { name: 'detector score', value: (s) => s.detectorScore },
  { name: '-|yaw|', value: (s) => -Math.abs(s.yaw) },
  { name: '-|pitch|', value: (s) => -Math.abs(s.pitch) },
  { name: 'sharpness', value: (s) => s.sharpness ?? NaN },
  { name: 'raw norm', value: (s) => s.embeddingNorm ?? NaN },
];

const score = (model: FaceQualityModel, s: Data['signals'][number]) => {
  const f = qualityFeatures(s);
  let z = model.intercept;
  QUALITY_FEATURE_NAMES.forEach((k, i) => (z += model.coefficients[k] * f[i]));
  return 1 / (1 + Math.exp(-z));
};

console.log(`# Face quality (load average at start: ${load()})\n`);
const data: Data[] = [];
for (const name of names) {
  log(`${name}: signals`);
  const d = await collect(name);
  if (!d) { log(`${name}: no store at ${storeDirOf(name)}; skipped`); continue; }
  data.push(d);
}
// each collection weighs the same in the fit, whatever its size
const rows = (ds: Data[]) => ds.flatMap((d) => {
  const kept = d.target.filter((t) => t !== -2).length;
  return d.signals.flatMap((s, i) => (d.target[i] === -2 ? [] : [{ x: qualityFeatures(s), y: d.target[i] === 1, w: 1 / kept }]));
});
const toModel = (w: number[]): FaceQualityModel => ({ intercept: w[0], coefficients: Object.fromEntries(QUALITY_FEATURE_NAMES.map((k, i) => [k, w[i + 1]])) as FaceQualityModel['coefficients'] });
const fitOn = (ds: Data[], use: readonly string[]) => {
  const r = rows(ds);
  const cols = QUALITY_FEATURE_NAMES.map((k, i) => (use.includes(k) ? i : -1)).filter((i) => i >= 0);
  const w = fitLogistic(r.map((e) => cols.map((c) => e.x[c])), r.map((e) => e.y), r.map((e) => e.w));
  const full = [w[0], ...QUALITY_FEATURE_NAMES.map((_, i) => { const k = cols.indexOf(i); return k >= 0 ? w[k + 1] : 0; })];
  return toModel(full);
};
/** The signals the shipped model uses (the LOO models of the people table use the same). */
const SHIPPED_USE = QUALITY_FEATURE_NAMES.filter((k) => FACE_QUALITY_MODEL.coefficients[k] !== 0);
if (!flags['no-signals']) {
  console.log('## ROC AUC of each signal (recognisable: nearest face of another photo is the same person)\n');
  console.log('"lab": labelled faces only; "all": every face, background faces as negatives.\n');
  console.log(`| signal | ${data.map((d) => `${d.name} lab | ${d.name} all`).join(' | ')} |`);
  console.log(`|---|${data.map(() => '---:|---:').join('|')}|`);
  for (const sig of SIGNALS) {
    const cells = data.map((d) => {
      const v = d.signals.map(sig.value);
      const lab = d.signals.map((_, i) => i).filter((i) => d.target[i] >= 0);
      return `${f3(rocAuc(lab.map((i) => v[i]), lab.map((i) => d.target[i] === 1)))} | ${f3(aucAll(d, v))}`;
    });
    console.log(`| ${sig.name} | ${cells.join(' | ')} |`);
  }
  console.log(`\nfaces (recognisable / labelled of people with ≥ 2 photos / all): ${data.map((d) => `${d.name} ${d.target.filter((t) => t === 1).length} / ${d.target.filter((t) => t >= 0).length} / ${d.target.length}`).join('; ')}\n`);

  const variants: { name: string; use: readonly string[] }[] = [
    { name: 'all signals', use: QUALITY_FEATURE_NAMES },
    { name: 'without raw norm', use: QUALITY_FEATURE_NAMES.filter((k) => k !== 'rawNorm') },
    { name: 'raw norm, score, side', use: ['rawNorm', 'detectorScore', 'logSide'] },
    { name: 'raw norm alone', use: ['rawNorm'] },
    { name: 'stored only (side, score, pose)', use: QUALITY_FEATURE_NAMES.filter((k) => k !== 'rawNorm' && k !== 'logSharpness') },
  ];
  console.log('## Logistic quality model, leave one collection out (AUC on the held-out collection, "all" faces)\n');
  console.log(`| model | ${data.map((d) => d.name).join(' | ')} | mean |`);
  console.log(`|---|${data.map(() => '---:').join('|')}|---:|`);
  for (const v of variants) {
    const aucs = data.map((held) => {
      const m = fitOn(data.filter((d) => d !== held), v.use);
      return aucAll(held, held.signals.map((s) => score(m, s)));
    });
    console.log(`| ${v.name} (LOO) | ${aucs.map(f3).join(' | ')} | ${f3(aucs.reduce((a, b) => a + b, 0) / aucs.length)} |`);
  }
  const shipped = data.map((d) => aucAll(d, d.signals.map((s) => score(FACE_QUALITY_MODEL, s))));
  console.log(`| shipped FACE_QUALITY_MODEL | ${shipped.map(f3).join(' | ')} | ${f3(shipped.reduce((a, b) => a + b, 0) / shipped.length)} |`);
  for (const v of variants) {
    const m = fitOn(data, v.use);
    console.log(`\nfit on ${data.map((d) => d.name).join(', ')} (${v.name}): intercept ${m.intercept.toFixed(4)}, ${QUALITY_FEATURE_NAMES.map((k) => `${k} ${m.coefficients[k].toFixed(4)}`).join(', ')}`);
  }
  console.log();
}

if (flags.people) {
  const bars = flags.bars ? flags.bars.split(',').map(Number) : [0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
  const shares = flags.shares ? flags.shares.split(',').map(Number) : [0, 0.05, 0.1, 0.25, 0.5];
  const factors = flags.factors ? flags.factors.split(',').map(Number) : [1, 0.85, 0];
  const settings: Setting[] = [{ bar: 0, share: 0, factor: 0 }, ...bars.flatMap((bar) => shares.flatMap((share) => factors.map((factor) => ({ bar, share, factor }))))];
  const shippedSetting = (r: PeopleRow) => r.bar === QUALITY_BAR && r.share === MIN_GOOD_SHARE && r.factor === POOR_JOIN_FACTOR;
  const fmt = (x: PeopleRow) => `${x.bar === 0 ? '0 (today)' : `${x.bar} / ${x.share} / ${x.factor}`}${shippedSetting(x) ? ' **shipped**' : ''}`;
  console.log(`## People of a first \`facecluster run\` at each setting (quality: the shipped model, ${SHIPPED_USE.join(', ')})\n`);
  console.log('Setting: bar (minQuality) / good-face share (minGoodShare) / join factor (poorJoinFactor); 0: today, no bar. junk: people of ≥ 3 faces, no photo folder holding more than half (all faces); junk by family: the same with the folder name before its first "_" (families\' F0003_MID1 → F0003); kept: largest faces of people with ≥ 2 photos in a person; kept right: of those, in a person more than half of whose good faces come from their own folder (a junk person keeps nobody right); BCubed F on the largest faces; poor joined (right): poor faces that joined a person afterwards (of the majority folder of its good faces).\n');
  console.log('| collection | setting | people | junk | junk by family | kept | kept right | BCubed F | unsorted | poor joined (right) |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const scoreAll = (m: FaceQualityModel, d: Data) => Float32Array.from(d.signals, (s) => score(m, s));
  const shipped = new Map<string, PeopleRow[]>();
  const show = (x: PeopleRow) => x.bar === 0 || shippedSetting(x) || (x.factor === POOR_JOIN_FACTOR && x.share === MIN_GOOD_SHARE) || flags.all;
  for (const d of data) {
    const r = await peopleRows(d.name, scoreAll(FACE_QUALITY_MODEL, d), settings, log);
    if (!r) continue;
    shipped.set(d.name, r);
    for (const x of r) if (show(x)) console.log(`| ${d.name} | ${fmt(x)} | ${x.people} | ${x.junk} | ${x.junkFamily} | ${(100 * x.kept).toFixed(1)}% | ${(100 * x.keptRight).toFixed(1)}% | ${f3(x.bcubed)} | ${x.unsorted} | ${x.poorJoined} (${x.joinedRight}) |`);
  }
  if (!flags.all) console.log(`\n(rows at the shipped share and factor; \`--all\` prints all ${settings.length} settings)`);
  const looModel = flags['loo-model'] === true;
  console.log(`\n## Leave one collection out: setting picked on the others${looModel ? ', with the quality model refitted on them' : ' (quality: the shipped model)'}, scored on the held-out one\n`);
  console.log('Pick: the fewest junk people on the others together, among the settings where each of them keeps "kept right" within 1 point and BCubed F within 0.005 of today; ties: the fewest unsorted faces. ("kept", the share in any person, counts a face inside a junk person as kept: picking by it keeps the junk; see the last line.)\n');
  console.log('| held out | setting picked on the others | junk today → with it | junk by family | kept today → with it | kept right | BCubed F today → with it | unsorted |');
  console.log('|---|---|---|---|---|---|---|---:|');
  for (const d of data) {
    if (!shipped.has(d.name)) continue;
    const others = data.filter((o) => o !== d && shipped.has(o.name));
    let otherRows = others.map((o) => shipped.get(o.name)!);
    let heldRows = shipped.get(d.name)!;
    if (looModel) {
      const m = fitOn(others, SHIPPED_USE);
      otherRows = [];
      for (const o of others) otherRows.push((await peopleRows(o.name, scoreAll(m, o), settings, log))!);
      heldRows = (await peopleRows(d.name, scoreAll(m, d), settings, log))!;
    }
    const pick = pickBar(otherRows);
    const t = heldRows[0];
    const y = heldRows.find((r) => r.bar === pick.bar && r.share === pick.share && r.factor === pick.factor)!;
    console.log(`| ${d.name} | ${pick.bar} / ${pick.share} / ${pick.factor} | ${t.junk} → ${y.junk} | ${t.junkFamily} → ${y.junkFamily} | ${(100 * t.kept).toFixed(1)}% → ${(100 * y.kept).toFixed(1)}% | ${(100 * t.keptRight).toFixed(1)}% → ${(100 * y.keptRight).toFixed(1)}% | ${f3(t.bcubed)} → ${f3(y.bcubed)} | ${y.unsorted} |`);
  }
  const all = [...shipped.values()];
  if (all.length > 0) {
    const p = pickBar(all);
    const q = pickBar(all, 'kept');
    const junkAt = (x: Setting) => all.map((rows) => rows.find((r) => r.bar === x.bar && r.share === x.share && r.factor === x.factor)!.junk).join(' / ');
    console.log(`\npicked on all of ${[...shipped.keys()].join(', ')} ("kept right" within 1 point): bar ${p.bar} / share ${p.share} / factor ${p.factor}, junk ${junkAt(p)} (today ${all.map((r) => r[0].junk).join(' / ')}) (shipped: QUALITY_BAR ${QUALITY_BAR}, MIN_GOOD_SHARE ${MIN_GOOD_SHARE}, POOR_JOIN_FACTOR ${POOR_JOIN_FACTOR})`);
    console.log(`picked on all by the issue's literal "kept" (any person) within 1 point: bar ${q.bar} / share ${q.share} / factor ${q.factor}, junk ${junkAt(q)}`);
  }
}
console.log(`\nload average at end: ${load()}`);
