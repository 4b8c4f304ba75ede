// Bundles the browser app of `facecluster serve` (web/src, Preact) into web/dist/app.js and app.css with esbuild.
// `npm run build:web`; `npm ci` runs it through `prepare`; lib/serve/assets.ts runs it when the bundle is missing.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildWeb() {
  await build({
    entryPoints: { app: join(here, 'src', 'main.tsx') },
    outdir: join(here, 'dist'),
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2020',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await buildWeb();
