#!/usr/bin/env bash
# Installs the tslab (TypeScript) Jupyter kernel for the notebooks and builds the library bundle they import.
#   npm run notebooks:setup
# - kernel: tslab 1.0.22 (a devDependency) registered as the per-user kernel spec `tslab` (and `jslab`), its
#   command being this checkout's node_modules/.bin/tslab, with Debian's /usr/bin/python3 + jupyter;
# - bundle: notebooks/node_modules/facecluster (CommonJS build of lib/, see scripts/build-notebook-bundle.mjs).
# Check with: /usr/bin/jupyter kernelspec list
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/tslab ] || { echo "notebooks/setup.sh: node_modules/.bin/tslab is missing: run npm ci first." >&2; exit 1; }
[ -x /usr/bin/jupyter ] || { echo "notebooks/setup.sh: /usr/bin/jupyter is missing: apt-get install jupyter-nbconvert jupyter-core jupyter-client python3-nbclient python3-ipykernel jupyter-notebook." >&2; exit 1; }
node_modules/.bin/tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --user
node scripts/build-notebook-bundle.mjs
/usr/bin/jupyter kernelspec list 2>/dev/null | grep -E '^\s+tslab\s' || { echo "notebooks/setup.sh: the tslab kernel spec is not listed by jupyter kernelspec list." >&2; exit 1; }
