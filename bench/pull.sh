#!/usr/bin/env bash
# Cold and warm `kiln pull` of a 5-layer, ~300 MB image (incompressible layers) from a registry on
# loopback: requests (Kiln's count and the registry's access log), bytes and time, median of RUNS.
# Usage: bench/pull.sh [RUNS]   (layer sizes in MB can be set with LAYERS="60 60 60 60 60")
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"
runs=${1:-3}
read -r -a layers <<<"${LAYERS:-60 60 60 60 60}"

work=$(mktemp -d /tmp/kiln-bench-pull.XXXXXX)
trap 'stop_registry "$work/registry"; rm -rf "$work"' EXIT
kiln="$root/kiln"
"$kiln" --version >/dev/null
start_registry "$work/registry"
image="$REGISTRY/bench/flink:1.18"
push_image "$work" "$image" "${layers[@]}"

field() { grep -o "\"$1\" : [0-9]*" <<<"$2" | grep -o '[0-9]*$'; }

measure() { # measure LABEL CACHE ARGS...: one pull, prints "label wall_ms kiln_ms requests logged bytes"
  local label=$1 cache=$2
  shift 2
  local before start end json
  before=$(registry_requests "$work/registry")
  start=$(date +%s%N)
  json=$(KILN_CACHE_DIR=$cache "$kiln" pull "$image" --json "$@")
  end=$(date +%s%N)
  echo "$label $(( (end - start) / 1000000 )) $(field durationMs "$json") $(field requests "$json") \
$(( $(registry_requests "$work/registry") - before )) $(field bytesDownloaded "$json")"
}

results=$work/results
for run in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  skopeo copy -q --src-tls-verify=false "docker://$image" "dir:$work/skopeo-$run"
  end=$(date +%s%N)
  echo "skopeo $(( (end - start) / 1000000 )) - - - -" >> "$results"
  rm -rf "$work/skopeo-$run"
  cache=$work/cache-$run
  measure cold "$cache" >> "$results"
  measure warm "$cache" >> "$results"
  measure always "$cache" --policy always >> "$results"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "image: $image, layers (MB): ${layers[*]}, runs: $runs, $(nproc) cores, $(java -version 2>&1 | head -1)"
echo "skopeo: 'skopeo copy docker://… dir:…' of the same image, the transfer floor (no verification store, no fsync)"
printf '| pull | wall ms (median) | in-process ms (median) | requests (Kiln) | requests (registry log) | bytes downloaded |\n'
printf '|---|---|---|---|---|---|\n'
for label in skopeo cold warm always; do
  rows=$(grep "^$label " "$results")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$label" \
    "$(awk '{print $2}' <<<"$rows" | median)" "$(awk '{print $3}' <<<"$rows" | median)" \
    "$(awk '{print $4}' <<<"$rows" | sort -u | paste -sd/)" "$(awk '{print $5}' <<<"$rows" | sort -u | paste -sd/)" \
    "$(awk '{print $6}' <<<"$rows" | sort -u | paste -sd/)"
done
