#!/usr/bin/env bash
# Exports the executed notebooks (out/notebooks/, from `npm run notebooks:run`) to self-contained HTML pages in
# out/html/: charts as inline PNG (the static image each chart bundle carries), tables as HTML, no script and
# nothing loaded from a CDN, so a page can be mailed or opened offline.
#   npm run notebooks:html [-- 04]      (optional arguments: substrings of the notebook names to export)
# Fails when a page would load anything from the network (a <script src>, <link href>, <img src> or CSS url()).
set -uo pipefail
cd "$(dirname "$0")/.."
export PYDEVD_DISABLE_FILE_VALIDATION=1
indir=out/notebooks; outdir=out/html
files=()
for nb in "$indir"/[0-9]*.ipynb; do
  [ -e "$nb" ] || { echo "notebooks:html: no executed notebooks in $indir/: run npm run notebooks:run first." >&2; exit 1; }
  name=$(basename "$nb")
  if [ $# -gt 0 ]; then
    keep=0; for pat in "$@"; do [[ "$name" == *"$pat"* ]] && keep=1; done
    [ $keep = 1 ] || continue
  fi
  files+=("$nb")
done
[ ${#files[@]} -gt 0 ] || { echo "notebooks:html: no executed notebook matches $*." >&2; exit 1; }
mkdir -p "$outdir"
/usr/bin/jupyter nbconvert --to html --template offline \
  --TemplateExporter.extra_template_basedirs="$PWD/notebooks/html-template" \
  --output-dir "$outdir" --log-level=WARN "${files[@]}" || exit 1
status=0
for nb in "${files[@]}"; do
  page="$outdir/$(basename "${nb%.ipynb}").html"
  remote=$(grep -oiE '<(script|link|img|iframe)[^>]+(src|href)="(https?:)?//[^"]*"|url\((["'"'"']?)(https?:)?//[^)]*\)' "$page" | head -3)
  if [ -n "$remote" ]; then echo "notebooks:html: $page loads from the network: $remote" >&2; status=1; fi
  printf 'notebooks:html: %-28s %6s KB\n' "$page" "$(( $(stat -c %s "$page") / 1024 ))"
done
exit $status
