/**
 * `facecluster run [folder]`: the main job in one command: encode the photos, cluster the faces, save one folder
 * per person, and write the HTML report. It composes the `encode`, `cluster` and `report` commands (same flags,
 * same output, same exit codes), so there is one implementation of each step.
 *
 * Output layout (all under --out, default `facecluster-out/<folder name>/` in the current directory):
 *   store/         the face store (Arrow IPC), incremental: a rerun encodes only new or changed photos
 *   people/        person-001/ ... noise/ unsorted/: face crops per person (replaced at each run)
 *   report.html    the self-contained report
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { defaultOutputDir } from '../store/layout.ts';
import { findData, faceApiSamplesDir } from '../paths.ts';
import { CLUSTER_METHOD_NAMES, DEFAULT_CLUSTER_METHOD } from '../cluster/registry.ts';
import { DEFAULT_DETECTOR } from '../detect/registry.ts';
import { DEFAULT_EMBEDDER } from '../embed/registry.ts';
import { minQualityFlag, outputFlag, parseFlags, UsageError, EXIT } from './args.ts';
import { UPDATE_PEOPLE_DEFAULTS } from '../people/assign.ts';

const MARKER = '.facecluster-run';

export const USAGE = `Usage: facecluster run [folder] [flags]

Runs every step on a folder of photos: encode (detect, align, embed) -> cluster -> save one folder of face
crops per person -> HTML report. With no folder it uses the LFW subset ($FACECLUSTER_DATA/lfw-subset/120faces,
default ../shared/data) or, when that is absent, the sample photos shipped inside @vladmandic/face-api.
The photo folder is only read.

  --out DIR          output folder (default facecluster-out/<folder name>): store/, people/, report.html
  --method M         clustering method (default ${DEFAULT_CLUSTER_METHOD}; one of ${CLUSTER_METHOD_NAMES.join(', ')})
  --detector NAME    face detector for encode (default ${DEFAULT_DETECTOR})
  --input crops      the photos are face crops: no detection (see facecluster encode --help)
  --embedder NAME    face embedder for encode (default ${DEFAULT_EMBEDDER}; see encode --help); the cluster and report
                     steps use it too
  --labels folder|none  take each photo's parent folder name as its true identity (default folder), so metrics
                     are printed and the report compares methods
  --jobs N           encode worker threads (default: number of cores)
  --min-quality Q    the face quality bar (default ${UPDATE_PEOPLE_DEFAULTS.minQuality}; 0 turns it off): a face scoring below it
                     never starts a person; it joins one only when close to its good faces, else it is
                     unsorted (people/unsorted/, the report's "Faces too poor to recognise")
  --no-report        skip the HTML report
  --recluster        cluster every face again (keeping names and corrections) instead of placing only the faces
                     of new photos in the existing people (the default once a store exists; see \`facecluster
                     people --help\`); with --method, people are not used and people/ holds that method's clusters

Exit codes: 0 ok, 1 some photos failed (listed; the rest of the run went on), 2 usage error, 3 fatal error,
130 interrupted (rerun to resume).`;

/** The folder `run` uses when none is given. */
export function defaultRunFolder(): string {
  return findData('lfw-subset/120faces') ?? faceApiSamplesDir();
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('run', argv, {
    out: { type: 'string' },
    method: { type: 'string' },
    detector: { type: 'string' },
    embedder: { type: 'string' },
    input: { type: 'string' },
    labels: { type: 'string' },
    jobs: { type: 'string' },
    'no-report': { type: 'boolean' },
    recluster: { type: 'boolean' },
    'min-quality': { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError(`facecluster run: expected at most one <folder>, got ${positionals.length}.`);
  const folder = resolve(positionals[0] ?? defaultRunFolder());
  if (!existsSync(folder)) throw new UsageError(`facecluster run: folder ${JSON.stringify(folder)} does not exist.`);
  const method = (values.method as string | undefined) ?? DEFAULT_CLUSTER_METHOD;
  if (!(CLUSTER_METHOD_NAMES as readonly string[]).includes(method)) {
    throw new UsageError(`facecluster run: --method must be one of ${CLUSTER_METHOD_NAMES.join(', ')}, got ${JSON.stringify(method)}.`);
  }
  const minQuality = minQualityFlag('run', values['min-quality']);
  const out = values.out !== undefined ? resolve(values.out as string) : defaultOutputDir(folder);
  outputFlag('run', 'out', out, folder); // before anything is created: not even the marker goes into the photo folder
  const store = join(out, 'store');
  const people = join(out, 'people');
  const report = join(out, 'report.html');
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, MARKER))) {
    throw new UsageError(`facecluster run: --out ${JSON.stringify(out)} is a non-empty folder that facecluster run did not create; choose a new or empty folder.`);
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, MARKER), `output folder of facecluster run for ${folder}\n`);
  console.log(`facecluster run: ${folder}\n  output: ${out}\n`);

  // the first of a comma list is the one the cluster and report steps use
  const embedderFlag = values.embedder !== undefined ? ['--embedder', String(values.embedder).split(',')[0]] : [];
  const step = (n: number, title: string) => console.log(`\n== ${n}/3 ${title} ==`);
  step(1, 'encode');
  const encodeArgs = [folder, '--out', store];
  for (const k of ['detector', 'input', 'embedder', 'labels', 'jobs'] as const) if (values[k] !== undefined) encodeArgs.push(`--${k}`, String(values[k]));
  const encodeCode = await (await import('./encode.ts')).run(encodeArgs);
  if (encodeCode === EXIT.interrupted || encodeCode >= EXIT.usage) return encodeCode;

  step(2, values.method === undefined ? 'people (kept across runs) and save people/' : `cluster (${method}) and save people/`);
  // people/ is ours (the marker says this folder was made by `run`): replace it, never follow a link.
  if (existsSync(people)) {
    if (lstatSync(people).isSymbolicLink()) throw new UsageError(`facecluster run: ${people} is a symbolic link; refusing to replace it.`);
    rmSync(people, { recursive: true });
  }
  // People (lib/people): ids, names and corrections kept across runs; new photos join their person. An explicit
  // --method clusters from scratch instead.
  const clusterCode = values.method === undefined
    ? await (await import('./people.ts')).savePeople(store, people, Boolean(values.recluster), minQuality)
    : await (await import('./cluster.ts')).run([store, '--method', method, '--save', people, '--crops', ...embedderFlag, ...(minQuality !== undefined ? ['--min-quality', String(minQuality)] : [])]);
  if (clusterCode >= EXIT.usage) return clusterCode;

  let reportCode: number = EXIT.ok;
  if (!values['no-report']) {
    step(3, 'report');
    // with the default method the report's own default list (the default, then Chinese Whispers and agglomerative,
    // each left out with the reason when the embedder has no distance scale for it); else the chosen method first
    const methods = values.method === undefined ? [] : ['--methods', [method, ...['chinese-whispers', 'agglomerative'].filter((m) => m !== method)].join(',')];
    reportCode = await (await import('./report.ts')).run([store, '--out', report, ...methods, ...embedderFlag, ...(minQuality !== undefined ? ['--min-quality', String(minQuality)] : [])]);
    if (reportCode >= EXIT.usage) return reportCode;
  }
  console.log(`\nDone. People: ${people}${values['no-report'] ? '' : `\nReport: ${report}`}`);
  return Math.max(encodeCode, clusterCode, reportCode);
}
