/**
 * The bundled client of `facecluster serve` (web/, Preact, bundled by esbuild into `web/dist/` at build time:
 * `npm run build:web`, run by `npm ci` through `prepare`; shipped with the package) and the one HTML page that
 * loads it. When the bundle is missing (a checkout installed with scripts off), it is built once from web/ with
 * esbuild if that is installed; otherwise the server refuses to start, saying how to build it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FaceclusterError } from '../errors.ts';
import { escapeHtml } from '../viz/escape.ts';
import { PROJECT_ROOT } from '../paths.ts';

export const WEB_DIST = join(PROJECT_ROOT, 'web', 'dist');

export interface ClientAssets {
  js(): Uint8Array;
  css(): Uint8Array;
  /** The app's page: the token (for the header of changes) in a meta tag, the bundle. */
  page(token: string, header: string): string;
}

/** Loads the bundle (building it first when missing and web/build.mjs with esbuild is there). */
export async function loadClientAssets(): Promise<ClientAssets> {
  const js = join(WEB_DIST, 'app.js');
  const css = join(WEB_DIST, 'app.css');
  if (!existsSync(js) || !existsSync(css)) {
    const builder = join(PROJECT_ROOT, 'web', 'build.mjs');
    try {
      const mod = (await import(pathToFileURL(builder).href)) as { buildWeb: () => Promise<void> };
      await mod.buildWeb();
    } catch (e) {
      throw new FaceclusterError('serve', `the browser app is not built (${js} is missing) and building it failed: ${(e as Error).message}. Run \`npm run build:web\`.`, undefined, { cause: e });
    }
  }
  const bytes = { js: readFileSync(js), css: readFileSync(css) };
  return {
    js: () => bytes.js,
    css: () => bytes.css,
    page: (token, header) => `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="facecluster-token" content="${escapeHtml(token)}" data-header="${escapeHtml(header)}">
<title>facecluster: people</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<div id="app"></div>
<script type="module" src="/assets/app.js"></script>
</body>
</html>
`,
  };
}
