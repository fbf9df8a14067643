#!/usr/bin/env bash
# Kiln's quick start, end to end on this machine: starts a "remote" base registry and a "company"
# target registry on loopback, pushes a Flink-like base image to the first (made with umoci, not
# Kiln), then builds a Flink job image onto it with `kiln flink build` three times — cold (empty
# cache), warm (new job jar, base cached) and no-op (same inputs) — and prints what each cost, what
# the cache saved, and the FlinkDeployment that runs the image.
# Leaves nothing running.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"

work=$(mktemp -d /tmp/kiln-quickstart.XXXXXX)
trap 'stop_registry "$work/base-registry"; stop_registry "$work/target-registry"; rm -rf "$work"' EXIT
export KILN_CACHE_DIR="${KILN_CACHE_DIR:-$work/cache}"
kiln="$root/kiln"
"$kiln" --version >/dev/null   # builds the CLI on first use

echo "== starting a base registry and a target registry on loopback"
start_registry "$work/base-registry"
base_registry=$REGISTRY
start_registry "$work/target-registry"
target_registry=$REGISTRY
base="$base_registry/flink:1.18-java17"
target="$target_registry/jobs/orders:1"
echo "   base:   $base (4 layers, ~100 MB, made with umoci and pushed with skopeo)"
push_image "$work" "$base" 40 30 20 10
echo "   target: $target"

# a job: a jar of ~20 MB plus a configuration file
mkdir -p "$work/job/classes" "$work/job/conf"
make_jar() {
  head -c 20000000 /dev/urandom > "$work/job/classes/payload-$1.bin"
  (cd "$work/job/classes" && jar --create --file "$work/job/job.jar" --main-class dev.example.Orders .)
  rm -f "$work/job/classes/payload-$1.bin"
}
make_jar v1
echo "parallelism.default: 2" > "$work/job/conf/flink-conf.yaml"

build() { # build VAR LABEL: one build; sets VAR_ms and VAR_down
  local var=$1 label=$2 base_before target_before json
  base_before=$(registry_requests "$work/base-registry")
  target_before=$(registry_requests "$work/target-registry")
  json=$("$kiln" flink build --base "$base" --conf "$work/job/conf/flink-conf.yaml" --job-jar "$work/job/job.jar" \
    --to "$target" --parallelism 2 --deployment-out "$work/orders.yaml" --json)
  local digest ms up_n up_b down
  digest=$(grep -o '"digest" : "sha256:[0-9a-f]*"' <<<"$json" | tail -1 | cut -d'"' -f4)
  ms=$(grep -o '"durationMs" : [0-9]*' <<<"$json" | tail -1 | grep -o '[0-9]*$')
  up_n=$(grep -o '"blobsUploaded" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  up_b=$(grep -o '"bytesUploaded" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  down=$(grep -o '"bytesDownloaded" : [0-9]*' <<<"$json" | grep -o '[0-9]*$')
  printf '   %-30s %6s ms  base registry: %3s requests, %11s B down   target: %3s requests, %s blobs / %s B up\n' \
    "$label" "$ms" "$(( $(registry_requests "$work/base-registry") - base_before ))" "$down" \
    "$(( $(registry_requests "$work/target-registry") - target_before ))" "$up_n" "$up_b"
  printf -v "${var}_ms" '%s' "$ms"
  printf -v "${var}_down" '%s' "$down"
}

echo "== building $target with Kiln (cache: $KILN_CACHE_DIR)"
build cold "cold (empty cache)"
make_jar v2
build warm "warm (new job jar)"
build noop "no-op (same inputs)"

echo "== the image"
"$kiln" inspect "$target" --quiet | sed 's/^/   /'
echo "== the FlinkDeployment that runs it (by digest), written by --deployment-out"
sed 's/^/   /' "$work/orders.yaml"
echo "== summary: the warm build asked the base registry nothing and uploaded only the new job layer;"
echo "   it took ${warm_ms} ms against ${cold_ms} ms cold, and $(( cold_down / 1000000 )) MB of base layers were not downloaded again."
