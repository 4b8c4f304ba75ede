/**
 * What the corrections journal says, folded into constraints that every assignment and re-clustering obeys:
 *
 * - `confirmed`: face -> person. The person placed it there by hand (move, split, merge); it stays there.
 *   Faces confirmed in one person stay together; faces confirmed in two people stay apart.
 * - `excluded`: face -> people it was moved or split away from; it never joins them again (unless a later
 *   correction puts it back by hand).
 * - `ignored`: faces kept out of every person (`ignore`, `not-a-face`); a later move brings one back.
 * - `names`, and `alias`: ids retired by a merge point to the person they were merged into.
 * - `distinct`: pairs of people answered "not one person" in a review (asked no more).
 *
 * Later corrections override earlier ones. The fold needs no faces, so a constraint outlives its photo being
 * removed and holds again if the photo comes back.
 */
import type { IgnoreReason, JournalEntry } from './journal.ts';

export interface PeopleConstraints {
  confirmed: Map<string, number>;
  excluded: Map<string, Set<number>>;
  ignored: Map<string, IgnoreReason>;
  names: Map<number, string>;
  /** Retired id -> the id it was merged into (follow with {@link rootPerson}). */
  alias: Map<number, number>;
  /**
   * Pairs of people answered "not one person" (`distinct`), as given (follow with {@link areDistinct}). Only the
   * review's questions use it: assignment and re-clustering do not (yet) keep such people apart.
   */
  distinct: [number, number][];
  /** Person -> time of the correction that made it (split) or first named it. */
  created: Map<number, string>;
  /** Largest person id any correction mentions (0 when none). */
  maxId: number;
  /** Number of corrections folded. */
  count: number;
}

/** The live id of `id`: itself, or the person it was (transitively) merged into. */
export function rootPerson(c: PeopleConstraints, id: number): number {
  let r = id;
  for (let hops = 0; c.alias.has(r) && hops <= c.alias.size; hops++) r = c.alias.get(r)!;
  return r;
}

/** Whether `face` may be in `person` (it was not moved or split away from it, nor from anyone merged into it). */
export function allowedIn(c: PeopleConstraints, face: string, person: number): boolean {
  const ex = c.excluded.get(face);
  if (!ex) return true;
  const root = rootPerson(c, person);
  for (const p of ex) if (rootPerson(c, p) === root) return false;
  return true;
}

/** Whether people `a` and `b` (ids followed through merges) were answered "not one person". */
export function areDistinct(c: PeopleConstraints, a: number, b: number): boolean {
  const [ra, rb] = [rootPerson(c, a), rootPerson(c, b)];
  if (ra === rb) return false;
  return c.distinct.some(([x, y]) => {
    const [rx, ry] = [rootPerson(c, x), rootPerson(c, y)];
    return (rx === ra && ry === rb) || (rx === rb && ry === ra);
  });
}

/** Folds journal entries, oldest first, into constraints. */
export function foldCorrections(entries: readonly JournalEntry[]): PeopleConstraints {
  const c: PeopleConstraints = { confirmed: new Map(), excluded: new Map(), ignored: new Map(), names: new Map(), alias: new Map(), distinct: [], created: new Map(), maxId: 0, count: 0 };
  const exclude = (face: string, person: number) => {
    let s = c.excluded.get(face);
    if (!s) c.excluded.set(face, (s = new Set()));
    s.add(person);
  };
  const place = (face: string, person: number) => {
    c.confirmed.set(face, person);
    c.ignored.delete(face);
    const ex = c.excluded.get(face);
    if (ex) {
      const root = rootPerson(c, person);
      for (const p of [...ex]) if (rootPerson(c, p) === root) ex.delete(p);
      if (ex.size === 0) c.excluded.delete(face);
    }
  };
  for (const e of entries) {
    c.count++;
    switch (e.op) {
      case 'name': {
        const p = rootPerson(c, e.person);
        c.maxId = Math.max(c.maxId, e.person);
        if (e.name === null) c.names.delete(p);
        else {
          c.names.set(p, e.name);
          if (!c.created.has(p)) c.created.set(p, e.at);
        }
        break;
      }
      case 'merge': {
        const from = rootPerson(c, e.from);
        const into = rootPerson(c, e.into);
        c.maxId = Math.max(c.maxId, e.from, e.into);
        if (from === into) break;
        c.alias.set(from, into);
        if (!c.names.has(into) && c.names.has(from)) c.names.set(into, c.names.get(from)!);
        c.names.delete(from);
        for (const f of e.faces) place(f, into);
        break;
      }
      case 'move': {
        const to = rootPerson(c, e.to);
        c.maxId = Math.max(c.maxId, e.to, e.from ?? 0);
        place(e.face, to);
        if (e.from !== null && rootPerson(c, e.from) !== to) exclude(e.face, rootPerson(c, e.from));
        break;
      }
      case 'split': {
        c.maxId = Math.max(c.maxId, e.person, e.newPerson);
        if (!c.created.has(e.newPerson)) c.created.set(e.newPerson, e.at);
        const from = rootPerson(c, e.person);
        for (const f of e.faces) {
          place(f, e.newPerson);
          exclude(f, from);
        }
        break;
      }
      case 'ignore':
        c.ignored.set(e.face, e.reason);
        c.confirmed.delete(e.face);
        break;
      case 'distinct':
        c.maxId = Math.max(c.maxId, e.a, e.b);
        c.distinct.push([e.a, e.b]);
        break;
    }
  }
  // Resolve confirmed faces through merges made after they were placed.
  for (const [f, p] of c.confirmed) c.confirmed.set(f, rootPerson(c, p));
  return c;
}
