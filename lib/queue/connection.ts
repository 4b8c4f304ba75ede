/**
 * The Redis connection of the encode queue: parsing `redis://[user:password@]host:port[/db]` (or
 * `rediss://` for TLS), checking that the server answers before anything else is touched, and the
 * connection options BullMQ's queue and workers get (they reconnect by themselves; how long a caller
 * waits for a lost server is its own `redisTimeoutSeconds`).
 */
import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { FaceclusterError } from '../errors.ts';

/**
 * `url` with the password of its user part replaced by `***` (`redis://user:***@host:6379`), taken from the
 * text as typed so that nothing of it survives whatever the URL parser would re-encode; any other text as is.
 */
export function maskUrl(url: string): string {
  if (typeof url !== 'string') return String(url);
  const start = url.indexOf('//');
  if (start < 0) return url;
  const end = url.slice(start + 2).search(/[/?#]/);
  const authority = end < 0 ? url.slice(start + 2) : url.slice(start + 2, start + 2 + end);
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  const user = authority.slice(0, at);
  const colon = user.indexOf(':');
  if (colon < 0) return url;
  return `${url.slice(0, start + 2)}${user.slice(0, colon)}:***${authority.slice(at)}${url.slice(start + 2 + authority.length)}`;
}

/** A parsed queue URL. */
export interface RedisTarget {
  /** The URL as given, with any password replaced by `***` (for messages; see {@link maskUrl}). */
  display: string;
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
  /** PEM certificate(s) of the authority that signed the server's TLS certificate (`rediss://` only). */
  ca?: string;
}

/** Environment variable holding the Redis password when the queue URL has none (so it is not on a command line). */
export const QUEUE_PASSWORD_ENV = 'FACECLUSTER_QUEUE_PASSWORD';

/**
 * Parses a queue URL; throws naming the URL (password masked) and what is wrong with it. A URL without a
 * password takes the one in {@link QUEUE_PASSWORD_ENV}, when set.
 */
export function parseRedisUrl(fn: string, url: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let u: URL;
  const shown = JSON.stringify(maskUrl(url));
  try {
    u = new URL(url);
  } catch {
    throw new FaceclusterError(fn, `queue must be a Redis URL like redis://HOST:PORT, got ${shown}.`, 'queue');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new FaceclusterError(fn, `queue must be a redis:// or rediss:// URL, got ${shown} (scheme ${u.protocol.replace(/:$/, '')}).`, 'queue');
  }
  if (!u.hostname) throw new FaceclusterError(fn, `queue must name a host (redis://HOST:PORT), got ${shown}.`, 'queue');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new FaceclusterError(fn, `queue's database must be a number (redis://HOST:PORT/DB), got ${JSON.stringify(dbText)} in ${shown}.`, 'queue');
  const password = u.password ? decodeURIComponent(u.password) : env[QUEUE_PASSWORD_ENV] || undefined;
  const display = maskUrl(url);
  return { display, host: u.hostname.replace(/^\[|\]$/g, ''), port, db, username: u.username ? decodeURIComponent(u.username) : undefined, password, tls: u.protocol === 'rediss:' };
}

/**
 * `target` with the CA certificate(s) of `caFile` (PEM) that its TLS server certificate must chain to, for a
 * server whose certificate is not signed by a public authority; `target` itself when `caFile` is undefined.
 * Throws when `caFile` is given for a plain `redis://` URL or cannot be read as PEM.
 */
export function withCaFile(fn: string, target: RedisTarget, caFile: string | undefined): RedisTarget {
  if (caFile === undefined) return target;
  if (!target.tls) throw new FaceclusterError(fn, `caFile goes with a TLS queue URL (rediss://HOST:PORT), got ${JSON.stringify(caFile)} for ${target.display}.`, 'caFile');
  let ca: string;
  try {
    ca = readFileSync(caFile, 'utf8');
  } catch (e) {
    throw new FaceclusterError(fn, `caFile must be a readable PEM file, got ${JSON.stringify(caFile)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`, 'caFile');
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new FaceclusterError(fn, `caFile must hold a PEM certificate (-----BEGIN CERTIFICATE-----), got ${JSON.stringify(caFile)}.`, 'caFile');
  return { ...target, ca };
}

/**
 * ioredis options for BullMQ: commands wait through reconnections (BullMQ requires
 * `maxRetriesPerRequest: null`), reconnecting every 0.2 s growing to 2 s.
 */
export function connectionOptions(target: RedisTarget): RedisOptions {
  return {
    host: target.host,
    port: target.port,
    db: target.db,
    username: target.username,
    password: target.password,
    ...(target.tls ? { tls: target.ca !== undefined ? { ca: target.ca } : {} } : {}),
    maxRetriesPerRequest: null,
    retryStrategy: (attempt: number) => Math.min(200 * attempt, 2000),
  };
}

/**
 * Checks that the Redis server at `target` answers PING within `timeoutSeconds`; throws naming the URL
 * and the cause (refused, timed out, authentication) otherwise. Nothing else has been touched then.
 */
export async function checkRedis(fn: string, target: RedisTarget, timeoutSeconds: number): Promise<void> {
  const client = new Redis({ ...connectionOptions(target), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutSeconds * 1000, enableOfflineQueue: false });
  let lastError: Error | undefined;
  client.on('error', (e: Error) => (lastError = e));
  try {
    await withTimeout(client.connect().then(() => client.ping()), timeoutSeconds, 'no answer');
  } catch (e) {
    const cause = (lastError ?? (e as Error))?.message ?? String(e);
    throw new FaceclusterError(fn, `cannot reach the Redis server of queue ${target.display}: ${cause}. Start Redis there (redis-server) or fix the URL; nothing was changed.`, 'queue', { cause: e });
  } finally {
    client.disconnect();
  }
}

/** Resolves or rejects with `promise`, or rejects with `Error(message)` after `seconds`. */
export function withTimeout<T>(promise: Promise<T>, seconds: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
