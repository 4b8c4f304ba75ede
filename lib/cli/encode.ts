/**
 * `facecluster encode <folder>`: detect, align and embed the faces of a photo folder into its face store.
 * Flag parsing and printing only; the work is `encodeFolder` (lib/pipeline/encode-folder.ts).
 */
import { resolve } from 'node:path';
import { LANDMARKER_NAMES } from '../detect/landmarkers.ts';
import { DETECTOR_NAMES } from '../detect/registry.ts';
import { EMBEDDER_NAMES } from '../embed/registry.ts';
import { ENCODE_FOLDER_DEFAULTS, encodeFolder, type EncodeFolderSummary, type EncodeProgressInfo } from '../pipeline/encode-folder.ts';
import { defaultStoreDir } from '../store/layout.ts';
import { intFlag, numberFlag, outputFlag, parseFlags, UsageError, EXIT } from './args.ts';
import { createProgress } from './progress.ts';

export const USAGE = `Usage: facecluster encode <folder> [flags]

Finds the faces in every photo below <folder> (JPEG, PNG, WebP, TIFF, GIF, HEIC, AVIF, PGM/PPM, BMP; by
content, not by extension), aligns and embeds them,
and writes the face store (Apache Arrow: faces.arrow, photos.arrow, manifest.json) to
facecluster-out/<folder name>/store/ in the current directory (where \`facecluster run\` keeps it too) or --out. A rerun encodes only new or changed photos; changed models or parameters re-encode everything.
Bad files are listed with the reason and skipped; the photo folder itself is never written to.

Flags:
  --out DIR              store folder (default facecluster-out/<folder name>/store; must be outside <folder>)
  --detector NAME        ${DETECTOR_NAMES.join(' | ')} (default ${ENCODE_FOLDER_DEFAULTS.detector})
  --input photos|crops   crops: every photo is one face crop, no detection (same as --detector whole-image;
                         68 landmarks found on the whole image); for datasets known to be crops (default photos:
                         faces that fill the frame are found anyway, by a second look with a border)
  --embedder NAME[,NAME] ${EMBEDDER_NAMES.join(' | ')} (default ${ENCODE_FOLDER_DEFAULTS.embedder}); several, comma-
                         separated, store one vector per face for each. On an existing store an embedder it
                         lacks is added from the stored detections (no photo is detected again); its first
                         embedder stays the main one (pick another with cluster/tune/report --embedder)
  --landmarker NAME      ${LANDMARKER_NAMES.join(' | ')} (default ${ENCODE_FOLDER_DEFAULTS.landmarker}): the 68-point net run on
                         each box of a detector without landmarks (all but mtcnn); the 5 alignment points come
                         from its 68. faceplugin68: faster, fetched with mobilefacenet512 (models/README.md)
  --min-score S          minimum detection score in [0, 1] (default: the detector's: 0.7 for ultraface, 0.5 for
                         ssd-mobilenet/tiny, 0 for mtcnn, whose O-Net threshold 0.7 already filters)
  --mtcnn-weights DIR    folder with det1.npy det2.npy det3.npy (default $FACECLUSTER_MTCNN_WEIGHTS, else
                         $FACECLUSTER_MODELS/mtcnn; see models/README.md)
  --min-face PX          minimum face size, shorter box side in original pixels (default 0)
  --labels folder|none   label faces with their photo's parent folder name (default folder)
  --jobs N               worker threads (default: number of cores, ${ENCODE_FOLDER_DEFAULTS.jobs} here)
  --batch-size N         photos per committed batch (default ${ENCODE_FOLDER_DEFAULTS.batchSize}; with --queue: photos per job)
  --queue redis://HOST:PORT[/DB]
                         encode on \`facecluster worker\` processes of any machines that see <folder> and the store
                         through a BullMQ queue on this Redis, instead of the local pool (see README "Many machines");
                         rediss:// for TLS; a password in the URL (never printed) or in $FACECLUSTER_QUEUE_PASSWORD
  --queue-name NAME      BullMQ queue name (default facecluster-encode); one per concurrent encode
  --queue-clear          drop unfinished jobs of another encode found on the queue instead of refusing
  --queue-secret-file F  file holding the secret shared with the workers (>= 16 bytes: openssl rand -hex 32);
                         jobs are signed with it and workers refuse any other. Default $FACECLUSTER_QUEUE_SECRET;
                         without either, only a Redis on this machine (127.0.0.1, localhost, ::1) is accepted
  --queue-ca-file F      PEM certificate of the authority that signed the server's certificate (rediss:// only)
  --redis-timeout S      stop (resumable) when Redis does not answer for S seconds (default 60)
  -h, --help             this help

Exit codes: 0 all photos read, 1 some photos failed (listed), 2 usage error, 3 fatal, 130 interrupted
(photos finished before Ctrl-C are kept; rerun to resume).`;

/** The flags of the encode settings, shared with `facecluster worker` (whose settings must match). */
export const ENCODER_FLAGS = {
  detector: { type: 'string' },
  input: { type: 'string' },
  embedder: { type: 'string' },
  landmarker: { type: 'string' },
  'min-score': { type: 'string' },
  'min-face': { type: 'string' },
  'mtcnn-weights': { type: 'string' },
  labels: { type: 'string' },
  jobs: { type: 'string' },
} as const;

/** Checks the encode-setting flags of `command` (see ENCODER_FLAGS); throws UsageError naming the flag. */
export function encoderFlagOptions(command: string, values: Record<string, unknown>) {
  let detector = values.detector as string | undefined;
  const input = values.input as string | undefined;
  if (input !== undefined && input !== 'photos' && input !== 'crops') {
    throw new UsageError(`facecluster ${command}: --input must be photos or crops, got ${JSON.stringify(input)}.`);
  }
  if (input === 'crops') {
    if (detector !== undefined && detector !== 'whole-image') {
      throw new UsageError(`facecluster ${command}: --input crops detects nothing, so it cannot go with --detector ${detector}.`);
    }
    detector = 'whole-image';
  } else if (input === 'photos' && detector === 'whole-image') {
    throw new UsageError(`facecluster ${command}: --detector whole-image is --input crops, not photos.`);
  }
  if (detector !== undefined && !(DETECTOR_NAMES as readonly string[]).includes(detector)) {
    throw new UsageError(`facecluster ${command}: --detector must be one of ${DETECTOR_NAMES.join(', ')}, got ${JSON.stringify(detector)}.`);
  }
  if (values['mtcnn-weights'] !== undefined && detector !== 'mtcnn') {
    throw new UsageError(`facecluster ${command}: --mtcnn-weights goes with --detector mtcnn, got --detector ${detector ?? `(default ${ENCODE_FOLDER_DEFAULTS.detector})`}.`);
  }
  const embedders = (values.embedder as string | undefined)?.split(',').map((e) => e.trim());
  for (const e of embedders ?? []) {
    if (!(EMBEDDER_NAMES as readonly string[]).includes(e)) {
      throw new UsageError(`facecluster ${command}: --embedder must be one or more (comma-separated) of ${EMBEDDER_NAMES.join(', ')}, got ${JSON.stringify(e)}.`);
    }
  }
  const embedder = embedders?.[0];
  const landmarker = values.landmarker as string | undefined;
  if (landmarker !== undefined && !(LANDMARKER_NAMES as readonly string[]).includes(landmarker)) {
    throw new UsageError(`facecluster ${command}: --landmarker must be one of ${LANDMARKER_NAMES.join(', ')}, got ${JSON.stringify(landmarker)}.`);
  }
  const labels = values.labels as string | undefined;
  if (labels !== undefined && labels !== 'folder' && labels !== 'none') {
    throw new UsageError(`facecluster ${command}: --labels must be folder or none, got ${JSON.stringify(labels)}.`);
  }
  const minScore = numberFlag(command, 'min-score', values['min-score'] as string | undefined);
  if (minScore !== undefined && (minScore < 0 || minScore > 1)) throw new UsageError(`facecluster ${command}: --min-score must be in [0, 1], got ${minScore}.`);
  const minFace = numberFlag(command, 'min-face', values['min-face'] as string | undefined);
  if (minFace !== undefined && minFace < 0) throw new UsageError(`facecluster ${command}: --min-face must be >= 0, got ${minFace}.`);
  const jobs = intFlag(command, 'jobs', values.jobs as string | undefined);
  if (jobs !== undefined && jobs < 1) throw new UsageError(`facecluster ${command}: --jobs must be >= 1, got ${jobs}.`);
  return {
    detector: detector as never,
    embedder: embedder as never,
    landmarker: landmarker as never,
    ...(embedders && embedders.length > 1 ? { extraEmbedders: embedders.slice(1) as never } : {}),
    minScore,
    minFaceSize: minFace,
    ...(values['mtcnn-weights'] !== undefined ? { detectorConfig: { weightsDir: resolve(values['mtcnn-weights'] as string) } } : {}),
    labels: labels as 'folder' | 'none' | undefined,
    jobs,
  };
}

/** A malformed --queue URL is a usage error (exit 2); an unreachable server is fatal (3). Loads the queue code. */
export async function checkQueueUrl(command: string, url: string): Promise<void> {
  const { parseRedisUrl } = await import('../queue/connection.ts');
  try {
    parseRedisUrl(command, url);
  } catch (e) {
    throw new UsageError(`facecluster ${command}: --${(e as Error).message.slice(command.length + 2)}`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('encode', argv, {
    out: { type: 'string' },
    ...ENCODER_FLAGS,
    'batch-size': { type: 'string' },
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
    'queue-clear': { type: 'boolean' },
    'queue-secret-file': { type: 'string' },
    'queue-ca-file': { type: 'string' },
    'redis-timeout': { type: 'string' },
  });
  if (positionals.length !== 1) throw new UsageError(`facecluster encode: expected one <folder>, got ${positionals.length}.\n\n${USAGE}`);
  const folder = positionals[0];
  const { jobs, ...encoder } = encoderFlagOptions('encode', values);
  const batchSize = intFlag('encode', 'batch-size', values['batch-size'] as string | undefined);
  if (batchSize !== undefined && batchSize < 1) throw new UsageError(`facecluster encode: --batch-size must be >= 1, got ${batchSize}.`);
  const queue = values.queue as string | undefined;
  for (const flag of ['queue-name', 'queue-clear', 'queue-secret-file', 'queue-ca-file', 'redis-timeout']) {
    if ((values as Record<string, unknown>)[flag] !== undefined && queue === undefined) throw new UsageError(`facecluster encode: --${flag} goes with --queue.`);
  }
  if (queue !== undefined && jobs !== undefined) throw new UsageError('facecluster encode: --jobs sets the local worker pool; with --queue the workers are `facecluster worker` processes (give them --jobs).');

  if (values.out !== undefined) {
    outputFlag('encode', 'out', values.out as string, folder, { mustNotContain: true });
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nfacecluster encode: interrupted; finishing the photos in flight and saving (Ctrl-C again to quit now)...\n');
      controller.abort();
    } else {
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const progress = createProgress('encode', 0);
  let planned = false;
  try {
    const onProgress = (done: number, total: number, raw?: Record<string, unknown>) => {
      const info = raw as EncodeProgressInfo;
      if (!planned) {
        planned = true;
        progress.setTotal(total);
      }
      if (typeof info.message === 'string') progress.log(info.message);
      if (info.status === 'failed' && info.path) progress.log(`failed: ${info.path}: ${info.reason}`);
      progress.update(done, { faces: info.totalFaces });
    };
    const common = { out: values.out as string | undefined, ...encoder, batchSize, signal: controller.signal };
    let summary: EncodeFolderSummary;
    let queueLine: string | undefined;
    if (queue === undefined) summary = await encodeFolder(folder, { ...common, jobs }, onProgress);
    else {
      // the queue code (and bullmq with its Redis client) loads only here
      const { encodeFolderOnQueue } = await import('../queue/encode-on-queue.ts');
      const { maskUrl } = await import('../queue/connection.ts');
      await checkQueueUrl('encode', queue);
      const redisTimeout = numberFlag('encode', 'redis-timeout', values['redis-timeout'] as string | undefined);
      if (redisTimeout !== undefined && !(redisTimeout > 0)) throw new UsageError(`facecluster encode: --redis-timeout must be > 0, got ${redisTimeout}.`);
      const q = await encodeFolderOnQueue(
        folder,
        {
          ...common, queue, queueName: values['queue-name'] as string | undefined, clearQueue: values['queue-clear'] as boolean | undefined, redisTimeoutSeconds: redisTimeout,
          secretFile: values['queue-secret-file'] as string | undefined, caFile: values['queue-ca-file'] as string | undefined,
        },
        onProgress,
      );
      summary = q;
      if (q.batches > 0) queueLine = `  queue: ${q.batches} batch job(s) on ${maskUrl(queue)}, done by ${q.workers.length} worker(s)${q.takenOver ? `; ${q.takenOver} batch(es) taken over from a worker that stopped` : ''}`;
    }
    progress.done();
    const s = summary;
    const lines = [
      s.encoded > 0
        ? `encoded ${s.encoded} photo(s) in ${s.seconds.toFixed(1)} s (${(s.encoded / s.seconds).toFixed(2)} photos/s, ${s.jobs} ${queue === undefined ? 'job(s)' : 'queue worker(s)'}, ${s.backend})`
        : s.reembedded > 0
          ? `encoded 0 photo(s) (${s.seconds.toFixed(1)} s, ${s.jobs} job(s), ${s.backend})`
          : `encoded 0 photo(s): nothing new or changed (${s.seconds.toFixed(1)} s)`,
      ...(s.reembedded - s.redetected > 0 ? [`  embedded the stored faces of ${s.reembedded - s.redetected} photo(s) with the added embedder(s) or measured their quality score, without detecting them again (detector runs: ${s.detectorCalls})`] : []),
      ...(s.redetected > 0 ? [`  ran the new detection recipe on ${s.redetected} stored photo(s) large enough for it: ${s.addedFaces} face(s) added, the stored faces kept (not embedded again)`] : []),
      `  photos in folder: ${s.photos} (${s.unchanged} unchanged, ${s.deleted} deleted since last run${s.skipped ? `, ${s.skipped} non-photo file(s) skipped` : ''})${s.parametersChanged ? '; models or parameters changed: re-encoded all' : ''}`,
      `  faces found: ${s.faces} this run, ${s.totalFaces} in the store`,
      `  photos without a face: ${s.noFace}`,
      `  failed: ${s.failures.length}${s.totalFailed > s.failures.length ? ` this run (${s.totalFailed} in the store, from unchanged files that failed before)` : ''}`,
      ...s.failures.map((f) => `    ${f.path}: ${f.reason}`),
      ...(queueLine ? [queueLine] : []),
      `  store: ${s.storeDir}${values.out === undefined && s.storeDir === defaultStoreDir(resolve(folder)) ? ' (default)' : ''}`,
    ];
    if (s.interrupted) lines.push('interrupted: the photos finished so far are saved; run the same command again to resume.');
    console.log(lines.join('\n'));
    if (s.interrupted) return EXIT.interrupted;
    return s.failures.length > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    progress.done();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
