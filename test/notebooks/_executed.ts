/**
 * The executed notebooks the notebook tests read: `out/notebooks/*.ipynb`, written by `npm run notebooks:run`
 * (CI runs it before `npm test`, see .ci/run). Without them (or with copies of other versions of the notebooks) the
 * tests skip and say why, unless `FACECLUSTER_NOTEBOOK_TESTS=required` (set by CI), where that fails.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../lib/paths.ts';

export const NOTEBOOK_DIR = join(PROJECT_ROOT, 'notebooks');
export const EXECUTED_DIR = join(PROJECT_ROOT, 'out', 'notebooks');
export const REQUIRED = process.env.FACECLUSTER_NOTEBOOK_TESTS === 'required';

export interface NotebookOutput {
  output_type: 'stream' | 'display_data' | 'execute_result' | 'error';
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}
export interface NotebookCell {
  cell_type: 'code' | 'markdown' | 'raw';
  source: string | string[];
  outputs?: NotebookOutput[];
}
export interface Notebook {
  cells: NotebookCell[];
  metadata: { kernelspec?: { name?: string } };
}

/** The committed notebooks' file names, e.g. `01-detect.ipynb`. */
export function notebookNames(): string[] {
  return readdirSync(NOTEBOOK_DIR).filter((f) => /^\d.*\.ipynb$/.test(f)).sort();
}

/** The cells' sources of a notebook file, joined: what an executed copy must share with the committed notebook. */
function sources(path: string): string {
  const nb = JSON.parse(readFileSync(path, 'utf8')) as Notebook;
  return JSON.stringify(nb.cells.map((c) => [c.cell_type, text(c.source)]));
}

/**
 * Why the executed copies cannot be tested (missing, or executed from other sources than the committed notebook's:
 * compared by content, not by date, so a rebase or checkout does not make them stale), or undefined.
 */
export function executedProblem(): string | undefined {
  const missing = notebookNames().filter((f) => !existsSync(join(EXECUTED_DIR, f)));
  if (missing.length > 0) return `no executed copy of ${missing.join(', ')} in out/notebooks/: run npm run notebooks:run first`;
  const stale = notebookNames().filter((f) => sources(join(EXECUTED_DIR, f)) !== sources(join(NOTEBOOK_DIR, f)));
  if (stale.length > 0) return `out/notebooks/ has copies of other versions of ${stale.join(', ')}: rerun npm run notebooks:run`;
  return undefined;
}

/** `skip` option for the notebook tests: a reason to skip, or false (run; a problem then fails in the test). */
export function skipUnlessExecuted(): string | false {
  const problem = executedProblem();
  return problem && !REQUIRED ? problem : false;
}

export function readExecuted(name: string): Notebook {
  return JSON.parse(readFileSync(join(EXECUTED_DIR, name), 'utf8')) as Notebook;
}

export const text = (v: string | string[] | undefined): string => (Array.isArray(v) ? v.join('') : v ?? '');
