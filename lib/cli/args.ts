/**
 * Flag parsing shared by the CLI commands (node:util parseArgs, strict: an unknown flag is an error).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FaceclusterError } from '../errors.ts';
import { checkOutsidePhotoFolder } from '../paths.ts';

/**
 * Exit codes (every command):
 *   0  success, nothing failed
 *   1  finished, but some inputs failed (listed in the output and the summary)
 *   2  usage error (bad flag or argument)
 *   3  fatal error (nothing useful could be done)
 *   130 interrupted (Ctrl-C); work finished so far is kept
 * Here, below the commands, so that commands import it without importing main.ts (which imports every command).
 */
export const EXIT = { ok: 0, someFailed: 1, usage: 2, fatal: 3, interrupted: 130 } as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type OptionsSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` against `options`; throws UsageError with the command's name on a bad flag. */
export function parseFlags<T extends OptionsSpec>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(`facecluster ${command}: ${(e as Error).message}`);
  }
}

/** Number flag: `--eps 0.5`. Throws UsageError naming the flag when it is not a number. */
export function numberFlag(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`facecluster ${command}: --${flag} must be a number, got ${JSON.stringify(value)}.`);
  return n;
}

/** `--min-quality Q`: the quality bar, a number in [0, 1] (lib/people `UPDATE_PEOPLE_DEFAULTS.minQuality`). */
export function minQualityFlag(command: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`facecluster ${command}: --min-quality must be a number from 0 to 1 (a face quality score; 0 turns the bar off), got ${JSON.stringify(value)}.`);
  }
  return n;
}

/** Integer flag. */
export function intFlag(command: string, flag: string, value: string | undefined): number | undefined {
  const n = numberFlag(command, flag, value);
  if (n !== undefined && !Number.isInteger(n)) throw new UsageError(`facecluster ${command}: --${flag} must be an integer, got ${JSON.stringify(value)}.`);
  return n;
}

/**
 * Checks an output flag before anything is created: refuses a path inside the photo folder (symbolic links resolved),
 * as a UsageError (exit 2) with the library's message. Returns the real output path.
 */
export function outputFlag(command: string, flag: string, output: string, photoFolder: string | undefined, options?: { allow?: string; mustNotContain?: boolean }): string {
  try {
    return checkOutsidePhotoFolder(`facecluster ${command}`, `--${flag}`, output, photoFolder, options);
  } catch (e) {
    if (e instanceof FaceclusterError) throw new UsageError(e.message);
    throw e;
  }
}
