#!/usr/bin/env bash
# Kiln's quick start: on a fresh machine, starts a local registry, pushes a Flink-like base image
# to it, then pulls it with Kiln cold (from the registry), warm (from the verified local store),
# and with policy 'always' (one HEAD), and prints what the cache saved. Leaves nothing running.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"

work=$(mktemp -d /tmp/kiln-quickstart.XXXXXX)
trap 'stop_registry "$work/registry"; rm -rf "$work"' EXIT
export KILN_CACHE_DIR="${KILN_CACHE_DIR:-$work/cache}"
kiln="$root/kiln"
"$kiln" --version >/dev/null   # builds the CLI on first use

echo "== starting a local registry and pushing a 5-layer, ~100 MB base image"
start_registry "$work/registry"
image="$REGISTRY/flink:1.18-java17"
push_image "$work" "$image" 40 30 15 10 5
echo "   $image"

pull() {
  local label=$1
  shift
  local before json
  before=$(registry_requests "$work/registry")
  json=$("$kiln" pull "$image" --json "$@")
  local requests bytes ms source
  requests=$(grep -o '"requests" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  bytes=$(grep -o '"bytesDownloaded" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  ms=$(grep -o '"durationMs" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  source=$(grep -o '"source" : "[^"]*"' <<<"$json" | cut -d'"' -f4)
  printf '   %-26s source=%-16s requests=%-3s (registry log: %s) bytes=%-10s time=%s ms\n' \
    "$label" "$source" "$requests" "$(( $(registry_requests "$work/registry") - before ))" "$bytes" "$ms"
  eval "${label%% *}_ms=$ms; ${label%% *}_bytes=$bytes"
}

echo "== pulling with Kiln (cache: $KILN_CACHE_DIR)"
pull "cold (empty cache)"
pull "warm (if-not-present)"
pull "always (revalidate)" --policy always

echo "== the image, from the store"
"$kiln" inspect "$image" --policy never | sed 's/^/   /'
echo "== the cache"
"$kiln" cache ls | sed 's/^/   /'

echo "== summary: the warm pull made no request and downloaded nothing;"
echo "   it took ${warm_ms} ms against ${cold_ms} ms cold ($(( cold_bytes / 1000000 )) MB saved per build)."
