#!/usr/bin/env bash
# Cold, warm and no-op `kiln build` of a job image: a ~300 MB, 5-layer base (incompressible layers)
# on a "base" registry, a ~50 MB job jar (a real jar: a zip of random, incompressible entries) plus a
# config file, pushed to a separate "target" registry; both registries on loopback. Reports time,
# requests to each registry (from their access logs) and bytes, median of RUNS.
# Usage: bench/build.sh [RUNS]   (BASE_LAYERS="60 60 60 60 60" JAR_MB=50 to change the sizes)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"
runs=${1:-3}
read -r -a base_layers <<<"${BASE_LAYERS:-60 60 60 60 60}"
jar_mb=${JAR_MB:-50}

work=$(mktemp -d /tmp/kiln-bench-build.XXXXXX)
trap 'stop_registry "$work/base-registry"; stop_registry "$work/target-registry"; rm -rf "$work"' EXIT
kiln="$root/kiln"
"$kiln" --version >/dev/null
start_registry "$work/base-registry"
base="$REGISTRY/flink:1.18-java17"
start_registry "$work/target-registry"
target_registry=$REGISTRY
push_image "$work" "$base" "${base_layers[@]}"

mkdir -p "$work/job/conf" "$work/job/classes"
echo "parallelism.default: 4" > "$work/job/conf/flink-conf.yaml"
make_jar() { # make_jar VERSION: a jar of jar_mb MB whose content differs per version
  rm -rf "$work/job/classes" && mkdir -p "$work/job/classes"
  for i in $(seq 1 10); do head -c $((jar_mb * 100000)) /dev/urandom > "$work/job/classes/part-$i.bin"; done
  echo "$1" > "$work/job/classes/version.txt"
  (cd "$work/job/classes" && jar --create --no-compress --file "$work/job/job.jar" .)
}

field() { grep -o "\"$1\" : [0-9]*" <<<"$2" | tail -1 | grep -o '[0-9]*$'; }

measure() { # measure LABEL CACHE: one build, prints "label wall_ms kiln_ms base_requests target_requests bytes_down bytes_up"
  local label=$1 cache=$2 b t start end json
  b=$(registry_requests "$work/base-registry")
  t=$(registry_requests "$work/target-registry")
  start=$(date +%s%N)
  json=$(KILN_CACHE_DIR=$cache "$kiln" build --from "$base" --add "$work/job/conf/:/opt/flink/conf/" \
    --add "$work/job/job.jar:/opt/flink/usrlib/job.jar" --to "$target_registry/jobs/job-$cache_id:1" --json)
  end=$(date +%s%N)
  echo "$label $(( (end - start) / 1000000 )) $(field durationMs "$json") $(( $(registry_requests "$work/base-registry") - b )) \
$(( $(registry_requests "$work/target-registry") - t )) $(field bytesDownloaded "$json") $(field bytesUploaded "$json")"
}

results=$work/results
for run in $(seq 1 "$runs"); do
  cache_id=$run
  make_jar "v1-$run"
  measure cold "$work/cache-$run" >> "$results"
  make_jar "v2-$run"
  measure warm "$work/cache-$run" >> "$results"
  measure no-op "$work/cache-$run" >> "$results"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "base: ${base_layers[*]} MB layers; job jar: $(du -m "$work/job/job.jar" | cut -f1) MB; runs: $runs; $(nproc) cores; $(java -version 2>&1 | head -1)"
printf '| build | wall ms (median) | in-process ms (median) | requests to base registry | requests to target | bytes downloaded | bytes uploaded |\n'
printf '|---|---|---|---|---|---|---|\n'
for label in cold warm no-op; do
  rows=$(grep "^$label " "$results")
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
    "$(awk '{print $2}' <<<"$rows" | median)" "$(awk '{print $3}' <<<"$rows" | median)" \
    "$(awk '{print $4}' <<<"$rows" | sort -u | paste -sd/)" "$(awk '{print $5}' <<<"$rows" | sort -u | paste -sd/)" \
    "$(awk '{print $6}' <<<"$rows" | median)" "$(awk '{print $7}' <<<"$rows" | median)"
done
cold=$(grep '^cold ' "$results" | awk '{print $2}' | median)
warm=$(grep '^warm ' "$results" | awk '{print $2}' | median)
echo "warm/cold wall time: $(awk -v w="$warm" -v c="$cold" 'BEGIN {printf "%.2f", w / c}')"
