/**
 * `facecluster tune <store|embeddings.jsonl> --method M [--param P] [--values a,b,c | --range lo:hi:step]
 * [--select SCORE] [method flags] [--json]`: runs a parameter sweep (lib/evaluate/sweep.ts), prints one row per
 * value and the recommended value. Flag parsing only.
 */
import { parseFlags, UsageError, EXIT } from './args.ts';
import { CLUSTER_METHOD_NAMES, CLUSTER_METHODS } from '../cluster/registry.ts';
import { SCORE_NAMES, type ScoreName } from '../evaluate/evaluate.ts';
import { rangeValues, sweep } from '../evaluate/sweep.ts';
import { FaceclusterError } from '../errors.ts';
import { embedderDistanceScale } from '../embed/registry.ts';
import { camel, convert, embedderDefaults, fmt, INPUT_FLAGS, INPUT_USAGE, jsonMetrics, kebab, methodFlag, methodFor, methodFlags, methodOptions, readInput } from './cluster.ts';

export const USAGE = `Usage: facecluster tune <store|embeddings.jsonl> --method M [--param P] [--values a,b,c | --range lo:hi:step] [flags]

Clusters once per value of one parameter and prints, per value, the number of clusters, the noise share, the
time and (when identities are known) pairwise F, BCubed F and NMI; then the recommended value (best --select
score). Without identities no value is recommended: look for where the number of clusters levels off.

  --method M       ${CLUSTER_METHOD_NAMES.join(', ')}
  --param P        the parameter to sweep, kebab-case (default: the method's main one, below)
  --values a,b,c   the values to try (default: the method's sweep values, below)
  --range lo:hi:step  values lo, lo+step, ... up to hi
  --select SCORE   score to maximise: ${SCORE_NAMES.join(', ')} (default bcubedF1)
  --json           print the sweep as one JSON object
  other method flags (e.g. --metric cosine) fix the method's other options; see facecluster cluster --help.

Default sweeps (distances for resnet128; rescaled to the input's embedder by its measured distance scale,
e.g. x ${(embedderDistanceScale('mobilefacenet512') ?? 1).toFixed(2)} for mobilefacenet512):
${Object.values(CLUSTER_METHODS).map((m) => `  ${m.name}: --${kebab(m.sweep.parameter)} ${m.sweep.values.join(',')} (larger: ${m.sweep.effect})`).join('\n')}

${INPUT_USAGE}

Exit codes: 0 ok, 2 usage error, 3 fatal error.`;

export async function run(argv: string[]): Promise<number> {
  const c = 'tune';
  const { values, positionals } = parseFlags(c, argv, {
    method: { type: 'string' },
    param: { type: 'string' },
    values: { type: 'string' },
    range: { type: 'string' },
    select: { type: 'string' },
    json: { type: 'boolean' },
    ...INPUT_FLAGS,
    ...methodFlags(),
  });
  if (positionals.length > 1) throw new UsageError(`facecluster ${c}: one input expected, got ${positionals.length}: ${positionals.join(' ')}.`);
  const method = methodFlag(c, values.method);
  const defaults = CLUSTER_METHODS[method].defaults as Record<string, unknown>;
  const preset = CLUSTER_METHODS[method].sweep;
  const parameter = values.param !== undefined ? camel(values.param as string) : preset.parameter;
  if (!Object.prototype.hasOwnProperty.call(defaults, parameter)) {
    throw new UsageError(`facecluster ${c}: --param must be an option of ${method} (${Object.keys(defaults).map(kebab).join(', ')}), got ${JSON.stringify(values.param)}.`);
  }
  if (values.values !== undefined && values.range !== undefined) throw new UsageError(`facecluster ${c}: give --values or --range, not both.`);
  const select = (values.select ?? 'bcubedF1') as ScoreName;
  if (!SCORE_NAMES.includes(select)) throw new UsageError(`facecluster ${c}: --select must be one of ${SCORE_NAMES.join(', ')}, got ${JSON.stringify(values.select)}.`);
  let list: (number | string)[];
  if (values.values !== undefined) {
    list = (values.values as string).split(',').map((v) => convert(c, kebab(parameter), v.trim(), defaults[parameter]) as number | string);
  } else if (values.range !== undefined) {
    const parts = (values.range as string).split(':').map(Number);
    if (parts.length !== 3 || !parts.every(Number.isFinite)) throw new UsageError(`facecluster ${c}: --range must be lo:hi:step, got ${JSON.stringify(values.range)}.`);
    try { list = rangeValues(parts[0], parts[1], parts[2]); } catch (e) {
      if (e instanceof FaceclusterError) throw new UsageError(`facecluster ${c}: --range ${values.range}: ${e.message}`);
      throw e;
    }
  } else if (parameter === preset.parameter) {
    list = []; // the preset, rescaled to the input's embedder below
  } else {
    throw new UsageError(`facecluster ${c}: --param ${kebab(parameter)} needs --values or --range.`);
  }
  const given = methodOptions(c, method, values, parameter);
  const input = await readInput(c, positionals[0], values);
  const resolved = methodFor(method, input);
  const { spec, scale } = resolved;
  if (values.values === undefined && values.range === undefined) {
    if (scale === undefined && parameter in spec.distanceOptions) {
      throw new UsageError(`facecluster ${c}: ${JSON.stringify(input.embedder)} has no measured distance scale, so ${method}'s default --${kebab(parameter)} values (written for resnet128) do not apply; give --values or --range.`);
    }
    list = [...spec.sweep.values];
  }
  const fixed = { ...embedderDefaults(c, resolved, { ...given, [parameter]: 0 }), ...given };
  if (values.values === undefined && values.range === undefined && parameter === 'nClusters') {
    // The registry's default counts are sized for large collections: keep those the input can have.
    list = list.filter((v) => (v as number) <= input.embeddings.length);
    if (list.length === 0) throw new UsageError(`facecluster ${c}: every default --n-clusters value exceeds the ${input.embeddings.length} faces; give --values or --range.`);
  }
  const s = sweep(method, parameter, list, input.embeddings, input.identities, { methodOptions: fixed, select });

  if (values.json) {
    console.log(JSON.stringify({
      input: input.source, embedder: input.embedder, distanceScale: scale ?? null, n: input.embeddings.length, method, parameter, select, fixed,
      rows: s.rows.map(({ labels: _labels, ...r }) => ({ ...r, metrics: r.metrics ? jsonMetrics(r.metrics) : null })),
      recommended: s.recommended ?? null,
    }));
    return EXIT.ok;
  }
  console.log(`${input.source}: ${input.embeddings.length} faces; sweeping ${method} --${kebab(parameter)}${Object.keys(fixed).length ? ` (fixed: ${Object.entries(fixed).map(([k, v]) => `--${kebab(k)} ${v}`).join(' ')})` : ''}`);
  if (scale !== undefined && scale !== 1 && values.values === undefined && values.range === undefined && parameter in spec.distanceOptions) {
    console.log(`(the default --${kebab(parameter)} values are resnet128's x ${scale.toFixed(3)}, ${input.embedder}'s distance scale)`);
  }
  // The --select score gets its own column unless it is one of the three always shown.
  const extra = ['pairwiseF1', 'bcubedF1', 'nmi'].includes(select) ? [] : [select];
  const header = [kebab(parameter), 'clusters', 'noise', 'pairwise F', 'BCubed F', 'NMI', ...extra, 'seconds'];
  const rows = s.rows.map((r, i) => [
    String(r.value), String(r.nClusters), `${(100 * r.noiseShare).toFixed(1)}%`,
    fmt(r.metrics?.pairwiseF1), fmt(r.metrics?.bcubedF1), fmt(r.metrics?.nmi), ...extra.map((k) => fmt(r.metrics?.[k])), r.seconds.toFixed(2),
  ].map((cell, k) => (k === 0 && s.recommended?.index === i ? `${cell} *` : cell)));
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  if (s.recommended) console.log(`\nRecommended: --${kebab(parameter)} ${s.recommended.value} (best ${select} ${fmt(s.recommended.score)})`);
  else console.log('\nNo identities in the input: nothing to score, no recommendation. Pick the value where the number of clusters levels off.');
  return EXIT.ok;
}
