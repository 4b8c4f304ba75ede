// Child process of the kill -9 test (journal.test.ts): names person 1 `name-0`, `name-1`, ... through the library,
// as fast as it can, until it is killed. Usage: node --import tsx _correction-writer.ts <store>
import { namePerson } from '../../lib/people/people.ts';

const store = process.argv[2];
for (let k = 0; ; k++) await namePerson(store, 1, `name-${k}`, { waitMs: 0 });
