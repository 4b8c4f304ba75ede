/**
 * A lock file for one kind of change to a store folder: `<dir>/<name>` holds the pid of the process that holds
 * it, created exclusively (`wx`), so of two processes only one gets it. A lock whose process is gone (killed,
 * crashed) is stale and taken over. The same scheme as the encode lock of write.ts (`lock`), under another name
 * so that correcting people and encoding photos do not block each other.
 *
 * `acquireLock` waits up to `waitMs` (polling), then refuses with a message naming the holder.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FaceclusterError } from '../errors.ts';

export interface StoreLock {
  /** The lock file. */
  readonly path: string;
  /** Removes the lock file (once; later calls do nothing). */
  release(): Promise<void>;
}

export interface AcquireLockOptions {
  /** How long to wait for another holder to finish, in ms. @default 0 — refuse at once. */
  waitMs: number;
  /** Poll interval while waiting, in ms. @default 100 */
  pollMs: number;
  /** What the lock protects, for the refusal message, e.g. `changing the people of`. @default 'writing' */
  purpose: string;
  /** The library function asking, for the error message. @default 'acquireLock' */
  fn: string;
}

export const ACQUIRE_LOCK_DEFAULTS: Readonly<AcquireLockOptions> = Object.freeze({ waitMs: 0, pollMs: 100, purpose: 'writing', fn: 'acquireLock' });

/** Lock files held by this process (a second acquire from the same process is refused, not deadlocked). */
const held = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock file `name` in the store folder `dir`, waiting up to `waitMs` for a live holder; throws a
 * FaceclusterError naming the holder's pid when it cannot.
 */
export async function acquireLock(dir: string, name: string, options?: Partial<AcquireLockOptions>): Promise<StoreLock> {
  const o = { ...ACQUIRE_LOCK_DEFAULTS, ...Object.fromEntries(Object.entries(options ?? {}).filter(([, v]) => v !== undefined)) } as AcquireLockOptions;
  const path = join(resolve(dir), name);
  if (held.has(path)) {
    throw new FaceclusterError(o.fn, `this process (${process.pid}) already holds ${path}; finish the other change first.`);
  }
  const deadline = Date.now() + o.waitMs;
  let holder = 0;
  for (;;) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      held.add(path);
      let released = false;
      return {
        path,
        async release() {
          if (released) return;
          released = true;
          held.delete(path);
          await unlink(path).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const text = await readFile(path, 'utf8').catch(() => null);
    if (text === null) continue; // removed meanwhile: try again
    holder = Number(text.trim());
    if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
      // Stale (its process is gone) or half-written by a process killed between create and write. A lock file
      // without a pid is only taken over once it is old enough that its writer cannot still be writing it.
      if (!(Number.isInteger(holder) && holder > 0) && text === '' && Date.now() < deadline) {
        await sleep(o.pollMs);
        continue;
      }
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) break;
    await sleep(Math.min(o.pollMs, Math.max(1, deadline - Date.now())));
  }
  throw new FaceclusterError(
    o.fn,
    `another facecluster process (pid ${holder}) is ${o.purpose} the store ${JSON.stringify(resolve(dir))}${o.waitMs > 0 ? ` (waited ${(o.waitMs / 1000).toFixed(1)} s)` : ''}; try again when it has finished, or stop it (the lock file is ${path}).`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
