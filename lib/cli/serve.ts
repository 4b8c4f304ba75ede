/**
 * `facecluster serve [folder|store] [--port P]`: the browser app over a store's people. Flag parsing only: the
 * work is lib/serve (startServer) and lib/people (updateStorePeople for a store with no people yet).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXIT, intFlag, parseFlags, UsageError } from './args.ts';
import { FaceclusterError } from '../errors.ts';
import { hasPeople, updateStorePeople } from '../people/people.ts';
import { defaultStoreDir, MANIFEST_FILE } from '../store/layout.ts';
import { SERVE_DEFAULTS, startServer } from '../serve/server.ts';

export const USAGE = `Usage: facecluster serve [folder|store] [flags]

A local web app to review and correct the people of a store: People (a card per person, search, sort), Person
(select faces: move, split into a new person, ignore, not a face; rename; merge), Review ("same person?" for the
least certain decisions, keys y / n / s) and Photo (the photo with its faces and names). Every click is the
correction \`facecluster people\` would make (journalled in corrections.jsonl; a later \`run\` keeps it).

[folder|store] is a photo folder that \`facecluster run\` was run on (its store facecluster-out/<name>/store in the
current directory), or a store folder. Default: the current directory. A store with no people yet gets them first
(as \`facecluster people <store> update\`).

  --port P          port to listen on (default ${SERVE_DEFAULTS.port}; 0: any free port)
  --host ADDRESS    address to listen on (default ${SERVE_DEFAULTS.host}: this machine only)
  --allow-remote    needed for a --host that is not loopback: anyone who can reach the address and has the
                    printed URL (it carries the token) can change the people
  --cache DIR       thumbnail cache (default: thumbnails/ in the store folder; never the photo folder)

Open the URL it prints (it carries a random token every request needs). Ctrl-C stops the server.
Exit codes: 0 stopped, 2 usage error, 3 fatal error (e.g. the port is in use).`;

function storeOf(arg: string): string {
  if (!existsSync(arg)) throw new UsageError(`facecluster serve: ${JSON.stringify(arg)} does not exist.`);
  if (existsSync(join(arg, MANIFEST_FILE))) return arg;
  const store = defaultStoreDir(arg);
  if (existsSync(join(store, MANIFEST_FILE))) return store;
  return arg; // an older photo folder holding .facecluster/, or an error naming what a store is (lib/store)
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('serve', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    cache: { type: 'string' },
  });
  if (positionals.length > 1) throw new UsageError(`facecluster serve: expected at most one folder or store, got ${positionals.length}: ${positionals.map((p) => JSON.stringify(p)).join(' ')}.`);
  const port = intFlag('serve', 'port', values.port as string | undefined);
  if (port !== undefined && (port < 0 || port > 65535)) throw new UsageError(`facecluster serve: --port must be an integer in 0..65535, got ${port}.`);
  const store = storeOf(positionals[0] ?? '.');
  const host = (values.host as string | undefined) ?? SERVE_DEFAULTS.host;
  const allowRemote = Boolean(values['allow-remote']);
  if (!(await hasPeople(store).catch(() => true))) {
    console.error('This store has no people yet: placing its faces (as `facecluster people update`) ...');
    const people = await updateStorePeople(store);
    console.error(`${people.state.persons.length} people from ${people.state.faceIds.length} faces.`);
  }
  let server;
  try {
    server = await startServer(store, { host, allowRemote, ...(port !== undefined ? { port } : {}), ...(values.cache ? { cacheDir: resolve(values.cache as string) } : {}) });
  } catch (e) {
    if (e instanceof FaceclusterError && (e.param === 'host' || e.param === 'cacheDir')) throw new UsageError(`facecluster serve: ${e.message.replace(/allowRemote; /, '')}`);
    throw e;
  }
  if (!server.loopback) {
    console.error(`warning: listening on ${host}, not on this machine only: anyone who can reach ${server.origin} and has the URL below can see the photos and change the people.`);
  }
  console.log(`facecluster serve: ${server.storeDir}`);
  console.log(`Open ${server.url}`);
  console.log('(the URL carries the token every request needs; Ctrl-C stops the server)');
  await new Promise<void>((done) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
  return EXIT.ok;
}
