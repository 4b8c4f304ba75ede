/**
 * Option handling shared by every public function: reject unknown keys, let an explicit
 * `undefined` keep the default (unlike `{...defaults, ...options}`), and check constraints once.
 */
import { FaceclusterError, invalidParameter, showValue } from './errors.ts';

/**
 * Merge `options` over `defaults`. Unknown keys throw, listing the valid keys.
 * Keys whose value is `undefined` keep their default.
 */
export function resolveOptions<T extends object>(fn: string, defaults: Readonly<T>, options: Partial<T> | undefined): T {
  const out = { ...defaults } as T;
  if (options === undefined || options === null) return out;
  if (typeof options !== 'object') throw invalidParameter(fn, 'options', 'an object', options);
  const valid = Object.keys(defaults);
  for (const [key, value] of Object.entries(options)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, key)) {
      throw new FaceclusterError(fn, `unknown option ${showValue(key)}; valid options are ${valid.join(', ')}.`, key);
    }
    if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  }
  return out;
}

/** Throws unless `value` is an integer in [min, max]. */
export function checkInteger(fn: string, param: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidParameter(fn, param, describeRange('an integer', min, max), value);
  }
  return value;
}

/** Throws unless `value` is a finite number in [min, max] (or (min, max] with `exclusiveMin`). */
export function checkNumber(fn: string, param: string, value: unknown, min = -Infinity, max = Infinity, exclusiveMin = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) throw invalidParameter(fn, param, describeRange('a finite number', min, max, exclusiveMin), value);
  return value as number;
}

/** Throws unless `value` is one of `valid`. */
export function checkOneOf<T extends string>(fn: string, param: string, value: unknown, valid: readonly T[]): T {
  if (typeof value !== 'string' || !(valid as readonly string[]).includes(value)) {
    throw new FaceclusterError(fn, `${param} must be one of ${valid.map((v) => JSON.stringify(v)).join(', ')}, got ${showValue(value)}.`, param);
  }
  return value as T;
}

function describeRange(kind: string, min: number, max: number, exclusiveMin = false): string {
  const lo = exclusiveMin ? '>' : '>=';
  if (min !== -Infinity && max !== Infinity) return `${kind} ${lo} ${min} and <= ${max}`;
  if (min !== -Infinity) return `${kind} ${lo} ${min}`;
  if (max !== Infinity) return `${kind} <= ${max}`;
  return kind;
}

/** For exhaustive switches over string unions. */
export function assertUnreachable(fn: string, value: never): never {
  throw new FaceclusterError(fn, `unexpected value ${showValue(value)}.`);
}
