/**
 * The Redis connection of the encode queue: parsing `redis://[user:password@]host:port[/db]` (or
 * `rediss://` for TLS), checking that the server answers before anything else is touched, and the
 * connection options BullMQ's queue and workers get (they reconnect by themselves; how long a caller
 * waits for a lost server is its own `redisTimeoutSeconds`).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { FaceclusterError } from '../errors.ts';

/** A parsed queue URL. */
export interface RedisTarget {
  /** The URL as given, with any password replaced by `***` (for messages). */
  display: string;
  host: string;
  port: number;
  db: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

/** Parses a queue URL; throws naming the URL and what is wrong with it. */
export function parseRedisUrl(fn: string, url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FaceclusterError(fn, `queue must be a Redis URL like redis://HOST:PORT, got ${JSON.stringify(url)}.`, 'queue');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new FaceclusterError(fn, `queue must be a redis:// or rediss:// URL, got ${JSON.stringify(url)} (scheme ${u.protocol.replace(/:$/, '')}).`, 'queue');
  }
  if (!u.hostname) throw new FaceclusterError(fn, `queue must name a host (redis://HOST:PORT), got ${JSON.stringify(url)}.`, 'queue');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new FaceclusterError(fn, `queue's database must be a number (redis://HOST:PORT/DB), got ${JSON.stringify(dbText)} in ${JSON.stringify(url)}.`, 'queue');
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  const display = password ? url.replace(`:${u.password}@`, ':***@') : url;
  return { display, host: u.hostname.replace(/^\[|\]$/g, ''), port, db, username: u.username ? decodeURIComponent(u.username) : undefined, password, tls: u.protocol === 'rediss:' };
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
    ...(target.tls ? { tls: {} } : {}),
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
