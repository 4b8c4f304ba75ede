#!/usr/bin/env bash
# Fetches the MTCNN weights (det1.npy, det2.npy, det3.npy: P-Net, R-Net, O-Net) into models/mtcnn/.
#
#   npm run models:mtcnn                  download them from davidsandberg/facenet on GitHub (needs internet, 2 MB)
#   npm run models:mtcnn -- --from DIR    copy them from a folder you already have (e.g. a facenet checkout's src/align/)
#   npm run models:mtcnn -- --dest DIR    put them in DIR instead of models/mtcnn/ (combines with --from)
#
# The files are facenet's conversion of Zhang et al.'s Caffe models (MIT licence); each is checked against its
# SHA-256 before it is kept. facecluster reads them directly (no Python). They are looked for in
# $FACECLUSTER_MTCNN_WEIGHTS, else $FACECLUSTER_MODELS/mtcnn, else ../shared/models/mtcnn beside the checkout
# when it exists, else models/mtcnn/ (where this script puts them). See models/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
base="${MTCNN_URL:-https://github.com/davidsandberg/facenet/raw/master/src/align}"
dest="$here/mtcnn"
from=""
files=(det1.npy det2.npy det3.npy)
declare -A sha=(
  [det1.npy]=3285cf7a3de2651c5784cb9e32013f5919aae95fd1ed1bc371dd9691affb39af
  [det2.npy]=716b8b83e42476791c9096f14dbb09fefc88bf5c7ec876b1683f9acd52b3f39c
  [det3.npy]=396ead803d85d3443307ff8f45fb6aed2536579b415a4f4d4cb8f93ea6b1476a
)

usage() { echo "usage: fetch-mtcnn.sh [--from DIR] [--dest DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || usage; from="$2"; shift 2 ;;
    --dest) [ $# -ge 2 ] || usage; dest="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "fetch-mtcnn: unknown argument '$1'." >&2; usage ;;
  esac
done

check() { # check FILE NAME: exit 1 unless FILE has NAME's SHA-256
  local got
  got="$(sha256sum "$1" | cut -d' ' -f1)"
  if [ "$got" != "${sha[$2]}" ]; then
    echo "fetch-mtcnn: $1 is not facenet's $2 (SHA-256 $got, expected ${sha[$2]})." >&2
    exit 1
  fi
}

if [ -n "$from" ] && [ ! -d "$from" ]; then echo "fetch-mtcnn: --from must be an existing folder, got '$from'." >&2; exit 2; fi
if [ -n "$from" ]; then
  for f in "${files[@]}"; do
    if [ ! -f "$from/$f" ]; then echo "fetch-mtcnn: '$from' has no $f (it needs det1.npy, det2.npy, det3.npy)." >&2; exit 1; fi
  done
fi

mkdir -p "$dest"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for f in "${files[@]}"; do
  if [ -f "$dest/$f" ] && [ "$(sha256sum "$dest/$f" | cut -d' ' -f1)" = "${sha[$f]}" ]; then
    echo "$dest/$f is already there."
    continue
  fi
  if [ -n "$from" ]; then
    cp "$from/$f" "$tmp/$f"
  else
    echo "Downloading $base/$f ..."
    if ! curl -fsSL --retry 2 --connect-timeout 20 -o "$tmp/$f" "$base/$f"; then
      echo "fetch-mtcnn: could not download $base/$f (no internet here?)." >&2
      echo "Get det1.npy, det2.npy, det3.npy from https://github.com/davidsandberg/facenet/tree/master/src/align by other" >&2
      echo "means, then run: npm run models:mtcnn -- --from DIR   (or point FACECLUSTER_MTCNN_WEIGHTS at that folder)." >&2
      rmdir "$dest" 2>/dev/null || true
      exit 1
    fi
  fi
  check "$tmp/$f" "$f"
  mv "$tmp/$f" "$dest/$f"
  echo "$dest/$f: ok."
done
echo "MTCNN weights are in $dest."
