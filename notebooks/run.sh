#!/usr/bin/env bash
# Executes every notebook headlessly with the tslab kernel and fails if any cell fails.
#   npm run notebooks:run [-- 03]        (optional arguments: substrings of the notebook names to run)
# The executed copies (with outputs) go to out/notebooks/ (gitignored); the committed notebooks are not touched.
# Prints the time each notebook took, with the load average (the machine may be shared).
# The kernel: this checkout's tslab, registered in out/jupyter/ (JUPYTER_PATH), so the run depends on no per-user
# kernel spec (`npm run notebooks:setup` registers the per-user one for your own Jupyter). The library bundle the
# notebooks import is always rebuilt (scripts/build-notebook-bundle.mjs).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences a debugpy warning printed by Debian's python
[ -x node_modules/.bin/tslab ] || { echo "notebooks/run.sh: node_modules/.bin/tslab is missing: run npm ci first." >&2; exit 1; }
node_modules/.bin/tslab install --python=/usr/bin/python3 --binary="$PWD/node_modules/.bin/tslab" --prefix="$PWD/out/jupyter" >/dev/null || exit 1
export JUPYTER_PATH="$PWD/out/jupyter/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
node scripts/build-notebook-bundle.mjs || exit 1
outdir=out/notebooks
mkdir -p "$outdir"
failed=0; total_start=$EPOCHREALTIME; summary=""
for nb in notebooks/[0-9]*.ipynb; do
  name=$(basename "$nb")
  if [ $# -gt 0 ]; then
    keep=0; for pat in "$@"; do [[ "$name" == *"$pat"* ]] && keep=1; done
    [ $keep = 1 ] || continue
  fi
  start=$EPOCHREALTIME
  # Kernel cwd is notebooks/ (the notebook's folder), so `import ... from 'facecluster'` finds the bundle.
  if /usr/bin/jupyter nbconvert --to notebook --execute "$nb" --output-dir "$outdir" \
       --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.kernel_name=tslab --log-level=WARN; then
    status=ok
  else
    status=FAILED; failed=$((failed + 1))
  fi
  secs=$(awk "BEGIN { print $EPOCHREALTIME - $start }")
  line=$(printf '%-20s %-6s %6.1f s   (load %s)' "$name" "$status" "$secs" "$(cut -d' ' -f1-3 /proc/loadavg)")
  echo "notebooks: $line"; summary+="  $line"$'\n'
done
secs=$(awk "BEGIN { print $EPOCHREALTIME - $total_start }")
printf 'notebooks: executed copies in %s/\n%s  %-27s %6.1f s   (load %s)\n' "$outdir" "$summary" "total" "$secs" "$(cut -d' ' -f1-3 /proc/loadavg)"
if [ $failed -gt 0 ]; then echo "notebooks: $failed notebook(s) failed (see the cell error above)." >&2; exit 1; fi
