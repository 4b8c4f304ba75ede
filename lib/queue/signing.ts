/**
 * Who may give work to the encode queue's workers: the coordinator and the workers share a secret, and every
 * batch job and the queue's run record carry an HMAC-SHA256 (RFC 2104) over their content. A worker checks it
 * before it touches any file, so a job someone wrote straight into Redis is refused without a file read.
 *
 * The secret comes from a file (`secretFile`, `facecluster --queue-secret-file FILE`) or the environment
 * variable `FACECLUSTER_QUEUE_SECRET`: never from a command-line value (other users see those in `ps`), never
 * from or into Redis. Without a secret a queue is only allowed on a loopback Redis (this machine): see
 * {@link requireSecretOffLoopback}.
 *
 * What is signed: the canonical JSON (keys sorted, `stableStringify`) of the record without its `signature`
 * field, prefixed with a domain string naming the record's kind (`run` or `job`) so that a signature of one kind
 * can never pass for the other. A job's signature covers its BullMQ job id (the name of the batch file it
 * commits), its run id, photo folder, store folder, parameters key, store lock and every file's path, size and
 * mtime; the run record's covers all its fields (run id, folder, store, parameters, lock, counts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { FaceclusterError } from '../errors.ts';
import { stableStringify } from '../store/manifest.ts';

/** Environment variable holding the queue's shared secret (when no secret file is given). */
export const QUEUE_SECRET_ENV = 'FACECLUSTER_QUEUE_SECRET';

/** Shortest secret accepted, in bytes (a 128-bit key; `openssl rand -hex 32` gives 64). */
export const MIN_SECRET_BYTES = 16;

/** What a signature covers: a run record or a batch job. */
export type SignedKind = 'run' | 'job';

const DOMAIN = 'facecluster-queue-v1';

/** Signs and checks queue records with one secret (the key itself is kept in a closure, never serialised). */
export interface QueueSigner {
  /** Hex HMAC-SHA256 of `content` (its `signature` field left out). */
  sign(kind: SignedKind, content: object): string;
  /** Whether `content.signature` is the HMAC of the rest of `content`; false for a missing or malformed one. */
  verify(kind: SignedKind, content: unknown): boolean;
}

export function createQueueSigner(secret: Buffer): QueueSigner {
  const key = Buffer.from(secret); // a copy: the caller may wipe its buffer
  const mac = (kind: SignedKind, content: object): Buffer => {
    const { signature: _s, ...rest } = content as { signature?: unknown };
    return createHmac('sha256', key).update(`${DOMAIN}\n${kind}\n${stableStringify(rest)}`).digest();
  };
  return {
    sign: (kind, content) => mac(kind, content).toString('hex'),
    verify(kind, content) {
      if (content === null || typeof content !== 'object' || Array.isArray(content)) return false;
      const given = (content as { signature?: unknown }).signature;
      if (typeof given !== 'string' || !/^[0-9a-f]{64}$/.test(given)) return false;
      return timingSafeEqual(Buffer.from(given, 'hex'), mac(kind, content));
    },
  };
}

/**
 * The queue's secret: the content of `secretFile` (one trailing newline dropped), else the environment
 * variable {@link QUEUE_SECRET_ENV}, else undefined. Throws naming the file (never the secret) when it cannot
 * be read or is shorter than {@link MIN_SECRET_BYTES}.
 */
export function loadQueueSecret(fn: string, secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  let secret: Buffer;
  let from: string;
  if (secretFile !== undefined) {
    if (typeof secretFile !== 'string' || secretFile === '') throw new FaceclusterError(fn, `secretFile must be a path, got ${JSON.stringify(secretFile)}.`, 'secretFile');
    try {
      secret = readFileSync(secretFile);
    } catch (e) {
      throw new FaceclusterError(fn, `secretFile must be a readable file, got ${JSON.stringify(secretFile)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'secretFile');
    }
    from = `secretFile ${JSON.stringify(secretFile)}`;
  } else {
    const value = env[QUEUE_SECRET_ENV];
    if (value === undefined || value === '') return undefined;
    secret = Buffer.from(value, 'utf8');
    from = `$${QUEUE_SECRET_ENV}`;
  }
  if (secret.at(-1) === 0x0a) secret = secret.subarray(0, secret.at(-2) === 0x0d ? -2 : -1);
  if (secret.length < MIN_SECRET_BYTES) {
    throw new FaceclusterError(fn, `the queue secret must be at least ${MIN_SECRET_BYTES} bytes, got ${secret.length} from ${from}. Make one with \`openssl rand -hex 32 > FILE\` (chmod 600) and give the same file to the encode and every worker.`, secretFile !== undefined ? 'secretFile' : undefined);
  }
  return secret;
}

/**
 * Whether `host` (as parsed from a queue URL) names this machine: `localhost`, 127.0.0.0/8 or ::1 written out
 * (no other name is looked up).
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1') return true; // (URL parsing writes IPv6 addresses compressed)
  const v4 = isIP(h) === 4 ? h : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h)?.[1];
  return v4 !== undefined && isIP(v4) === 4 && v4.split('.')[0] === '127';
}

/**
 * Throws unless there is a secret or the Redis server is on this machine: without signatures, anyone who can
 * write to a Redis reachable over the network could make the workers read files and store their faces.
 */
export function requireSecretOffLoopback(fn: string, host: string, display: string, secret: Buffer | undefined): void {
  if (secret !== undefined || isLoopbackHost(host)) return;
  throw new FaceclusterError(
    fn,
    `secretFile must be given for a Redis server that is not on this machine, got none for queue ${display} (host ${host}). Without a shared secret anyone who can write to that Redis could make the workers read files and store their faces; give the encode and every worker the same --queue-secret-file FILE (or $${QUEUE_SECRET_ENV}). Nothing was changed.`,
    'secretFile',
  );
}
