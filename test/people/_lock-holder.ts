// Child process of the lock tests: takes the people lock of a store, prints "locked", holds it until a line
// arrives on stdin (or 120 s pass), releases it and exits. Usage: node --import tsx _lock-holder.ts <store>
import { acquireLock } from '../../lib/store/lock.ts';
import { PEOPLE_LOCK_FILE } from '../../lib/people/people.ts';

const lock = await acquireLock(process.argv[2], PEOPLE_LOCK_FILE);
console.log('locked');
await new Promise((r) => {
  process.stdin.once('data', r);
  setTimeout(r, 120_000).unref();
});
await lock.release();
process.exit(0);
