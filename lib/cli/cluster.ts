/**
 * `facecluster cluster <store|embeddings.jsonl> --method M [method flags] [--prune N] [--save DIR [--copy|--link]
 * [--crops]] [--json]`: clusters the faces, prints the number of people and the cluster sizes, the metrics when
 * identities are known, saves clusters as folders, and records the run in the store. Flag parsing only: the
 * work is done by lib (clusterBy, evaluateClustering, saveClusters, writeRun).
 */
import { FaceclusterError } from '../errors.ts';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags, intFlag, minQualityFlag, numberFlag, outputFlag, UsageError, EXIT, type OptionsSpec } from './args.ts';
import { UPDATE_PEOPLE_DEFAULTS } from '../people/assign.ts';
import { clusterGoodFaces } from '../people/poor-faces.ts';
import { NULL_SIMILARITY_BAR, NULL_SIMILARITY_BARS, nullResponseQuality } from '../quality/null-response.ts';
import { CLUSTER_METHOD_NAMES, CLUSTER_METHODS, DEFAULT_CLUSTER_METHOD, clusterBy, scaledClusterMethod, type ClusterMethod, type ClusterMethodName } from '../cluster/registry.ts';
import { EMBEDDER_SPECS, embedderDistanceScale, embedderMixtureOptions, isEmbedderName } from '../embed/registry.ts';
import { clusterAuto, explainAuto, type AutoEvidence } from '../cluster/auto.ts';
import { pruneSmallClusters } from '../cluster/prune.ts';
import { loadPrecomputedEmbeddings } from '../datasets/precomputed.ts';
import { countClusters, evaluateClustering, type ClusteringMetrics } from '../evaluate/evaluate.ts';
import { findData } from '../paths.ts';
import { openStore } from '../store/read.ts';
import { legacyStoreDir } from '../store/layout.ts';
import { writeRun } from '../store/runs.ts';
import { saveClusters, type SaveMode } from '../store/save-clusters.ts';
import type { Box } from '../types.ts';

// ---- shared by `cluster` and `tune` ---------------------------------------------------------------------

/** Faces to cluster, wherever they came from. */
export interface ClusterInput {
  /** What was read, for messages. */
  source: string;
  embeddings: Float32Array[];
  /** Identity per face when known (LFW JSONL, a store of labelled folders). */
  identities?: string[];
  /** Absolute photo path per face, when known. */
  photos?: string[];
  /** The user's photo folder (saved clusters may not go inside it). */
  photoRoot?: string;
  boxes?: Box[];
  faceIds?: string[];
  /** The store folder, when the input is a store (runs are written there). */
  storeDir?: string;
  /** Faces skipped while reading (e.g. photos without a face). */
  skipped: number;
  /** The embedder the vectors come from (a name or a fusion `a+b`; `resnet128` for JSONL files). */
  embedder: string;
  /** Each face's quality score (NaN: none), when the input is a store that has them. */
  quality?: Float32Array;
}

export const INPUT_FLAGS = {
  limit: { type: 'string' },
  photos: { type: 'string' },
  store: { type: 'string' },
  embedder: { type: 'string' },
} as const satisfies OptionsSpec;

export const INPUT_USAGE = `Input: a face store folder (written by \`facecluster encode\`; default facecluster-out/<photo folder name>/store;
an older facecluster's .facecluster/ store inside a photo folder is read too),
or a JSONL file of precomputed embeddings
(lib/datasets/precomputed.ts format, e.g. $FACECLUSTER_DATA/embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl:
the face nearest the image centre of each photo, labelled by identity).
  --limit N        read only the first N lines of a JSONL file (the first N faces of a store)
  --photos DIR     folder the face paths are relative to (default: the store's photo folder; for JSONL
                   $FACECLUSTER_DATA/lfw-deepfunneled)
  --store DIR      (cluster) store folder to record the run in (default: the input store; JSONL: not recorded)
  --embedder NAME  which of the store's embedders (encode --embedder a,b) to use, or a fusion of them a+b
                   (default: the store's main one; JSONL files hold resnet128 only)`;

/** Reads the input of `cluster` / `tune`. */
export async function readInput(command: string, path: string | undefined, values: Record<string, unknown>): Promise<ClusterInput> {
  if (!path) throw new UsageError(`facecluster ${command}: missing input: a face store folder or an embeddings .jsonl file (see --help).`);
  const limit = intFlag(command, 'limit', values.limit as string | undefined);
  if (limit !== undefined && limit < 1) throw new UsageError(`facecluster ${command}: --limit must be an integer >= 1, got ${limit}.`);
  if (!existsSync(path)) throw new UsageError(`facecluster ${command}: input ${JSON.stringify(path)} does not exist.`);
  if (statSync(path).isFile()) {
    if (values.embedder !== undefined && values.embedder !== 'resnet128') {
      throw new UsageError(`facecluster ${command}: --embedder ${JSON.stringify(values.embedder)} needs a face store; a JSONL file of precomputed embeddings holds resnet128 vectors only.`);
    }
    if (!path.endsWith('.jsonl')) throw new UsageError(`facecluster ${command}: input must be a store folder or a .jsonl file, got ${JSON.stringify(path)}.`);
    const d = await loadPrecomputedEmbeddings({ file: path, limit });
    const photoDir = (values.photos as string | undefined) ?? findData('lfw-deepfunneled');
    return {
      source: path,
      embeddings: d.embeddings,
      identities: d.identities,
      photos: photoDir ? d.files.map((f) => resolve(photoDir, f)) : undefined,
      photoRoot: photoDir,
      boxes: d.boxes,
      faceIds: d.files,
      storeDir: values.store as string | undefined,
      skipped: d.skippedNoFace,
      embedder: 'resnet128',
    };
  }
  return readStoreInput(command, path, limit, values);
}

/**
 * A face store folder (lib/store), or the photo folder holding `.facecluster/`. Identities are the store's labels
 * (`encode --labels folder`) when every face has one. Runs are recorded in the store.
 */
async function readStoreInput(command: string, dir: string, limit: number | undefined, values: Record<string, unknown>): Promise<ClusterInput> {
  let store: Awaited<ReturnType<typeof openStore>>;
  try {
    store = await openStore(dir, { embedder: values.embedder as string | undefined });
  } catch (e) {
    if (e instanceof FaceclusterError && e.param === 'embedder') throw new UsageError(`facecluster ${command}: --embedder: ${e.message}`);
    throw e;
  }
  const faces = limit === undefined ? store.faces : store.faces.slice(0, limit);
  const labelled = faces.length > 0 && faces.every((f) => f.label !== null);
  const photoFolder = (values.photos as string | undefined) ?? store.manifest.photoFolder;
  if (faces.length === 0) throw new UsageError(`facecluster ${command}: the store ${JSON.stringify(store.dir)} holds no faces.`);
  return {
    source: store.dir,
    embeddings: limit === undefined ? store.embeddings : store.embeddings.slice(0, limit),
    identities: labelled ? faces.map((f) => f.label as string) : undefined,
    photos: faces.map((f) => resolve(photoFolder, f.path)),
    photoRoot: photoFolder,
    boxes: faces.map((f) => f.box),
    faceIds: faces.map((f) => `${f.path}#${f.faceIndex}`),
    storeDir: (values.store as string | undefined) ?? store.dir,
    skipped: store.photos.filter((p) => p.status !== 'ok').length,
    embedder: store.embedder,
    ...(faces.some((f) => f.quality !== undefined) ? { quality: Float32Array.from(faces, (f) => f.quality ?? NaN) } : {}),
  };
}

/**
 * `method` as it applies to `input`'s vectors: its distance defaults and sweep values (written for resnet128)
 * rescaled by the embedder's measured distance scale (`embedderDistanceScale`), and for `auto` the embedder's
 * measured mixture constants (`embedderMixtureOptions`). `scale` is undefined for a fusion with no measured scale;
 * the method is then as written, and {@link embedderDefaults} asks for the option.
 */
export function methodFor(method: ClusterMethodName, input: Pick<ClusterInput, 'embedder'>): MethodForInput {
  const scale = embedderDistanceScale(input.embedder);
  const measured = method === 'auto' ? embedderMixtureOptions(input.embedder) : undefined;
  const base = scale === undefined ? CLUSTER_METHODS[method] : scaledClusterMethod(method, scale);
  const spec = measured ? { ...base, defaults: { ...(base.defaults as Record<string, unknown>), ...measured } } : base;
  return { name: method, spec, scale, embedder: input.embedder, embedderOptions: measured ?? {} };
}

/** Whether `embedder` has measured mixture constants of its own (else the unmeasured fallback applies). */
function embedderHasMixture(embedder: string): boolean {
  return isEmbedderName(embedder) && EMBEDDER_SPECS[embedder].mixture !== undefined;
}

/** A method resolved for an input's embedder by {@link methodFor}. */
export interface MethodForInput {
  name: ClusterMethodName;
  spec: ClusterMethod;
  /** The embedder's distance scale; undefined when it has none measured. */
  scale: number | undefined;
  embedder: string;
  /** Options whose defaults are measured per embedder besides distances (auto's mixture constants). */
  embedderOptions: Record<string, unknown>;
}

/**
 * The options of `method` the user did not set (`given`) whose defaults are measured per embedder: distances at
 * their defaults rescaled to `input`'s embedder, and the embedder's own constants (auto's mixture); a usage error
 * when a distance is needed and the embedder has no measured scale (a fusion with resnet128).
 */
export function embedderDefaults(command: string, { name: method, spec, scale, embedder, embedderOptions }: MethodForInput, given: Record<string, unknown>): Record<string, unknown> {
  const missing = Object.keys(spec.distanceOptions).filter((k) => given[k] === undefined && typeof (spec.defaults as Record<string, unknown>)[k] === 'number');
  if (missing.length > 0 && scale === undefined) {
    throw new UsageError(`facecluster ${command}: ${method}'s ${missing.map((k) => `--${kebab(k)}`).join(', ')} ${missing.length > 1 ? 'are' : 'is a'} distance${missing.length > 1 ? 's' : ''} whose default is measured per embedder, and ${JSON.stringify(embedder)} has no measured distance scale; give ${missing.map((k) => `--${kebab(k)}`).join(', ')} (or use the default method ${DEFAULT_CLUSTER_METHOD}, which needs none).`);
  }
  const own = Object.entries(embedderOptions).filter(([k]) => given[k] === undefined);
  return Object.fromEntries([...missing.map((k) => [k, (spec.defaults as Record<string, unknown>)[k]]), ...own]);
}

/** `--eps 0.4`-style flags for every option of every method, from the registry's defaults (kebab-case). */
export function methodFlags(): OptionsSpec {
  const out: OptionsSpec = {};
  for (const m of CLUSTER_METHOD_NAMES) {
    for (const key of Object.keys(CLUSTER_METHODS[m].defaults)) out[kebab(key)] = { type: 'string' };
  }
  return out;
}

/** The options of `method` set on the command line, converted to the types of its defaults. */
export function methodOptions(command: string, method: ClusterMethodName, values: Record<string, unknown>, exclude?: string): Record<string, unknown> {
  const defaults = CLUSTER_METHODS[method].defaults as Record<string, unknown>;
  const own = new Set(Object.keys(defaults).map(kebab));
  const out: Record<string, unknown> = {};
  for (const flag of Object.keys(methodFlags())) {
    const raw = values[flag];
    if (raw === undefined) continue;
    if (!own.has(flag)) {
      throw new UsageError(`facecluster ${command}: --${flag} is not an option of ${method}; its options are ${[...own].map((f) => `--${f}`).join(', ')}.`);
    }
    const key = camel(flag);
    if (key === exclude) throw new UsageError(`facecluster ${command}: --${flag} is the swept parameter; give its values with --values or --range.`);
    out[key] = convert(command, flag, raw as string, defaults[key]);
  }
  return out;
}

/**
 * A flag value converted to the type of the option's default: a number for a number default, true/false for a
 * boolean one; otherwise (a name, or null, or a union like `'median' | number`) `null` for "null", a number when
 * it reads as one, else the string. The method then checks the value and names what it accepts.
 */
export function convert(command: string, flag: string, raw: string, def: unknown): unknown {
  if (typeof def === 'number') return numberFlag(command, flag, raw);
  if (typeof def === 'boolean') {
    if (raw !== 'true' && raw !== 'false') throw new UsageError(`facecluster ${command}: --${flag} must be true or false, got ${JSON.stringify(raw)}.`);
    return raw === 'true';
  }
  if (raw === 'null') return null;
  if (raw.trim() !== '' && Number.isFinite(Number(raw))) return Number(raw);
  // an object option (auto's same-reference) is given as JSON: --same-reference '{"mean":0.62,"sd":0.3}'
  if (typeof def === 'object' && def !== null) {
    try { return JSON.parse(raw); } catch { throw new UsageError(`facecluster ${command}: --${flag} must be JSON like ${JSON.stringify(def)} or null, got ${JSON.stringify(raw)}.`); }
  }
  return raw;
}

/** The method named by --method (or `fallback` when absent), or a usage error listing the valid ones. */
export function methodFlag(command: string, value: unknown, fallback?: ClusterMethodName): ClusterMethodName {
  const valid: readonly string[] = CLUSTER_METHOD_NAMES;
  if (value === undefined && fallback) return fallback;
  if (value === undefined) throw new UsageError(`facecluster ${command}: missing --method; valid methods are ${valid.join(', ')}.`);
  if (!valid.includes(value as string)) throw new UsageError(`facecluster ${command}: unknown method ${JSON.stringify(value)}; valid methods are ${valid.join(', ')}.`);
  return value as ClusterMethodName;
}

export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camel = (s: string) => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** `0.951` style: 3 decimals, `-` for NaN. */
export const fmt = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '-' : v.toFixed(3));

// ---- cluster --------------------------------------------------------------------------------------------

export const USAGE = `Usage: facecluster cluster <store|embeddings.jsonl> [--method M] [method flags] [flags]

Clusters the faces by identity; prints the number of people found and the cluster sizes, and the metrics when
the identities are known; records the run in the store; optionally saves one folder per person.

  --method M       default ${DEFAULT_CLUSTER_METHOD} (sets its own threshold from the collection and prints why);
                   one of ${methodUsage()}
  --prune N        turn clusters of fewer than N faces into noise (-1) after clustering
  --save DIR       write person-001/ ... and noise/ folders under DIR (a new or empty folder, never inside the
                   photo folder); with --copy (default) copies of the photos, --link symbolic links, --crops
                   face crops (EXIF-upright)
  --min-quality Q  faces of a store whose quality score is below Q (default ${UPDATE_PEOPLE_DEFAULTS.minQuality}; 0 turns it off) make no
                   cluster: in a cluster with fewer than ${UPDATE_PEOPLE_DEFAULTS.minFaces} faces above Q, or where they are less than
                   ${UPDATE_PEOPLE_DEFAULTS.minGoodShare * 100}% of it, they get label -1, are counted as unsorted and saved in unsorted/.
                   An input without scores (a store encoded before them, a JSONL file): where the embedder's bar was
                   measured (${Object.keys(NULL_SIMILARITY_BARS).join(', ')}), each face is scored by its embedder's null response
                   instead (1 - cosine to it, bar ${+(1 - NULL_SIMILARITY_BAR).toFixed(3)}); Q 0 turns that off too
  --json           print one JSON object (counts, sizes, metrics, labels, run id) instead of text

${INPUT_USAGE}

Exit codes: 0 ok, 1 some photos could not be saved, 2 usage error, 3 fatal error.`;

function methodUsage(): string {
  const lines = [Object.keys(CLUSTER_METHODS).join(', ')];
  for (const [m, spec] of Object.entries(CLUSTER_METHODS)) {
    const flags = Object.entries(spec.defaults as Record<string, unknown>).map(([k, v]) => `--${kebab(k)} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    lines.push(`  ${m}: ${flags.join(' ')}`);
  }
  const distances = Object.values(CLUSTER_METHODS).flatMap((m) => Object.keys(m.distanceOptions).map((k) => `--${kebab(k)}`));
  return `${lines[0]}\nMethod flags and their defaults (the distances ${[...new Set(distances)].join(', ')} are for resnet128\nand rescaled to the store's embedder by its measured distance scale, e.g. x ${(embedderDistanceScale('mobilefacenet512') ?? 1).toFixed(2)} for mobilefacenet512):\n${lines.slice(1).map((l) => `  ${l}`).join('\n')}`;
}

export async function run(argv: string[]): Promise<number> {
  const c = 'cluster';
  const { values, positionals } = parseFlags(c, argv, {
    method: { type: 'string' },
    prune: { type: 'string' },
    save: { type: 'string' },
    copy: { type: 'boolean' },
    link: { type: 'boolean' },
    crops: { type: 'boolean' },
    json: { type: 'boolean' },
    'min-quality': { type: 'string' },
    ...INPUT_FLAGS,
    ...methodFlags(),
  });
  if (positionals.length > 1) throw new UsageError(`facecluster ${c}: one input expected, got ${positionals.length}: ${positionals.join(' ')}.`);
  const method = methodFlag(c, values.method, DEFAULT_CLUSTER_METHOD);
  const given = methodOptions(c, method, values);
  const prune = intFlag(c, 'prune', values.prune as string | undefined);
  if (prune !== undefined && prune < 1) throw new UsageError(`facecluster ${c}: --prune must be an integer >= 1, got ${prune}.`);
  const modes = (['copy', 'link', 'crops'] as const).filter((m) => values[m]);
  if (modes.length > 1) throw new UsageError(`facecluster ${c}: choose one of --copy, --link, --crops, got ${modes.map((m) => `--${m}`).join(' ')}.`);
  if (modes.length && !values.save) throw new UsageError(`facecluster ${c}: --${modes[0]} needs --save DIR.`);
  const mode: SaveMode = modes[0] ?? 'copy';
  const minQualityGiven = minQualityFlag(c, values['min-quality']);
  let minQuality = minQualityGiven ?? UPDATE_PEOPLE_DEFAULTS.minQuality;

  const input = await readInput(c, positionals[0], values);
  // no quality scores (a store encoded before them, a JSONL file): the embedder's null response tells the poor faces,
  // where its bar was measured; else every face may make a cluster, and the output says so
  let quality = input.quality ?? null;
  let qualitySource: 'store' | 'null-response' | null = quality ? 'store' : null;
  if (!quality && minQualityGiven !== 0 && input.embeddings.length > 0) {
    const told = await nullResponseQuality(input.embedder, input.embeddings);
    if (told) [quality, minQuality, qualitySource] = [told.quality, told.minQuality, 'null-response'];
  }
  const resolved = methodFor(method, input);
  const { spec, scale } = resolved;
  const options = { ...embedderDefaults(c, resolved, given), ...given };
  // Outputs are checked before anything is written: never inside the photo folder (links resolved); a store's runs
  if (values.save) outputFlag(c, 'save', values.save as string, input.photoRoot);
  // (a store that an older facecluster wrote inside the photo folder, .facecluster/, keeps its runs there)
  if (input.storeDir && input.photoRoot) outputFlag(c, 'store', input.storeDir, input.photoRoot, { allow: legacyStoreDir(input.photoRoot) });
  const t0 = performance.now();
  // faces too poor to recognise never make a cluster
  const { result, unsorted } = clusterGoodFaces(input.embeddings, quality, minQuality, (x, steering) => (method === 'auto' ? clusterAuto(x, options, steering) : clusterBy(method, x, options)),
    { minGood: UPDATE_PEOPLE_DEFAULTS.minFaces, minGoodShare: UPDATE_PEOPLE_DEFAULTS.minGoodShare });
  const seconds = (performance.now() - t0) / 1000;
  const labels = prune ? pruneSmallClusters(result, prune).labels : result.labels;
  const { nClusters, nNoise } = countClusters(labels);
  const metrics = input.identities ? evaluateClustering(labels, input.identities) : undefined;
  const evidence = (result as { evidence?: AutoEvidence }).evidence;
  const parameters = {
    ...(spec.defaults as Record<string, unknown>), ...options, ...(prune ? { prune } : {}),
    ...(evidence ? { chosenThreshold: evidence.threshold } : {}),
    ...(quality ? { minQuality } : {}),
  };

  let saved: Awaited<ReturnType<typeof saveClusters>> | undefined;
  if (values.save) {
    if (!input.photos) throw new UsageError(`facecluster ${c}: --save needs the photos; the JSONL's photo folder was not found (give --photos DIR).`);
    // unsorted faces in unsorted/, under a label no cluster has
    const saveLabels = Int32Array.from(labels);
    const unsortedLabel = labels.reduce((m, l) => Math.max(m, l), -1) + 1;
    for (const i of unsorted) saveLabels[i] = unsortedLabel;
    saved = await saveClusters(values.save as string, saveLabels, input.photos.map((photo, i) => ({ photo, box: input.boxes?.[i] })), { mode, photoRoot: input.photoRoot, names: { [unsortedLabel]: 'unsorted' } });
  }
  const storeDir = input.storeDir;
  const runRecord = storeDir
    ? await writeRun(storeDir, { method, parameters, labels, faceIds: input.faceIds, metrics, seconds, input: input.source })
    : undefined;

  const sizes = clusterSizes(labels);
  if (values.json) {
    console.log(JSON.stringify({
      input: input.source, embedder: input.embedder, distanceScale: scale ?? null, n: labels.length, skipped: input.skipped, method, parameters, seconds,
      nClusters, nNoise, unsorted: unsorted.length, quality: qualitySource, clusterSizes: sizes, metrics: metrics ? jsonMetrics(metrics) : null, evidence: evidence ?? null,
      warnings: result.warnings, run: runRecord ? join(storeDir!, 'runs', runRecord.id) : null,
      saved: saved ? { dir: saved.dir, folders: saved.folders.length, written: saved.written, failed: saved.failed } : null,
      labels: Array.from(labels),
    }));
  } else {
    console.log(`${input.source}: ${labels.length} faces${input.skipped ? ` (${input.skipped} photos without a face or unreadable, skipped)` : ''}`);
    console.log(`${method} (${Object.entries(parameters).map(([k, v]) => `${kebab(k)} ${typeof v === 'object' ? JSON.stringify(v) : v}`).join(', ')}): ${seconds.toFixed(2)} s`);
    if (evidence) for (const line of explainAuto(evidence)) console.log(`  ${line}`);
    const scaled = Object.keys(spec.distanceOptions).filter((k) => given[k] === undefined);
    if (scale !== undefined && scale !== 1 && scaled.length > 0) {
      console.log(`  ${scaled.map((k) => `${kebab(k)} ${options[k]}`).join(', ')}: the resnet128 default${scaled.length > 1 ? 's' : ''} x ${scale.toFixed(3)}, ${input.embedder}'s distance scale (LFW verification threshold ratio)`);
    }
    const own = Object.keys(resolved.embedderOptions).filter((k) => given[k] === undefined);
    if (own.length > 0) console.log(`  ${own.map((k) => `${kebab(k)} ${typeof options[k] === 'object' ? JSON.stringify(options[k]) : options[k]}`).join(', ')}: ${embedderHasMixture(input.embedder) ? `measured for ${input.embedder} (bench:transfer)` : `not measured for ${input.embedder}: the equal-spread setting for unmeasured embedders`}`);
    if (qualitySource === 'null-response') console.log(`  no quality scores in this input: faces too poor to recognise were told by ${input.embedder}'s null response instead (1 - cosine to it < ${+minQuality.toFixed(3)}; ${input.storeDir ? '`facecluster encode` adds the store\'s scores' : 'measured by bench:transfer'})`);
    else if (!quality && minQualityGiven !== 0) console.log(`  no quality scores in this input, and ${input.embedder} has no measured null-response bar: faces too poor to recognise are clustered like the others`);
    console.log(`Found ${nClusters} people (clusters) and ${nNoise} noise faces${unsorted.length ? ` (${unsorted.length} of them unsorted: too poor to recognise, ${qualitySource === 'null-response' ? 'null-response quality' : 'quality'} < ${+minQuality.toFixed(3)})` : ''}.`);
    console.log(`Cluster sizes: ${describeSizes(sizes)}`);
    for (const w of result.warnings) console.log(`Warning: ${w}`);
    if (metrics) console.log(`\nMetrics against the ${metrics.nIdentities} known identities:\n${metricsTable(metrics)}`);
    if (saved) {
      console.log(`\nSaved ${saved.folders.length} folders, ${saved.written} files, to ${saved.dir}`);
      for (const f of saved.failed) console.log(`  failed: ${f.photo}: ${f.reason}`);
    }
    if (runRecord) console.log(`Run recorded: ${join(storeDir!, 'runs', runRecord.id)}`);
  }
  if (saved && saved.failed.length) {
    console.error(`facecluster ${c}: ${saved.failed.length} of ${labels.length} faces could not be saved.`);
    return EXIT.someFailed;
  }
  return EXIT.ok;
}

/** Sizes of the clusters (noise excluded), largest first. */
function clusterSizes(labels: Int32Array): number[] {
  const size = new Map<number, number>();
  for (const l of labels) if (l >= 0) size.set(l, (size.get(l) ?? 0) + 1);
  return [...size.values()].sort((a, b) => b - a);
}

/** `19, 12, 10, 8 x2, ..., 1 x300`: largest first, runs of equal sizes folded. */
function describeSizes(sizes: number[]): string {
  if (sizes.length === 0) return '(none)';
  const parts: string[] = [];
  for (let i = 0; i < sizes.length;) {
    let j = i;
    while (j < sizes.length && sizes[j] === sizes[i]) j++;
    parts.push(j - i > 1 ? `${sizes[i]} x${j - i}` : String(sizes[i]));
    i = j;
  }
  return parts.length > 24 ? `${parts.slice(0, 20).join(', ')}, ..., ${parts.slice(-3).join(', ')}` : parts.join(', ');
}

/** The metrics as an aligned two-column text table. */
export function metricsTable(m: ClusteringMetrics): string {
  const rows: [string, string][] = [
    ['pairwise precision / recall / F1', `${fmt(m.pairwisePrecision)} / ${fmt(m.pairwiseRecall)} / ${fmt(m.pairwiseF1)}`],
    ['BCubed precision / recall / F1', `${fmt(m.bcubedPrecision)} / ${fmt(m.bcubedRecall)} / ${fmt(m.bcubedF1)}`],
    ['NMI', fmt(m.nmi)],
    ['ARI', fmt(m.ari)],
    ['homogeneity / completeness / V', `${fmt(m.homogeneity)} / ${fmt(m.completeness)} / ${fmt(m.vMeasure)}`],
    ['one-face people left alone', fmt(m.singletonShare)],
    ['majority purity (clusters >= 2)', fmt(m.majorityPurity)],
  ];
  return rows.map(([k, v]) => `  ${k.padEnd(34)} ${v}`).join('\n');
}

/** Metrics for JSON: NaN becomes null (JSON has no NaN). */
export function jsonMetrics(m: ClusteringMetrics): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) out[k] = Number.isNaN(v) ? null : v;
  return out;
}
