#!/usr/bin/env bash
# Encodes the labelled collections of FACECLUSTER_DATA with facecluster's default pipeline (UltraFace, 68-point
# landmarks, the default embedder) plus resnet128, into face stores under $FACECLUSTER_CACHE/stores/<name>: the
# embeddings the benchmarks (bench:transfer, bench:embedders) and anyone comparing with the README's tables use.
# This is the precomputed-embeddings path of the default embedder: the shared file
# embeddings/lfw-deepfunneled.faceapi-resnet128.jsonl holds face-api's resnet128 descriptors only.
#
#   npm run data:encode                          every collection found (all of LFW: ~13 min on 2 cores)
#   npm run data:encode -- lfw yale              only these (lfw 120faces pins yale celeba)
#   EMBEDDERS=mobilefacenet512,faceres npm run data:encode -- yale    other embedders (the first is the store's main one)
#
# Reruns resume: photos already in a store are skipped, and an embedder a store lacks is added from its stored
# detections. Read a store with openStore(dir, { embedder }) or `facecluster cluster DIR --embedder NAME`.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
data="${FACECLUSTER_DATA:-$here/../shared/data}"
cache="${FACECLUSTER_CACHE:-$here/../cache}"
embedders="${EMBEDDERS:-$(cd "$here" && node --import tsx -e "import('./lib/embed/registry.ts').then((m) => console.log(m.DEFAULT_EMBEDDER === 'resnet128' ? 'resnet128' : m.DEFAULT_EMBEDDER + ',resnet128'))")}"
declare -A folder=([lfw]=lfw-deepfunneled [120faces]=lfw-subset/120faces [pins]=devsets/pins [yale]=devsets/yale [celeba]=devsets/celeba)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(lfw 120faces pins yale celeba)
for name in "${names[@]}"; do
  rel="${folder[$name]:-}"
  if [ -z "$rel" ]; then echo "encode-collections: unknown collection '$name' (lfw 120faces pins yale celeba)." >&2; exit 2; fi
  if [ ! -d "$data/$rel" ]; then echo "encode-collections: $data/$rel not found; skipped $name."; continue; fi
  echo "== $name: $data/$rel -> $cache/stores/$name ($embedders), load $(cut -d' ' -f1-3 /proc/loadavg)"
  node "$here/bin/facecluster.js" encode "$data/$rel" --out "$cache/stores/$name" --embedder "$embedders"
done
