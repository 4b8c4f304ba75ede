/**
 * `facecluster worker --queue redis://HOST:PORT`: encodes batches of a queued encode (`facecluster encode
 * <folder> --queue ...`) on this machine. Flag parsing and printing only; the work is `runQueueWorker`
 * (lib/queue/worker.ts), loaded, with bullmq, only when this command runs.
 */
import { ENCODE_FOLDER_DEFAULTS } from '../pipeline/encode-folder.ts';
import { numberFlag, parseFlags, UsageError, EXIT } from './args.ts';
import { checkQueueUrl, ENCODER_FLAGS, encoderFlagOptions } from './encode.ts';

export const USAGE = `Usage: facecluster worker --queue redis://HOST:PORT[/DB] [flags]

Takes batches of photos from the queue of \`facecluster encode <folder> --queue ...\`, encodes them with the
usual pipeline and commits each batch into the store. Run it on any number of machines that see the photo
folder and the store at the same paths (a shared volume; else --folder / --out). The encode settings must be
those of the encode command (same flags and facecluster version): a worker with other settings refuses the
jobs and leaves them on the queue. A killed worker loses nothing: after --lock-seconds its batch goes to
another worker.

Trust: a worker takes only jobs signed with the secret it shares with the encode (--queue-secret-file, or
$FACECLUSTER_QUEUE_SECRET); any other job is refused and reported, and no file is read for it. Without a
secret only a Redis on this machine is accepted. Photos are read only inside the photo folder (absolute
paths, '..' and links leading out are refused per photo), batches written only into the store of the first
encode the worker takes.

Flags:
  --queue URL            the Redis server of the queue (required); rediss:// for TLS; a password in the URL
                         (never printed) or in $FACECLUSTER_QUEUE_PASSWORD
  --queue-name NAME      BullMQ queue name (default facecluster-encode)
  --queue-secret-file F  file holding the secret shared with the encode (default $FACECLUSTER_QUEUE_SECRET)
  --queue-ca-file F      PEM certificate of the authority that signed the server's certificate (rediss:// only)
  --jobs N               encode threads; a batch's photos run on them in parallel (default ${ENCODE_FOLDER_DEFAULTS.jobs} here)
  --detector, --landmarker, --embedder, --min-score, --min-face, --mtcnn-weights, --labels
                         encode settings, as for \`facecluster encode\` (must match the encode's)
  --folder DIR           this machine's path of the photo folder, when not the encode's
  --out DIR              this machine's path of the store folder, when not the encode's
  --lock-seconds S       BullMQ job lock (and stalled-job check) period (default 30): a killed worker's batch
                         is given to another worker after S to 2S seconds
  --idle-exit S          exit when the queue has had nothing to do for S seconds (default: run until Ctrl-C)
  --redis-timeout S      exit 3 when Redis does not answer for S seconds (default 60)
  --verbose              print one line per photo
  -h, --help             this help

Exit codes: 0 stopped (Ctrl-C after the batch in hand, or --idle-exit), 1 some photos failed, 2 usage error,
3 fatal (Redis unreachable or lost, settings that differ from the queue's, folder or store not reachable, a run
record that does not verify with this worker's secret, an encode of another folder or store).`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('worker', argv, {
    queue: { type: 'string' },
    'queue-name': { type: 'string' },
    'queue-secret-file': { type: 'string' },
    'queue-ca-file': { type: 'string' },
    ...ENCODER_FLAGS,
    folder: { type: 'string' },
    out: { type: 'string' },
    'lock-seconds': { type: 'string' },
    'idle-exit': { type: 'string' },
    'redis-timeout': { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (positionals.length > 0) throw new UsageError(`facecluster worker: takes no arguments, got ${JSON.stringify(positionals[0])} (the folder comes with the jobs; --folder maps it).\n\n${USAGE}`);
  const queue = values.queue as string | undefined;
  if (queue === undefined) throw new UsageError(`facecluster worker: --queue redis://HOST:PORT is required.\n\n${USAGE}`);
  const encoder = encoderFlagOptions('worker', values);
  const seconds = (flag: string, min0 = false) => {
    const v = numberFlag('worker', flag, (values as Record<string, unknown>)[flag] as string | undefined);
    if (v !== undefined && !(min0 ? v >= 0 : v > 0)) throw new UsageError(`facecluster worker: --${flag} must be ${min0 ? '>= 0' : '> 0'}, got ${v}.`);
    return v;
  };
  const lockSeconds = seconds('lock-seconds');
  const idleExitSeconds = seconds('idle-exit', true);
  const redisTimeoutSeconds = seconds('redis-timeout');
  await checkQueueUrl('worker', queue);
  const { runQueueWorker } = await import('../queue/worker.ts');
  const { maskUrl } = await import('../queue/connection.ts');

  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nfacecluster worker: stopping after the batch in hand (Ctrl-C again to quit now; the batch then goes to another worker)...\n');
      controller.abort();
    } else process.exit(EXIT.interrupted);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const verbose = values.verbose === true;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const s = await runQueueWorker(
      {
        queue,
        queueName: values['queue-name'] as string | undefined,
        secretFile: values['queue-secret-file'] as string | undefined,
        caFile: values['queue-ca-file'] as string | undefined,
        ...encoder,
        folder: values.folder as string | undefined,
        out: values.out as string | undefined,
        lockSeconds,
        idleExitSeconds,
        redisTimeoutSeconds,
        signal: controller.signal,
      },
      (e) => {
        switch (e.type) {
          case 'ready':
            log(`worker ${e.worker} ready: ${e.jobs} encode thread(s), ${e.backend}; waiting for batches on ${maskUrl(queue)}`);
            break;
          case 'batch-start':
            log(`batch ${e.job}: ${e.photos} photo(s)`);
            break;
          case 'photo':
            if (verbose) log(`  ${e.done}/${e.photos} ${e.outcome.path}: ${e.outcome.status}, ${e.outcome.faces} face(s)${e.outcome.reason ? ` (${e.outcome.reason})` : ''}`);
            else if (e.outcome.status === 'failed') log(`  failed: ${e.outcome.path}: ${e.outcome.reason}`);
            break;
          case 'batch-done':
            log(`batch ${e.job} committed: ${e.result.photos.length} photo(s), ${e.result.photos.reduce((a, p) => a + p.faces, 0)} face(s) in ${e.result.seconds.toFixed(1)} s (commit ${e.result.commitSeconds.toFixed(3)} s)`);
            break;
          case 'batch-stale':
            log(`batch ${e.job}: its encode run is over (store lock or run record changed); not written`);
            break;
          case 'job-refused':
            log(`job ${e.job} refused: ${e.reason}`);
            break;
          case 'redis':
            log(e.message);
            break;
        }
      },
    );
    console.log(`worker ${s.worker}: ${s.batches} batch(es), ${s.photos} photo(s), ${s.faces} face(s), ${s.failed} failed, in ${s.seconds.toFixed(1)} s (${s.backend || 'no models loaded'})`);
    return s.failed > 0 ? EXIT.someFailed : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
