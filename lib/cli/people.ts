/**
 * `facecluster people <store> <subcommand> ...`: the people of a store, kept across runs, and corrections by hand.
 * Flag parsing only: the work is lib/people (updateStorePeople, namePerson, mergePeople, moveFace, splitPerson,
 * ignoreFace, markDistinct, listPeople).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { intFlag, minQualityFlag, parseFlags, UsageError, EXIT } from './args.ts';
import { FaceclusterError } from '../errors.ts';
import {
  faceStatusCounts, ignoreFace, listPeople, markDistinct, mergePeople, moveFace, namePerson, openPeople, splitPerson, updateStorePeople,
  personFolderNames, PEOPLE_CHANGE_DEFAULTS, type StorePeople,
} from '../people/people.ts';
import { UPDATE_PEOPLE_DEFAULTS } from '../people/assign.ts';
import type { FaceIndexReport } from '../people/face-index.ts';
import { readManifest } from '../store/read.ts';
import { saveClusters } from '../store/save-clusters.ts';

export const USAGE = `Usage: facecluster people <store> <subcommand> [arguments] [flags]

The people of a face store: stable ids and names, kept across runs; new photos join the person they match;
corrections by hand are journalled (corrections.jsonl) and never undone by a later run.

  list                   every person: id, name, faces (confirmed), and counts of unassigned / unsorted / new /
                         ignored faces
  show ID                one person's faces (face ids: <photo path>#<face index>)
  name ID NAME           name a person (NAME "" removes the name); named people are never removed
  merge ID OTHER         OTHER joins ID (ID keeps its id; its name, else OTHER's)
  move FACE ID           put a face in person ID for good (it never goes back where it was); un-ignores a face
  split ID FACE...       the faces leave ID for a new person (confirmed together, never back to ID)
  ignore FACE... [--not-a-face]   keep faces out of every person (--not-a-face: the detector was wrong)
  distinct ID OTHER      ID and OTHER are not one person (a "no" in \`facecluster serve\`'s review: not asked again)
  update [--recluster] [--min-quality Q]
                         place the faces encoded since the last update (\`facecluster run\` does this), or
                         cluster every face again keeping corrections, ids and names. Faces whose quality score
                         is below Q (default ${UPDATE_PEOPLE_DEFAULTS.minQuality}; 0 turns it off) never start a person: they join one only
                         when close to its good faces, else they are *unsorted* (faces moved by hand stay put)

<store> is a store folder (an older facecluster's photo folder holding .facecluster/ works too). FACE is <photo path>#<face index> as
\`show\` prints it (#0 may be left out).
  --wait SECONDS   wait this long for another \`facecluster people\` on the same store (default
                   ${PEOPLE_CHANGE_DEFAULTS.waitMs / 1000}), then give up with exit code 3
  --json           print the result as JSON

Exit codes: 0 ok, 2 usage error (names the bad argument), 3 fatal error (e.g. the store is busy).`;

const SUBCOMMANDS = ['list', 'show', 'name', 'merge', 'move', 'split', 'ignore', 'distinct', 'update'] as const;

function personArg(sub: string, what: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`facecluster people ${sub}: missing ${what} (a person id, see \`list\`).`);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) throw new UsageError(`facecluster people ${sub}: ${what} must be a person id (an integer >= 1), got ${JSON.stringify(value)}.`);
  return n;
}

function faceArg(sub: string, what: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`facecluster people ${sub}: missing ${what} (a face id <photo path>#<face index>, see \`show\`).`);
  return value;
}

function expectArgs(sub: string, args: string[], min: number, max: number, shape: string): void {
  if (args.length < min || args.length > max) {
    throw new UsageError(`facecluster people ${sub}: expected ${shape}, got ${args.length} argument${args.length === 1 ? '' : 's'}${args.length ? `: ${args.map((a) => JSON.stringify(a)).join(' ')}` : ''}.`);
  }
}

/** Parameters of the lib/people functions that are this command's arguments: an error about one is a usage error. */
const ARGUMENT_PARAMS = /^(id|into|from|to|face|faces(\[\d+\])?|name|reason|a|b)$/;

export async function run(argv: string[]): Promise<number> {
  try {
    return await runPeople(argv);
  } catch (e) {
    if (e instanceof FaceclusterError && e.param !== undefined && ARGUMENT_PARAMS.test(e.param)) throw new UsageError(`facecluster people: ${e.message}`);
    throw e;
  }
}

async function runPeople(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('people', argv, {
    wait: { type: 'string' },
    json: { type: 'boolean' },
    recluster: { type: 'boolean' },
    'not-a-face': { type: 'boolean' },
    'min-quality': { type: 'string' },
  });
  const [store, sub, ...args] = positionals;
  if (!store) throw new UsageError('facecluster people: missing <store> (a face store folder; see --help).');
  if (!existsSync(store)) throw new UsageError(`facecluster people: <store> ${JSON.stringify(store)} does not exist.`);
  if (!sub) throw new UsageError(`facecluster people: missing subcommand; one of ${SUBCOMMANDS.join(', ')}.`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`facecluster people: unknown subcommand ${JSON.stringify(sub)}; one of ${SUBCOMMANDS.join(', ')}.`);
  const wait = intFlag('people', 'wait', values.wait as string | undefined);
  if (wait !== undefined && wait < 0) throw new UsageError(`facecluster people: --wait must be an integer >= 0, got ${wait}.`);
  const opts = { waitMs: (wait ?? PEOPLE_CHANGE_DEFAULTS.waitMs / 1000) * 1000 };
  if (values.recluster && sub !== 'update') throw new UsageError(`facecluster people ${sub}: --recluster goes with \`update\`.`);
  if (values['not-a-face'] && sub !== 'ignore') throw new UsageError(`facecluster people ${sub}: --not-a-face goes with \`ignore\`.`);
  const minQuality = minQualityFlag('people', values['min-quality']);
  if (minQuality !== undefined && sub !== 'update') throw new UsageError(`facecluster people ${sub}: --min-quality goes with \`update\`.`);

  let people: StorePeople;
  let done = '';
  switch (sub) {
    case 'list':
      expectArgs(sub, args, 0, 0, 'no arguments');
      people = await openPeople(store);
      break;
    case 'show': {
      expectArgs(sub, args, 1, 1, 'ID');
      const id = personArg(sub, 'ID', args[0]);
      people = await openPeople(store);
      const person = listPeople(people).find((p) => p.id === id);
      if (!person) throw new UsageError(`facecluster people show: ID must be a person of this store (see \`list\`), got ${id}.`);
      if (values.json) console.log(JSON.stringify(person));
      else {
        console.log(`person ${person.id}${person.name ? ` "${person.name}"` : ''}: ${person.faces.length} faces (${person.confirmedFaces} confirmed), since ${person.createdAt}`);
        const status = new Map(people.state.faceIds.map((f, i) => [f, people.state.status[i]]));
        for (const f of person.faces) console.log(`  ${f}${status.get(f) === 'confirmed' ? '   (confirmed)' : ''}`);
      }
      return EXIT.ok;
    }
    case 'name':
      expectArgs(sub, args, 2, 2, 'ID NAME');
      people = await namePerson(store, personArg(sub, 'ID', args[0]), args[1].trim() === '' ? null : args[1], opts);
      done = args[1].trim() === '' ? `person ${args[0]} has no name now` : `person ${args[0]} is now "${args[1].trim()}"`;
      break;
    case 'merge': {
      expectArgs(sub, args, 2, 2, 'ID OTHER');
      const into = personArg(sub, 'ID', args[0]);
      const from = personArg(sub, 'OTHER', args[1]);
      if (into === from) throw new UsageError(`facecluster people merge: OTHER must differ from ID, got ${from} twice.`);
      people = await mergePeople(store, into, from, opts);
      done = `person ${from} merged into person ${into}`;
      break;
    }
    case 'move': {
      expectArgs(sub, args, 2, 2, 'FACE ID');
      const face = faceArg(sub, 'FACE', args[0]);
      const to = personArg(sub, 'ID', args[1]);
      people = await moveFace(store, face, to, opts);
      done = `${face} is in person ${to} for good`;
      break;
    }
    case 'split': {
      if (args.length < 2) expectArgs(sub, args, 2, Infinity, 'ID FACE...');
      const id = personArg(sub, 'ID', args[0]);
      const faces = args.slice(1).map((f, k) => faceArg(sub, `FACE ${k + 1}`, f));
      people = await splitPerson(store, id, faces, opts);
      const made = Math.max(...people.state.persons.map((p) => p.id));
      done = `${faces.length} face${faces.length === 1 ? '' : 's'} of person ${id} are now person ${made}`;
      break;
    }
    case 'ignore': {
      if (args.length < 1) expectArgs(sub, args, 1, Infinity, 'FACE...');
      const reason = values['not-a-face'] ? 'not-a-face' : 'ignore';
      people = await openPeople(store);
      for (const [k, f] of args.entries()) people = await ignoreFace(store, faceArg(sub, `FACE ${k + 1}`, f), reason, opts);
      done = `${args.length} face${args.length === 1 ? '' : 's'} ${reason === 'not-a-face' ? 'marked "not a face"' : 'ignored'}`;
      break;
    }
    case 'distinct': {
      expectArgs(sub, args, 2, 2, 'ID OTHER');
      const a = personArg(sub, 'ID', args[0]);
      const b = personArg(sub, 'OTHER', args[1]);
      if (a === b) throw new UsageError(`facecluster people distinct: OTHER must differ from ID, got ${b} twice.`);
      people = await markDistinct(store, a, b, opts);
      done = `persons ${a} and ${b} are not one person`;
      break;
    }
    case 'update': {
      expectArgs(sub, args, 0, 0, 'no arguments');
      people = await updateStorePeople(store, { recluster: Boolean(values.recluster), ...(minQuality !== undefined ? { minQuality } : {}), ...opts });
      const s = people.state.summary;
      done = (values.recluster
        ? `re-clustered ${s.faces} faces (${people.state.rule.method}, threshold ${people.state.rule.threshold}); corrections kept`
        : `${s.newFaces} new faces: ${s.joined} joined existing people, ${s.newPeople} new people; ${s.droppedFaces} faces of removed photos dropped, ${s.removedPeople} people left without faces removed`)
        + `; ${poorLine(people, minQuality)}${people.faceIndex ? `; ${indexLine(people.faceIndex)}` : ''}`;
      break;
    }
    default:
      throw new UsageError(`facecluster people: unknown subcommand ${JSON.stringify(sub)}.`);
  }
  printPeople(people, done, Boolean(values.json));
  return EXIT.ok;
}

/** What the update did with the face index kept in the store (lib/people/face-index.ts). */
function indexLine(r: FaceIndexReport): string {
  return `face index of the store ${r.how}${r.reason ? ` (${r.reason})` : ''}: ${r.added} faces added, ${r.removed} removed, ${r.size} held`;
}

/** How the quality bar went: unsorted faces, poor faces that joined a person, the bar. */
function poorLine(people: StorePeople, minQuality: number | undefined): string {
  const s = people.state.summary;
  return `${s.unsorted} unsorted, ${s.poorJoined} joined a person close to its good faces (quality bar ${minQuality ?? UPDATE_PEOPLE_DEFAULTS.minQuality})`;
}

function printPeople(people: StorePeople, done: string, json: boolean): void {
  const list = listPeople(people);
  const counts = faceStatusCounts(people);
  if (json) {
    console.log(JSON.stringify({ store: people.storeDir, done, people: list.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt, faces: p.faces.length, confirmedFaces: p.confirmedFaces })), faces: counts, summary: people.state.summary, damagedCorrections: people.damagedCorrections }));
    return;
  }
  if (done) console.log(`${done}.`);
  console.log(`${people.storeDir}: ${list.length} people; ${people.state.faceIds.length} faces (${counts.confirmed} confirmed, ${counts.unassigned} unassigned, ${counts.unsorted} unsorted (too poor to recognise), ${counts.new} new, ${counts.ignored + counts['not-a-face']} ignored)`);
  if (!people.faces.some((f) => f.quality !== undefined) && people.faces.length > 0) console.log(`  this store has no quality scores yet (encoded by an older facecluster): \`facecluster encode\` adds them (no detection), then poor faces stay out of people.`);
  if (counts.new > 0) console.log(`  ${counts.new} faces encoded since the last update are not placed yet: \`facecluster people ${people.storeDir} update\`.`);
  if (people.damagedCorrections.length) console.log(`  warning: corrections.jsonl lines ${people.damagedCorrections.join(', ')} do not parse (torn by a kill?) and were skipped.`);
  const shown = list.slice(0, 60);
  for (const p of shown) console.log(`  ${String(p.id).padStart(5)}  ${String(p.faces.length).padStart(4)} faces${p.confirmedFaces ? ` (${p.confirmedFaces} confirmed)` : ''}  ${p.name ?? ''}`);
  if (list.length > shown.length) console.log(`  ... ${list.length - shown.length} more (--json lists all)`);
}

/**
 * `facecluster run`'s people step: updates the store's people (incremental, or `recluster`) and saves one folder
 * of face crops per person under `dir` (named `<name> (person-<id>)` or `person-<id>`; unplaced faces in
 * `noise/`). Returns the exit code.
 */
export async function savePeople(store: string, dir: string, recluster: boolean, minQuality?: number): Promise<number> {
  const people = await updateStorePeople(store, { recluster, ...(minQuality !== undefined ? { minQuality } : {}) });
  const s = people.state.summary;
  console.log(recluster
    ? `Re-clustered ${s.faces} faces (${people.state.rule.method}, threshold ${people.state.rule.threshold}), corrections kept.`
    : `${s.newFaces} new faces: ${s.joined} joined existing people, ${s.newPeople} new people; ${s.droppedFaces} faces of removed photos dropped.`);
  console.log(`Faces too poor to recognise: ${poorLine(people, minQuality)}.`);
  if (people.faceIndex) console.log(`The ${indexLine(people.faceIndex)}.`);
  for (const w of s.warnings ?? []) console.log(`Note: ${w}`);
  printPeople(people, '', false);
  const photoFolder = (await readManifest(people.storeDir)).photoFolder;
  // unsorted faces (too poor to recognise) get a folder of their own, `unsorted/`, under a label no person has
  const unsortedLabel = people.state.nextId;
  const labels = Int32Array.from(people.state.personOf, (p, i) => (people.state.status[i] === 'unsorted' ? unsortedLabel : p));
  const saved = await saveClusters(dir, labels, people.faces.map((f) => ({ photo: resolve(photoFolder, f.path), box: f.box })), {
    mode: 'crops', photoRoot: photoFolder, names: { ...personFolderNames(people), [unsortedLabel]: 'unsorted' },
  });
  console.log(`\nSaved ${saved.folders.length} folders, ${saved.written} files, to ${saved.dir}`);
  for (const f of saved.failed) console.log(`  failed: ${f.photo}: ${f.reason}`);
  return saved.failed.length ? EXIT.someFailed : EXIT.ok;
}
