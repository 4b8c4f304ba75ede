/**
 * `facecluster export <store> [--format parquet|csv] [--out DIR]`: the store's faces, vectors and people as
 * Parquet or CSV files that DuckDB, pandas and Polars read as they come. Flag parsing only: the work is
 * lib/store/export.ts (exportStore); people come from lib/people (openPeople), the cluster labels from the
 * store's latest run.
 */
import { dirname, join, relative } from 'node:path';
import { outputFlag, parseFlags, UsageError } from './args.ts';
import { EXIT } from './main.ts';
import { resolveStoreDir } from '../store/layout.ts';
import { readManifest } from '../store/read.ts';
import { exportStore, EXPORT_DEFAULTS, EXPORT_FORMATS, type ExportFormat } from '../store/export.ts';
import { hasPeople, openPeople } from '../people/people.ts';

export const USAGE = `Usage: facecluster export <store> [--format parquet|csv] [--out DIR]

Writes the faces of a face store, with their people and the labels of the latest clustering run, as files every
data tool reads as they come (DuckDB, pandas, Polars, Spark):
  faces.parquet    one row per face: face_id, path, face_index, x, y, width, height, score, [quality], label,
                   person_id, person_name, person_status, cluster, embedding (list of float32)
  people.parquet   one row per person: person_id, name, faces, confirmed_faces, created_at (when the store has people)
With --format csv: faces.csv (the same columns but the embedding), embeddings.csv (face_id, e0 .. e<d-1>) and
people.csv.

  --format F   ${EXPORT_FORMATS.join(' or ')} (default: ${EXPORT_DEFAULTS.format})
  --out DIR    the folder to write into (default: export/ beside the store folder); never inside the photo folder

<store> is a store folder (an older facecluster's photo folder holding .facecluster/ works too).

Exit codes: 0 ok, 2 usage error, 3 fatal error.`;

export async function run(argv: string[]): Promise<number> {
  const c = 'export';
  const { values, positionals } = parseFlags(c, argv, { format: { type: 'string' }, out: { type: 'string' } });
  if (positionals.length !== 1) throw new UsageError(`facecluster ${c}: one store expected, got ${positionals.length}${positionals.length ? `: ${positionals.join(' ')}` : ''}.`);
  const format = ((values.format as string | undefined) ?? EXPORT_DEFAULTS.format) as ExportFormat;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`facecluster ${c}: --format must be one of ${EXPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}.`);
  // The store is not opened (one object per face): the export reads its columns itself.
  const storeDir = resolveStoreDir(positionals[0]);
  const manifest = await readManifest(storeDir);
  const out = (values.out as string | undefined) ?? join(dirname(storeDir), 'export');
  outputFlag(c, 'out', out, manifest.photoFolder || undefined); // a usage error (exit 2) before any work
  const people = (await hasPeople(storeDir)) ? (await openPeople(storeDir)).state : null;
  const t0 = performance.now();
  const r = await exportStore(storeDir, out, { format, people });
  const seconds = (performance.now() - t0) / 1000;
  for (const f of r.files) console.log(`wrote ${relative(process.cwd(), f).startsWith('..') ? f : relative(process.cwd(), f)}`);
  console.log(`${r.faces} faces (${r.dimension}-d vectors), ${r.people} people${people ? '' : ' (the store has none yet: `facecluster people <store> update`)'}, clusters of run ${r.run ?? '(none)'}; ${seconds.toFixed(1)} s.`);
  return EXIT.ok;
}
