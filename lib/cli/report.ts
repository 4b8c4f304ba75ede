/**
 * `facecluster report <store|embeddings.jsonl> [--out report.html] [flags]`: writes one self-contained HTML
 * report (map, sweeps, metrics, galleries, errors). Flag parsing only: input reading is shared with `cluster` and
 * `tune` (readInput), clustering and sweeps are lib (clusterBy, sweep), the page is lib/viz/report.ts.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseFlags, intFlag, minQualityFlag, outputFlag, UsageError, EXIT } from './args.ts';
import { UPDATE_PEOPLE_DEFAULTS } from '../people/assign.ts';
import { convert, embedderDefaults, INPUT_FLAGS, INPUT_USAGE, kebab, methodFlags, methodFor, readInput } from './cluster.ts';
import { CLUSTER_METHOD_NAMES, CLUSTER_METHODS, DEFAULT_CLUSTER_METHOD, clusterBy, type ClusterMethodName } from '../cluster/registry.ts';
import { cutTree } from '../cluster/agglomerative.ts';
import type { AutoClusterResult } from '../cluster/auto.ts';
import { leastCertain } from '../cluster/least-certain.ts';
import { evaluateClustering } from '../evaluate/evaluate.ts';
import { sweep, sweepTable } from '../evaluate/sweep.ts';
import { REDUCERS, type ReducerName } from '../reduce/registry.ts';
import { buildReport, REPORT_DEFAULTS, type ReportClustering, type ReportSweep } from '../viz/report.ts';
import type { SweepRow } from '../viz/sweep.ts';
import { hasPeople, openPeople } from '../people/people.ts';

const DEFAULT_METHODS: ClusterMethodName[] = [DEFAULT_CLUSTER_METHOD, 'chinese-whispers', 'agglomerative'];

export const USAGE = `Usage: facecluster report <store|embeddings.jsonl> [--out report.html] [flags]

Writes one self-contained HTML file (no network needed to view it): a 2-D map of the faces coloured by cluster
and by identity with each face's thumbnail on hover, the metrics of every method side by side, sweep curves with
a slider, the same/different-person distance histogram, the cluster size distribution, a montage per cluster and
the errors (impure clusters, people split across clusters) with the faces shown.

  --out FILE        where to write the report (default: report.html); never inside the photo folder
  --methods A,B     clustering methods to compare, the first drives the map colours, galleries and decisions
                    (default: ${DEFAULT_METHODS.join(',')}; valid: ${CLUSTER_METHOD_NAMES.join(', ')}); each runs at its
                    defaults (and flags); ${DEFAULT_CLUSTER_METHOD} also draws how it chose its cut
  --no-sweep        with known identities each method (but ${DEFAULT_CLUSTER_METHOD}) is also swept over its usual values and
                    its best value is shown beside its default, named "best with labels"; --no-sweep skips that
  --reducer R       map projection: ${REDUCERS.join(', ')} (default: ${REPORT_DEFAULTS.reducer})
  --seed N          seed of the map, and of the methods that take one (default: ${REPORT_DEFAULTS.seed})
  --title TEXT      page title
  --min-quality Q   the face quality bar (default ${UPDATE_PEOPLE_DEFAULTS.minQuality}): the section "Faces too poor to recognise" shows
                    the people's unsorted faces, or with no people yet the faces scoring below Q
  [method flags]    fixed options of the methods, e.g. --min-samples 3 (see facecluster cluster --help)

${INPUT_USAGE}

Exit codes: 0 ok, 1 some thumbnails could not be made (listed), 2 usage error, 3 fatal error.`;

export async function run(argv: string[]): Promise<number> {
  const c = 'report';
  const { values, positionals } = parseFlags(c, argv, {
    out: { type: 'string' },
    methods: { type: 'string' },
    'no-sweep': { type: 'boolean' },
    reducer: { type: 'string' },
    seed: { type: 'string' },
    title: { type: 'string' },
    'min-quality': { type: 'string' },
    ...INPUT_FLAGS,
    ...methodFlags(),
  });
  if (positionals.length > 1) throw new UsageError(`facecluster ${c}: one input expected, got ${positionals.length}: ${positionals.join(' ')}.`);
  const methods = ((values.methods as string | undefined) ?? DEFAULT_METHODS.join(',')).split(',').map((m) => m.trim()).filter(Boolean);
  for (const m of methods) {
    if (!(CLUSTER_METHOD_NAMES as readonly string[]).includes(m)) throw new UsageError(`facecluster ${c}: unknown method ${JSON.stringify(m)}; valid methods are ${CLUSTER_METHOD_NAMES.join(', ')}.`);
  }
  if (methods.length === 0) throw new UsageError(`facecluster ${c}: --methods must name at least one method.`);
  const reducer = ((values.reducer as string | undefined) ?? REPORT_DEFAULTS.reducer) as ReducerName;
  if (!REDUCERS.includes(reducer)) throw new UsageError(`facecluster ${c}: --reducer must be one of ${REDUCERS.join(', ')}, got ${JSON.stringify(reducer)}.`);
  const seed = intFlag(c, 'seed', values.seed as string | undefined);
  if (seed !== undefined && seed < 0) throw new UsageError(`facecluster ${c}: --seed must be an integer >= 0, got ${seed}.`);
  // Method flags: each goes to the methods that have that option; a flag no chosen method has is an error.
  const fixed = new Map<ClusterMethodName, Record<string, unknown>>(methods.map((m) => [m as ClusterMethodName, {}]));
  for (const flag of Object.keys(methodFlags())) {
    const raw = (values as Record<string, unknown>)[flag] as string | undefined;
    if (raw === undefined) continue;
    const takers = methods.filter((m) => Object.keys(CLUSTER_METHODS[m as ClusterMethodName].defaults).map(kebab).includes(flag));
    if (takers.length === 0 && flag === 'seed') continue; // --seed also seeds the map
    if (takers.length === 0) throw new UsageError(`facecluster ${c}: --${flag} is not an option of ${methods.join(' or ')}.`);
    for (const m of takers) {
      const key = flag.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());
      fixed.get(m as ClusterMethodName)![key] = convert(c, flag, raw, (CLUSTER_METHODS[m as ClusterMethodName].defaults as Record<string, unknown>)[key]);
    }
  }

  const input = await readInput(c, positionals[0], values);
  const out = resolve((values.out as string | undefined) ?? 'report.html');
  outputFlag(c, 'out', out, input.photoRoot); // the store's photo folder (or --photos), links resolved
  const n = input.embeddings.length;
  console.error(`${input.source}: ${n} faces${input.skipped ? ` (${input.skipped} skipped)` : ''}`);

  const clusterings: ReportClustering[] = [];
  const sweeps: ReportSweep[] = [];
  let evidence: AutoClusterResult['evidence'] | undefined;
  let evidenceWithLabels: { bcubedF1: number[]; pairwiseF1: number[] } | undefined;
  let decisions: ReturnType<typeof leastCertain> | undefined;
  for (const [k, name] of (methods as ClusterMethodName[]).entries()) {
    const resolved = methodFor(name, input);
    const { spec, scale } = resolved;
    const given = fixed.get(name)!;
    const unscaled = Object.keys(spec.distanceOptions).filter((key) => given[key] === undefined);
    if (scale === undefined && unscaled.length > 0 && values.methods === undefined) {
      // a default method whose distance defaults have no measured scale for this embedder: left out, not guessed
      console.error(`${name}: left out: ${input.embedder} has no measured distance scale for its ${unscaled.map((key) => `--${kebab(key)}`).join(', ')} (name it in --methods with a value to include it)`);
      continue;
    }
    const options = { ...embedderDefaults(c, resolved, given), ...given };
    const parameter = spec.sweep.parameter;
    // the method as the user gets it: defaults and flags, no labels
    let t = performance.now();
    const r = clusterBy(name, input.embeddings, options);
    console.error(`${name}: ${r.nClusters} clusters in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    for (const w of r.warnings) console.error(`${name}: warning: ${w}`);
    const auto = (r as AutoClusterResult).evidence ? (r as AutoClusterResult) : undefined;
    if (auto) {
      clusterings.push({ name: `${name} (chose threshold ${auto.evidence.threshold.toFixed(3)})`, labels: r.labels, parameter: 'threshold', value: auto.evidence.threshold });
      if (k === 0) {
        evidence = auto.evidence;
        if (input.identities) {
          const cuts = auto.evidence.curve.threshold.map((th) => evaluateClustering(cutTree(auto.tree, { distanceThreshold: th }).labels, input.identities!));
          evidenceWithLabels = { bcubedF1: cuts.map((m) => m.bcubedF1), pairwiseF1: cuts.map((m) => m.pairwiseF1) };
        }
      }
    } else {
      const value = (options[parameter] ?? (spec.defaults as Record<string, unknown>)[parameter]) as number;
      clusterings.push({ name: `${name} (${parameter} ${value})`, labels: r.labels, parameter, value: typeof value === 'number' ? value : undefined });
    }
    if (k === 0) decisions = leastCertain(input.embeddings, r.labels, { mixture: auto?.evidence.mixture ?? null });
    if (input.identities && !values['no-sweep'] && given[parameter] === undefined && name !== DEFAULT_CLUSTER_METHOD && !(scale === undefined && parameter in spec.distanceOptions)) {
      t = performance.now();
      const { [parameter]: _swept, ...others } = options;
      const s = sweep(name, parameter, spec.sweep.values, input.embeddings, input.identities, { methodOptions: others });
      const best = s.recommended!;
      console.error(`${name}: swept ${parameter} over ${spec.sweep.values.length} values in ${((performance.now() - t) / 1000).toFixed(1)} s; best BCubed F with the labels ${best.score.toFixed(3)} at ${parameter} ${best.value}`);
      clusterings.push({ name: `${name}, best with labels (${parameter} ${best.value})`, labels: s.rows[best.index].labels, parameter, value: Number(best.value) });
      const rows = sweepTable(s).filter((row) => typeof row.value === 'number') as unknown as SweepRow[];
      sweeps.push({ name: `${name} (with labels)`, parameter, rows, chosen: Number(best.value) });
    }
  }

  // The store's people (lib/people), when it has them, come first: their names caption the galleries. Faces too
  // poor to recognise: the people's unsorted faces, else (no people yet) the faces below the bar.
  const minQuality = minQualityFlag(c, values['min-quality']) ?? UPDATE_PEOPLE_DEFAULTS.minQuality;
  let unsorted: { face: number; quality: number }[] | undefined;
  if (input.quality && minQuality > 0) unsorted = [...input.quality.keys()].filter((i) => input.quality![i] < minQuality).map((i) => ({ face: i, quality: input.quality![i] }));
  if (input.storeDir && input.faceIds && (await hasPeople(input.storeDir).catch(() => false))) {
    const people = await openPeople(input.storeDir);
    const index = new Map(people.state.faceIds.map((f, i) => [f, i]));
    const labels = Int32Array.from(input.faceIds, (f) => people.state.personOf[index.get(f) ?? -1] ?? -1);
    if (input.quality) unsorted = [...input.faceIds.keys()].filter((i) => people.state.status[index.get(input.faceIds![i]) ?? -1] === 'unsorted').map((i) => ({ face: i, quality: input.quality![i] }));
    const names = Object.fromEntries(people.state.persons.map((p) => [p.id, p.name ? `${p.name} (person ${p.id})` : `person ${p.id}`]));
    clusterings.unshift({ name: 'people (names and corrections kept across runs)', labels, clusterNames: names });
    // The people come first, so the decisions to check are theirs (the questions `facecluster serve` asks).
    decisions = leastCertain(input.embeddings, labels, { mixture: evidence?.mixture ?? null });
  }

  const faces = input.embeddings.map((_, i) => ({
    file: input.faceIds?.[i] ?? input.photos?.[i] ?? `face ${i}`,
    path: input.photos?.[i],
    box: input.boxes?.[i],
    identity: input.identities?.[i],
  }));
  let lastShown = 0;
  const { html, warnings } = await buildReport(
    { faces, embeddings: input.embeddings, clusterings, sweeps, evidence, evidenceWithLabels, decisions, ...(unsorted ? { unsorted, minQuality } : {}) },
    {
      title: (values.title as string | undefined) ?? `facecluster report: ${input.source}`,
      reducer,
      seed,
      onProgress: (done, total) => {
        if (done === total || done - lastShown >= 500) {
          lastShown = done;
          console.error(`thumbnails ${done}/${total}`);
        }
      },
    },
  );
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
  for (const w of warnings) console.error(`warning: ${w}`);
  console.log(`Wrote ${out} (${(html.length / 1e6).toFixed(1)} MB): ${n} faces, ${clusterings.length} clustering(s)${warnings.length ? `, ${warnings.length} thumbnail(s) failed` : ''}.`);
  return warnings.length ? EXIT.someFailed : EXIT.ok;
}
