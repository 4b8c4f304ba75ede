/**
 * The one error type of facecluster, and helpers that format messages the same way everywhere:
 * `<function>: <parameter> must be <constraint>, got <value>.`
 */

export class FaceclusterError extends Error {
  /** The library function that raised it, e.g. `dbscan`. */
  readonly fn: string;
  /** The parameter at fault, when there is one. */
  readonly param?: string;

  constructor(fn: string, message: string, param?: string, options?: { cause?: unknown }) {
    super(`${fn}: ${message}`, options);
    this.name = 'FaceclusterError';
    this.fn = fn;
    this.param = param;
  }
}

/** Short, readable rendering of a value for error messages. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return value.length > 6 ? `array of length ${value.length}` : JSON.stringify(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  try {
    const s = JSON.stringify(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** `fn: param must be expected, got value.` */
export function invalidParameter(fn: string, param: string, expected: string, got: unknown): FaceclusterError {
  return new FaceclusterError(fn, `${param} must be ${expected}, got ${showValue(got)}.`, param);
}

/** `fn: unknown name "x"; valid names are a, b, c.` */
export function unknownName(fn: string, param: string, got: unknown, valid: readonly string[]): FaceclusterError {
  return new FaceclusterError(fn, `${param} must be one of ${valid.map((v) => JSON.stringify(v)).join(', ')}, got ${showValue(got)}.`, param);
}
