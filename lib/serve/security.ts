/**
 * What keeps the browser app private to the person who started it:
 * - every request needs the server's random token: in the URL `facecluster serve` prints (`?token=`), then in a
 *   cookie the first page sets (HttpOnly, SameSite=Strict), or in the `X-Facecluster-Token` header;
 * - a write (any method but GET and HEAD) needs the token in the header (a cookie alone is not enough: a form on
 *   another site cannot set a header) and an `Origin` equal to the server's own;
 * - on loopback, the `Host` header must name the address the server listens on (a DNS-rebinding page cannot reach it by a
 *   name of its own);
 * - loopback only, unless remote access is asked for ({@link checkServeHost}).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { FaceclusterError } from '../errors.ts';

export const TOKEN_HEADER = 'x-facecluster-token';
export const TOKEN_COOKIE = 'facecluster_token';
export const TOKEN_QUERY = 'token';

/** A fresh random token (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Whether `host` (an address or a name) is this machine's loopback. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1';
  return false;
}

/** Refuses a non-loopback `host` unless `allowRemote`. */
export function checkServeHost(fn: string, host: string, allowRemote: boolean): void {
  if (typeof host !== 'string' || host === '') throw new FaceclusterError(fn, `host must be an address to listen on, got ${JSON.stringify(host)}.`, 'host');
  if (!isLoopbackHost(host) && !allowRemote) {
    throw new FaceclusterError(fn, `host must be a loopback address (127.0.0.1, ::1, localhost) unless remote access is asked for (allowRemote; \`--allow-remote\` on the command line), got ${JSON.stringify(host)}.`, 'host');
  }
}

function same(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const deny = (status: 401 | 403 | 421, text: string) => new Response(`${text}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });

/**
 * The middleware: host, token, and for writes the header token and the same origin. `hosts()` gives the `Host`
 * values accepted (known once the server listens; null: any).
 */
export function guard(token: string, hosts: () => readonly string[] | null): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header('host') ?? '';
    const allowed = hosts();
    if (allowed && !allowed.includes(host.toLowerCase())) return deny(421, `facecluster serve: unknown Host ${JSON.stringify(host)}.`);
    const fromQuery = c.req.query(TOKEN_QUERY);
    const fromHeader = c.req.header(TOKEN_HEADER);
    const ok = same(fromHeader, token) || same(getCookie(c, TOKEN_COOKIE), token) || same(fromQuery, token);
    if (!ok) return deny(401, 'facecluster serve: this needs the token of the URL that `facecluster serve` printed.');
    const method = c.req.method.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      if (!same(fromHeader, token)) return deny(403, `facecluster serve: a change needs the token in the ${TOKEN_HEADER} header.`);
      const origin = c.req.header('origin');
      if (origin !== `http://${host}`) return deny(403, `facecluster serve: a change must come from this app's own page (Origin ${JSON.stringify(origin ?? null)}).`);
      if ((c.req.header('sec-fetch-site') ?? 'same-origin') !== 'same-origin') return deny(403, 'facecluster serve: a change must come from this app\'s own page (Sec-Fetch-Site).');
    }
    if (same(fromQuery, token)) setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
  };
}
