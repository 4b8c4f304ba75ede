/**
 * `facecluster <command> [flags]`: dispatches to one file per command. Commands only parse flags
 * and call the library; they are the only place that prints.
 *
 * Exit codes (every command):
 *   0  success, nothing failed
 *   1  finished, but some inputs failed (listed in the output and the summary)
 *   2  usage error (bad flag or argument)
 *   3  fatal error (nothing useful could be done)
 *   130 interrupted (Ctrl-C); work finished so far is kept
 */
import { EXIT, UsageError } from './args.ts';
import { FaceclusterError } from '../errors.ts';

/** The exit-code table lives in args.ts, below the commands that import it; re-exported here for callers of main. */
export { EXIT };

type CommandModule = { run(argv: string[]): Promise<number>; USAGE: string };

const COMMANDS: Record<string, { summary: string; load: () => Promise<CommandModule> }> = {
  encode: { summary: 'detect, align and embed the faces of a photo folder into a face store', load: () => import('./encode.ts') },
  cluster: { summary: 'cluster the faces of a store by identity; print metrics; save clusters as folders', load: () => import('./cluster.ts') },
  tune: { summary: 'sweep a clustering parameter and recommend a value', load: () => import('./tune.ts') },
  report: { summary: 'write a self-contained HTML report (maps, sweeps, metrics, galleries)', load: () => import('./report.ts') },
  run: { summary: 'all steps: encode, tune, cluster, report', load: () => import('./run.ts') },
  people: { summary: 'people kept across runs: list, show, name, merge, move, split, ignore, update', load: () => import('./people.ts') },
  export: { summary: 'write the faces, vectors and people of a store as Parquet or CSV (DuckDB, pandas, Polars)', load: () => import('./export.ts') },
  worker: { summary: 'encode batches of a queued encode (encode --queue) on this machine', load: () => import('./worker.ts') },
  serve: { summary: 'review and correct the people in a browser (a local web app over the store)', load: () => import('./serve.ts') },
};

export function usage(): string {
  const lines = ['Usage: facecluster <command> [flags]   (facecluster <command> --help for its flags)', '', 'Commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(8)} ${c.summary}`);
  lines.push('', 'Exit codes: 0 ok, 1 some inputs failed, 2 usage error, 3 fatal error, 130 interrupted.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
    const { VERSION } = await import('../version.ts');
    console.log(VERSION);
    return EXIT.ok;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`facecluster: unknown command ${JSON.stringify(name)}; valid commands are ${Object.keys(COMMANDS).join(', ')}.`);
    return EXIT.usage;
  }
  try {
    const mod = await command.load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(mod.USAGE);
      return EXIT.ok;
    }
    return await mod.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return EXIT.usage;
    }
    if (e instanceof FaceclusterError) {
      console.error(`facecluster ${name}: ${e.message}`);
      return EXIT.fatal;
    }
    console.error(`facecluster ${name}: ${(e as Error)?.stack ?? e}`);
    return EXIT.fatal;
  }
}
