#!/usr/bin/env bash
# Executes every notebook headlessly with the tslab kernel and fails if any cell fails.
#   npm run notebooks:run [-- 03]        (optional arguments: substrings of the notebook names to run)
# The executed copies (with outputs) go to out/notebooks/ (gitignored); the committed notebooks are not touched.
# Prints the time each notebook took. Installs the kernel first when it is missing (notebooks/setup.sh) and
# always rebuilds the library bundle the notebooks import (scripts/build-notebook-bundle.mjs).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYDEVD_DISABLE_FILE_VALIDATION=1   # silences a debugpy warning printed by Debian's python
kernels=$(/usr/bin/jupyter kernelspec list 2>/dev/null || true)   # (grep -q on a pipe would SIGPIPE jupyter)
if ! grep -qE '^\s+tslab\s' <<<"$kernels"; then
  bash notebooks/setup.sh || exit 1
else
  node scripts/build-notebook-bundle.mjs || exit 1
fi
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
  line=$(printf '%-20s %-6s %6.1f s' "$name" "$status" "$secs")
  echo "notebooks: $line"; summary+="  $line"$'\n'
done
secs=$(awk "BEGIN { print $EPOCHREALTIME - $total_start }")
printf 'notebooks: executed copies in %s/\n%s  %-27s %6.1f s\n' "$outdir" "$summary" "total" "$secs"
if [ $failed -gt 0 ]; then echo "notebooks: $failed notebook(s) failed (see the cell error above)." >&2; exit 1; fi
