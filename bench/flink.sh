#!/usr/bin/env bash
# `kiln flink build` on the realistic fixtures (bench/fixtures/make-fixtures.sh): the 235 MiB Flink 1.18
# base on an "origin" registry, a real job jar (flink-examples-streaming, v1 and v2 differ in one entry),
# four real connector jars as --lib (Kafka, JDBC with their clients) and a flink-conf.yaml, pushed to a
# "target" registry; both on loopback. Cold (empty cache), warm (job v2) and no-op (same inputs), median
# of RUNS; then the FlinkDeployment of the image. Writes bench/RESULTS-flink.md.
# Usage: bench/flink.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"
runs=${1:-3}
"$root/bench/fixtures/make-fixtures.sh" >/dev/null
fixtures=${KILN_BENCH_CACHE:-$HOME/.cache/kiln-bench}
kiln="$root/kiln"
"$kiln" --version >/dev/null

work=$(mktemp -d /tmp/kiln-bench-flink.XXXXXX)
trap 'stop_registry "$work/origin"; stop_registry "$work/target"; rm -rf "$work"' EXIT
start_registry "$work/origin"
origin=$REGISTRY
start_registry "$work/target"
target_registry=$REGISTRY
skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin/flink:1.18"
echo "taskmanager.numberOfTaskSlots: 2" > "$work/flink-conf.yaml"
libs=()
for jar in flink-connector-kafka-3.1.0-1.18.jar kafka-clients-3.4.0.jar flink-connector-jdbc-3.1.2-1.18.jar postgresql-42.7.3.jar; do
  libs+=(--lib "$fixtures/job/v1/$jar")
done

build() { # build JOB_VERSION CACHE TARGET: one build; prints "wall_ms uploaded_bytes layers_reused"
  local start end json
  start=$(date +%s%N)
  json=$(KILN_JAVA_OPTS=-Xmx256m "$kiln" flink build --base "$origin/flink:1.18" --job-jar "$fixtures/job/$1/job.jar" \
    --main-class org.apache.flink.streaming.examples.wordcount.WordCount "${libs[@]}" --conf "$work/flink-conf.yaml" \
    --to "$3" --parallelism 2 --task-slots 2 --deployment-out "$work/deployment.yaml" --cache-dir "$2" --json)
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $(grep -o '"bytesUploaded" : [0-9]*' <<<"$json" | grep -o '[0-9]*$') $(grep -c '"cached" : true' <<<"$json")"
}

declare -A results
for run in $(seq 1 "$runs"); do
  # each run: an empty store and a new repository, so that cold means cold at both ends
  cache="$work/cache-$run" target="$target_registry/jobs/word-count-$run:1"
  results[cold]+="$(build v1 "$cache" "$target")"$'\n'
  results[warm]+="$(build v2 "$cache" "$target")"$'\n'
  results[noop]+="$(build v2 "$cache" "$target")"$'\n'
  echo "run $run done" >&2
done
median() { sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }
{
  echo "# kiln flink build on the realistic fixtures"
  echo
  echo "Base: \`$fixtures/base:1.18\` (235 MiB, 3 layers: Debian minbase, OpenJDK 17 JRE, Flink 1.18.1) on a loopback registry;"
  echo "job: \`job.jar\` (flink-examples-streaming 1.18.1; v2 differs in one entry), 4 \`--lib\` jars (flink-connector-kafka, kafka-clients,"
  echo "flink-connector-jdbc, postgresql: $(du -ch "${libs[@]/--lib/}" 2>/dev/null | tail -1 | cut -f1)), a flink-conf.yaml; target on loopback; \`-Xmx256m\`;"
  echo "median of $runs runs (whole process, JVM start included). Measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores."
  echo
  echo "| build | wall ms (median) | runs (ms) | bytes uploaded | layers reused (of 6) |"
  echo "|---|---|---|---|---|"
  for scenario in cold warm noop; do
    med=$(printf '%s' "${results[$scenario]}" | median)
    echo "| $scenario | ${med%% *} | $(printf '%s' "${results[$scenario]}" | cut -d' ' -f1 | paste -sd' ') | $(cut -d' ' -f2 <<<"$med") | $(cut -d' ' -f3 <<<"$med") |"
  done
  echo
  echo "The FlinkDeployment written by \`--deployment-out\` (last run):"
  echo
  echo '```yaml'
  cat "$work/deployment.yaml"
  echo '```'
} > "$root/bench/RESULTS-flink.md"
cat "$root/bench/RESULTS-flink.md"
