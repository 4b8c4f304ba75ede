/**
 * `facecluster serve`: a local web app over a face store's people (People, Person, Review and Photo pages) in
 * which a person names, merges, moves, splits and ignores with clicks. Every change is the lib/people call the
 * `facecluster people` command makes (the corrections journal), so nothing the browser does is lost by a later
 * `run`, and changes made elsewhere show on reload.
 *
 * Safe by default: listens on 127.0.0.1; the URL it returns carries a random token every request needs; only
 * faces and photos the store lists are served; changes need the token in a header and the page's own origin;
 * another host must be asked for (`allowRemote`). Thumbnails are cached in `cacheDir` (default: `thumbnails/` in
 * the store folder, or in the photo folder's default output folder when the store is an old one inside the
 * photo folder), never in the photo folder.
 *
 * @example
 * const server = await startServer('facecluster-out/photos/store');
 * server.url    // 'http://127.0.0.1:8737/?token=...'
 * await server.close();
 */
import { serve, type ServerType } from '@hono/node-server';
import { join } from 'node:path';
import { FaceclusterError } from '../errors.ts';
import { resolveOptions } from '../options.ts';
import { checkOutsidePhotoFolder } from '../paths.ts';
import { PEOPLE_CHANGE_DEFAULTS } from '../people/people.ts';
import { defaultOutputDir, resolveStoreDir, STORE_DIRNAME } from '../store/layout.ts';
import { readManifest } from '../store/read.ts';
import { createApp } from './app.ts';
import { loadClientAssets } from './assets.ts';
import { ImageCache } from './images.ts';
import { checkServeHost, isLoopbackHost, newToken } from './security.ts';
import { ViewCache } from './view.ts';

export interface ServeOptions {
  /** Address to listen on. @default '127.0.0.1' — this machine only */
  host: string;
  /** Port. @default 8737 — 0 picks a free one */
  port: number;
  /** Allow a `host` that is not loopback (the app is then reachable by anyone who has the URL). @default false */
  allowRemote: boolean;
  /** Folder for cached thumbnails. @default '' — `thumbnails/` in the store folder (see above) */
  cacheDir: string;
  /** The token; a fresh random one when empty. @default '' */
  token: string;
  /** How long a change waits for another writer of the store's people, ms. @default 10000 — as `facecluster people` */
  waitMs: number;
}

export const SERVE_DEFAULTS: Readonly<ServeOptions> = Object.freeze({
  host: '127.0.0.1', port: 8737, allowRemote: false, cacheDir: '', token: '', waitMs: PEOPLE_CHANGE_DEFAULTS.waitMs,
});

export interface RunningServer {
  /** The URL to open (with the token). */
  url: string;
  /** The URL without the token. */
  origin: string;
  host: string;
  port: number;
  token: string;
  storeDir: string;
  cacheDir: string;
  /** Whether the host is loopback (false only with allowRemote). */
  loopback: boolean;
  close(): Promise<void>;
}

/** The default thumbnail folder of a store (never inside the photo folder). */
export function defaultCacheDir(storeDir: string, photoFolder: string): string {
  return storeDir.endsWith(`/${STORE_DIRNAME}`) ? join(defaultOutputDir(photoFolder), 'thumbnails') : join(storeDir, 'thumbnails');
}

/** Starts the app over the store in `dir` (a store folder, or an old photo folder holding `.facecluster/`). */
export async function startServer(dir: string, options?: Partial<ServeOptions>): Promise<RunningServer> {
  const fn = 'startServer';
  const o = resolveOptions(fn, SERVE_DEFAULTS, options);
  checkServeHost(fn, o.host, o.allowRemote);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new FaceclusterError(fn, `port must be an integer in 0..65535, got ${JSON.stringify(o.port)}.`, 'port');
  if (typeof o.allowRemote !== 'boolean') throw new FaceclusterError(fn, `allowRemote must be true or false, got ${JSON.stringify(o.allowRemote)}.`, 'allowRemote');
  const storeDir = resolveStoreDir(dir);
  const manifest = await readManifest(storeDir);
  const cacheDir = checkOutsidePhotoFolder(fn, 'cacheDir', o.cacheDir || defaultCacheDir(storeDir, manifest.photoFolder), manifest.photoFolder);
  const token = o.token || newToken();
  const assets = await loadClientAssets();
  const views = new ViewCache(storeDir, manifest.photoFolder);
  await views.get(); // a store that cannot be read fails here, not on the first page
  let hosts: string[] | null = [];
  const app = createApp({ storeDir, views, images: new ImageCache(cacheDir, manifest.photoFolder), assets, token, hosts: () => hosts, waitMs: o.waitMs });
  const { server, port } = await new Promise<{ server: ServerType; port: number }>((resolveListen, reject) => {
    const s = serve({ fetch: app.fetch, hostname: o.host, port: o.port }, (info) => resolveListen({ server: s, port: info.port }));
    s.once('error', (e: NodeJS.ErrnoException) => reject(new FaceclusterError(fn, `cannot listen on ${o.host}:${o.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use (pick another with --port, or 0 for any free one)' : e.message}.`, 'port', { cause: e })));
  });
  const hostPart = o.host.includes(':') ? `[${o.host}]` : o.host;
  const loopback = isLoopbackHost(o.host);
  // Loopback: only this address by its own names (a DNS-rebinding page reaches it under a name of its own). Remote:
  // any name the machine is reached by (the token still guards every request).
  hosts = loopback ? [`${hostPart}:${port}`.toLowerCase(), `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`] : null;
  const origin = `http://${hostPart}:${port}`;
  return {
    url: `${origin}/?token=${token}`, origin, host: o.host, port, token, storeDir, cacheDir, loopback,
    close: () => new Promise<void>((res) => {
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      server.close(() => res());
    }),
  };
}
