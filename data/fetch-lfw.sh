#!/usr/bin/env bash
# Fetches LFW (deep-funneled, 13,233 photos of 5,749 people) into data/lfw-deepfunneled/, or points the project at a
# local copy instead.
#
#   npm run data:lfw                      download from the official LFW distribution (needs internet, ~110 MB)
#   npm run data:lfw -- --from DIR        use an LFW folder you already have (DIR/<Name>/<Name>_NNNN.jpg): prints the
#                                         FACECLUSTER_DATA setting to use; nothing is copied
#
# Every tool of facecluster finds data through FACECLUSTER_DATA (default ../shared/data beside the checkout), which
# must contain lfw-deepfunneled/ (and, optionally, lfw-subset/ and embeddings/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
url="${LFW_URL:-http://vis-www.cs.umass.edu/lfw/lfw-deepfunneled.tgz}"

if [ "${1:-}" = "--from" ]; then
  src="${2:?usage: fetch-lfw.sh --from DIR}"
  if [ ! -d "$src" ]; then echo "fetch-lfw: --from must be an existing folder, got '$src'." >&2; exit 2; fi
  n=$(find "$src" -name '*.jpg' | head -20000 | wc -l)
  if [ "$n" -eq 0 ]; then echo "fetch-lfw: no .jpg photos under '$src' (expected <Name>/<Name>_NNNN.jpg)." >&2; exit 2; fi
  parent="$(cd "$src/.." && pwd)"
  echo "Found $n photos under $src."
  if [ "$(basename "$src")" = "lfw-deepfunneled" ]; then
    echo "Use it with:  export FACECLUSTER_DATA=$parent"
  else
    echo "Any photo folder works with the CLI directly:  npx facecluster run $src"
    echo "For the notebooks and benchmarks, make a folder holding it as lfw-deepfunneled/ and set FACECLUSTER_DATA to that folder."
  fi
  exit 0
fi

dest="$here/lfw-deepfunneled"
if [ -d "$dest" ] && [ -n "$(ls -A "$dest" 2>/dev/null)" ]; then echo "fetch-lfw: $dest already exists; nothing to do."; exit 0; fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
echo "Downloading $url ..."
if ! curl -fL --retry 2 --connect-timeout 20 -o "$tmp/lfw.tgz" "$url"; then
  echo "fetch-lfw: could not download $url (no internet here?)." >&2
  echo "Get lfw-deepfunneled.tgz from the LFW web site by other means, unpack it, and run: npm run data:lfw -- --from DIR" >&2
  exit 1
fi
tar -xzf "$tmp/lfw.tgz" -C "$here"
echo "LFW deep-funneled is in $dest ($(find "$dest" -name '*.jpg' | wc -l) photos). Use it with: export FACECLUSTER_DATA=$here"
