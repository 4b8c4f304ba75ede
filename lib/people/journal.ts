/**
 * The corrections journal: every change a person makes by hand (name, merge, move, split, ignore, distinct), one JSON
 * object per line, appended to `corrections.jsonl` in the store folder and never rewritten.
 *
 * Durability: a correction is one `write` of one whole line (opened with O_APPEND) followed by `fsync`, so a
 * process killed at any moment (kill -9, power cut after the fsync) leaves every earlier line intact and at
 * most a torn last line. The reader skips a line that does not parse (and says so in `damaged`); the writer
 * first ends a torn last line with a newline, so the next correction starts on a line of its own.
 *
 * The journal is the source of truth for corrections: the people tables (table.ts) are derived from it and the
 * faces, and can be rebuilt from them at any time.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FaceclusterError, invalidParameter } from '../errors.ts';

/** File name of the journal inside the store folder. */
export const CORRECTIONS_FILE = 'corrections.jsonl';

/** Why a face is kept out of every person. */
export type IgnoreReason = 'ignore' | 'not-a-face';
export const IGNORE_REASONS: readonly IgnoreReason[] = ['ignore', 'not-a-face'];

/** One correction. Faces are face ids (`<photo path>#<face index>`), people are person ids. */
export type Correction =
  /** Names a person (`name: null` removes the name). */
  | { op: 'name'; person: number; name: string | null }
  /** `from` and `into` are one person: `from`'s id is retired (it points to `into`), every face listed
   * (the faces of both at the time) is confirmed in `into`. */
  | { op: 'merge'; from: number; into: number; faces: string[] }
  /** The face belongs to `to` (confirmed) and never again to `from` (null: it was in no person). */
  | { op: 'move'; face: string; from: number | null; to: number }
  /** The faces leave `person` for the new person `newPerson` (confirmed together, never back to `person`). */
  | { op: 'split'; person: number; faces: string[]; newPerson: number }
  /** The face stays out of every person (`not-a-face`: the detector was wrong). A later move brings it back. */
  | { op: 'ignore'; face: string; reason: IgnoreReason }
  /** People `a` and `b` are not one person (a "no" to "same person?"): the question is not asked again. */
  | { op: 'distinct'; a: number; b: number };

export type CorrectionOp = Correction['op'];

/** A correction as stored: with its time and its line number (1-based) in the journal. */
export type JournalEntry = Correction & { at: string; line: number };

export interface Journal {
  entries: JournalEntry[];
  /** Line numbers that did not parse (a torn last line after a kill; anything else means damage). */
  damaged: number[];
}

/** Checks one correction's shape; throws FaceclusterError naming the bad field. */
export function checkCorrection(fn: string, c: unknown): Correction {
  if (!c || typeof c !== 'object') throw invalidParameter(fn, 'correction', 'an object', c);
  const r = c as Record<string, unknown>;
  const person = (k: string) => {
    if (typeof r[k] !== 'number' || !Number.isInteger(r[k]) || (r[k] as number) < 1) throw invalidParameter(fn, `correction.${k}`, 'a person id (an integer >= 1)', r[k]);
  };
  const face = (k: string, v: unknown) => {
    if (typeof v !== 'string' || !/#\d+$/.test(v)) throw invalidParameter(fn, k, 'a face id ("<photo path>#<face index>")', v);
  };
  switch (r.op) {
    case 'name':
      person('person');
      if (r.name !== null && (typeof r.name !== 'string' || r.name.trim() === '' || /[\n\r\0]/.test(r.name))) {
        throw invalidParameter(fn, 'correction.name', 'a non-empty single-line string, or null', r.name);
      }
      break;
    case 'merge':
      person('from');
      person('into');
      if (r.from === r.into) throw invalidParameter(fn, 'correction.into', `a person other than from (${r.from})`, r.into);
      if (!Array.isArray(r.faces)) throw invalidParameter(fn, 'correction.faces', 'an array of face ids', r.faces);
      r.faces.forEach((f, i) => face(`correction.faces[${i}]`, f));
      break;
    case 'move':
      face('correction.face', r.face);
      person('to');
      if (r.from !== null) person('from');
      break;
    case 'split':
      person('person');
      person('newPerson');
      if (!Array.isArray(r.faces) || r.faces.length === 0) throw invalidParameter(fn, 'correction.faces', 'a non-empty array of face ids', r.faces);
      r.faces.forEach((f, i) => face(`correction.faces[${i}]`, f));
      break;
    case 'ignore':
      face('correction.face', r.face);
      if (!IGNORE_REASONS.includes(r.reason as IgnoreReason)) throw invalidParameter(fn, 'correction.reason', IGNORE_REASONS.map((x) => JSON.stringify(x)).join(' or '), r.reason);
      break;
    case 'distinct':
      person('a');
      person('b');
      if (r.a === r.b) throw invalidParameter(fn, 'correction.b', `a person other than a (${r.a})`, r.b);
      break;
    default:
      throw invalidParameter(fn, 'correction.op', 'one of "name", "merge", "move", "split", "ignore", "distinct"', r.op);
  }
  return c as Correction;
}

/**
 * Appends one correction to the journal of `storeDir`: one write of one line, then fsync. Returns the entry as
 * stored. Callers hold the people lock (people.ts), so lines of two processes never interleave.
 */
export function appendCorrection(storeDir: string, correction: Correction, at: Date = new Date()): JournalEntry {
  const fn = 'appendCorrection';
  checkCorrection(fn, correction);
  const path = join(storeDir, CORRECTIONS_FILE);
  const fd = openSync(path, 'a+', 0o644);
  try {
    const size = fstatSync(fd).size;
    let torn = false;
    let lines = 0;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      torn = last[0] !== 0x0a;
      lines = countLines(fd, size) + (torn ? 1 : 0);
    }
    const record = { at: at.toISOString(), ...correction };
    const line = `${torn ? '\n' : ''}${JSON.stringify(record)}\n`;
    const bytes = Buffer.from(line, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    return { ...record, line: lines + 1 } as JournalEntry;
  } finally {
    closeSync(fd);
  }
}

function countLines(fd: number, size: number): number {
  const buf = Buffer.alloc(64 * 1024);
  let n = 0;
  for (let pos = 0; pos < size;) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, size - pos), pos);
    if (got <= 0) break;
    for (let i = 0; i < got; i++) if (buf[i] === 0x0a) n++;
    pos += got;
  }
  return n;
}

/** Reads the journal of `storeDir` (empty when there is none). Lines that do not parse are skipped and listed. */
export async function readCorrections(storeDir: string): Promise<Journal> {
  const path = join(storeDir, CORRECTIONS_FILE);
  if (!existsSync(path)) return { entries: [], damaged: [] };
  const text = await readFile(path, 'utf8');
  const entries: JournalEntry[] = [];
  const damaged: number[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const rec = JSON.parse(raw) as Record<string, unknown>;
      checkCorrection('readCorrections', rec);
      if (typeof rec.at !== 'string') throw new FaceclusterError('readCorrections', 'no time');
      entries.push({ ...(rec as unknown as Correction), at: rec.at, line: i + 1 });
    } catch {
      damaged.push(i + 1);
    }
  });
  return { entries, damaged };
}
