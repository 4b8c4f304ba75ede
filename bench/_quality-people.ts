/**
 * The people half of bench:quality: the people a first `facecluster run` makes (`updatePeople` with no previous
 * people, the default rule with the embedder's constants: what `run` → `updateStorePeople` does on a new store),
 * on each cached store, with the quality bar off (today) and at several settings (bar, good-face share, join
 * factor). Per collection and setting:
 * - junk people: people of >= 3 faces in which no photo folder holds more than half of the faces (all faces);
 * - kept: of the largest faces of the photos of people with >= 2 photos, the share in a person (not unsorted,
 *   not alone); kept right: the share in a person more than half of whose good faces come from the face's own folder;
 * - BCubed F of the people on the largest faces (a face in no person is a cluster of its own);
 * - unsorted faces, poor faces that joined a person and how many of those joined the person most of whose faces
 *   come from its own photo folder (joined right).
 * Leave one collection out: for each collection, the bar and the join factor are picked on the others (see
 * {@link pickBar}), then scored on it.
 */
import { embedderMixtureOptions, sameFaceRule, updatePeople } from '../lib/index.ts';
import { bcubedScores } from '../lib/evaluate/bcubed.ts';
import { foldCorrections } from '../lib/people/constraints.ts';
import { settlePoorFaces } from '../lib/people/poor-faces.ts';
import { loadCollection, type Collection } from './_collections.ts';

/** A setting of the bar: `minQuality`, `minGoodShare`, `poorJoinFactor`. */
export interface Setting {
  bar: number;
  share: number;
  factor: number;
}

export interface PeopleRow extends Setting {
  /** Junk people counted by family (the folder name before its first `_`: families' F0003_MID1 -> F0003). */
  junkFamily: number;
  people: number;
  junk: number;
  kept: number;
  /** Of the same faces, the share in a person whose good faces come mostly from the face's own photo folder. */
  keptRight: number;
  bcubed: number;
  unsorted: number;
  poorJoined: number;
  joinedRight: number;
}

/**
 * One collection's people at each bar, good-face share and join factor, with `quality` the faces' scores (store
 * order = loadCollection 'all' order). The rule clusters every face, its cut chosen by the good faces (those at or
 * above the bar), then `settlePoorFaces` settles the poor ones; so the people at a setting are those of one
 * clustering per bar settled at the setting's share and factor: exactly what `updatePeople` (so `facecluster run`)
 * does.
 */
export async function peopleRows(name: string, quality: Float32Array, settings: readonly Setting[], log: (s: string) => void): Promise<PeopleRow[] | null> {
  const c = await loadCollection(name, 'mobilefacenet512', 'all');
  if (!c) return null;
  const n = c.embeddings.length;
  const faceIds = c.paths.map((p, i) => `${p}#${i}`);
  const folder = foldersOf(c);
  const rule = sameFaceRule(embedderMixtureOptions(c.embedder));
  const constraints = foldCorrections([]);
  // One clustering per bar: the bar's good faces choose auto's cut (poor faces do not steer it); the shares and
  // factors are then applied to it by settlePoorFaces, as updatePeople does.
  const bases = new Map<number, ReturnType<typeof updatePeople>>();
  for (const bar of new Set(settings.map((x) => x.bar))) {
    const t0 = performance.now();
    bases.set(bar, updatePeople(faceIds, c.embeddings, null, constraints, { rule, quality, minQuality: bar, minGoodShare: 0, poorJoinFactor: 0, now: '2026-01-01T00:00:00Z' }));
    log(`${name}: people at bar ${bar} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const active = [...Array(n).keys()];
  return settings.map(({ bar, share, factor }) => {
    const base = bases.get(bar)!;
    const persons = new Map(base.persons.map((p) => [p.id, p]));
    const personOf = Int32Array.from(base.personOf);
    const status = [...base.status];
    const poor = Uint8Array.from(quality, (q) => (q < bar ? 1 : 0));
    const poorJoined = bar > 0 ? settlePoorFaces(poor, active, c.embeddings, faceIds, constraints, persons, personOf, status, { minFaces: 2, minGoodShare: share, metric: rule.metric, joinDistance: base.rule.threshold * factor }) : 0;
    const s = scorePeople(c, personOf, (i) => poor[i] === 1);
    const joinedIdx = [...Array(n).keys()].filter((i) => poor[i] && personOf[i] >= 0 && base.personOf[i] !== personOf[i]);
    return {
      bar, share, factor,
      people: s.people,
      junk: s.junk,
      junkFamily: s.junkFamily,
      kept: s.kept,
      keptRight: s.keptRight,
      bcubed: s.bcubed,
      unsorted: status.filter((x) => x === 'unsorted').length,
      poorJoined,
      joinedRight: joinedIdx.filter((i) => s.majority.get(personOf[i]) === folder[i]).length,
    };
  });
}

/** The photo folder of each face (its identity in the dev collections). */
export const foldersOf = (c: Collection): string[] => c.paths.map((p) => p.split('/')[0]);

/** Faces of each person (`personOf[i] >= 0`). */
export function membersOf(personOf: Int32Array): Map<number, number[]> {
  const m = new Map<number, number[]>();
  personOf.forEach((p, i) => { if (p >= 0) (m.get(p) ?? m.set(p, []).get(p)!).push(i); });
  return m;
}

/** Count of each key among `faces`. */
export function countBy(faces: readonly number[], key: readonly string[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const i of faces) count.set(key[i], (count.get(key[i]) ?? 0) + 1);
  return count;
}

/** A junk person: >= 3 faces and no `key` (photo folder; or family) holding more than half of them. */
export const isJunk = (faces: readonly number[], key: readonly string[]): boolean => faces.length >= 3 && Math.max(...countBy(faces, key).values()) * 2 <= faces.length;

/** The labelled (largest) faces of the photos of people with >= 2 photos: those "kept" counts. */
export function repeatedLargest(c: Collection): Set<number> {
  const photosOf = new Map<number, number>();
  for (const l of c.labels) photosOf.set(l, (photosOf.get(l) ?? 0) + 1);
  return new Set([...c.labelled].filter((_, k) => photosOf.get(c.labels[k])! >= 2));
}

/**
 * The issue's figures for people `personOf` of collection `c` (faces: 'all'): people, junk people (by photo folder,
 * and by family: the folder name before its first `_`, families' F0003_MID1 -> F0003), kept and kept right (in a
 * person more than half of whose good faces, `poor` false, come from the face's own folder: `majority`, '' for none)
 * of the faces of {@link repeatedLargest}, and BCubed F of the largest faces (a face in no person alone).
 */
export function scorePeople(c: Collection, personOf: Int32Array, poor: (i: number) => boolean) {
  const folder = foldersOf(c);
  const family = folder.map((f) => f.split('_')[0]);
  const members = membersOf(personOf);
  let junk = 0, junkFamily = 0;
  const majority = new Map<number, string>();
  for (const [p, m] of members) {
    if (isJunk(m, folder)) junk++;
    if (isJunk(m, family)) junkFamily++;
    const good = m.filter((i) => !poor(i));
    const [top, k] = [...countBy(good, folder)].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
    majority.set(p, k * 2 > good.length ? top : ''); // more than half of its good faces: a junk person has none
  }
  const counted = repeatedLargest(c);
  let kept = 0, right = 0;
  const pred: string[] = [];
  c.labelled.forEach((i, k) => {
    pred.push(personOf[i] >= 0 ? `person ${personOf[i]}` : `alone ${k}`);
    if (!counted.has(i) || personOf[i] < 0) return;
    kept++;
    if (majority.get(personOf[i]) === folder[i]) right++;
  });
  return {
    people: members.size, junk, junkFamily, majority, counted: counted.size,
    kept: kept / counted.size, keptRight: right / counted.size, bcubed: bcubedScores(pred, Array.from(c.labels, String)).f1,
  };
}

/**
 * The setting picked on `others` (rows of each collection in the same order): the fewest junk people in all
 * of them together among the settings whose `kept` ("kept right" by default, or "kept") falls by at most 1 point
 * and BCubed F by at most 0.005 on each (from bar 0, today); ties: the fewest unsorted faces.
 */
export function pickBar(others: readonly PeopleRow[][], kept: 'kept' | 'keptRight' = 'keptRight'): Setting {
  let best: Setting = { bar: 0, share: 0, factor: 0 }, bestJunk = Infinity, bestUnsorted = Infinity;
  const settings = others[0];
  for (let b = 0; b < settings.length; b++) {
    const ok = others.every((rows) => rows[0][kept] - rows[b][kept] <= 0.01 + 1e-12 && rows[0].bcubed - rows[b].bcubed <= 0.005 + 1e-12);
    if (!ok) continue;
    const junk = others.reduce((s, rows) => s + rows[b].junk, 0);
    const unsorted = others.reduce((s, rows) => s + rows[b].unsorted, 0);
    if (junk < bestJunk || (junk === bestJunk && unsorted < bestUnsorted)) { best = { bar: settings[b].bar, share: settings[b].share, factor: settings[b].factor }; bestJunk = junk; bestUnsorted = unsorted; }
  }
  return best;
}

/**
 * The people of a first `facecluster run` on collection `c` (faces: 'all') at one setting, as `updatePeople` makes
 * them (the bar's good faces steer auto's cut, then `settlePoorFaces`); bar 0: today, no bar. `steer` false: every
 * face chooses the cut (as with no bar), the bar applied after. Returns each face's person (-1: none) and the
 * collection's threshold.
 */
export function peopleAt(c: Collection, quality: Float32Array, { bar, share, factor }: Setting, steer = true): { personOf: Int32Array; threshold: number } {
  const n = c.embeddings.length;
  const faceIds = c.paths.map((p, i) => `${p}#${i}`);
  const rule = sameFaceRule(embedderMixtureOptions(c.embedder));
  const constraints = foldCorrections([]);
  const base = updatePeople(faceIds, c.embeddings, null, constraints, { rule, quality, minQuality: steer ? bar : 0, minGoodShare: 0, poorJoinFactor: 0, now: '2026-01-01T00:00:00Z' });
  const personOf = Int32Array.from(base.personOf);
  if (bar > 0) {
    const poor = Uint8Array.from(quality, (q) => (q < bar ? 1 : 0));
    settlePoorFaces(poor, [...Array(n).keys()], c.embeddings, faceIds, constraints, new Map(base.persons.map((p) => [p.id, p])), personOf, [...base.status], { minFaces: 2, minGoodShare: share, metric: rule.metric, joinDistance: base.rule.threshold * factor });
  }
  return { personOf, threshold: base.rule.threshold };
}
