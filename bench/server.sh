#!/usr/bin/env bash
# kiln serve against the CLI: the same warm Flink-layout build (a new ~20 MB job jar onto a cached ~100 MB
# base) built locally with `./kiln flink build` (JVM start included), submitted to a running `kiln serve` with
# `./kiln flink build --server` from an empty-cache client (JVM start included), and submitted with curl
# (submit to the end of the event stream). Prints each run and the medians.
# Usage: bench/server.sh [RUNS]   (default 5; loopback registries, nothing left running)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
runs=${1:-5}
kiln="$root/kiln"
"$kiln" --version >/dev/null   # builds the CLI on first use

work=$(mktemp -d /tmp/kiln-bench-server.XXXXXX)
serve_pid=
cleanup() {
  [[ -n $serve_pid ]] && kill "$serve_pid" 2>/dev/null && wait "$serve_pid" 2>/dev/null || true
  stop_registry "$work/base-registry"; stop_registry "$work/target-registry"; rm -rf "$work"
}
trap cleanup EXIT
start_registry "$work/base-registry"; base="$REGISTRY/flink:1.18-java17"
start_registry "$work/target-registry"; target=$REGISTRY
push_image "$work" "$base" 40 30 20 10

make_jar() { # make_jar N: a new job jar of ~20 MB
  rm -rf "$work/classes" && mkdir -p "$work/classes"
  head -c 20000000 /dev/urandom > "$work/classes/payload-$1.bin"
  (cd "$work/classes" && jar --create --file "$work/job.jar" --main-class dev.example.Orders .)
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

token=bench-$RANDOM$RANDOM
printf %s "$token" > "$work/token"
cat > "$work/config.yaml" <<YAML
server:
  tokens: [{name: bench, sha256: $(printf %s "$token" | sha256sum | cut -d' ' -f1), role: build}]
YAML
port=$(free_port)
java -jar "$root/kiln-cli/target/kiln.jar" serve --port "$port" --cache-dir "$work/server-cache" --config "$work/config.yaml" \
  2> "$work/serve.log" &
serve_pid=$!
url=http://127.0.0.1:$port
for _ in $(seq 1 300); do curl -fs "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# warm both: the local cache and the service's store hold the base, each JVM path has run once
make_jar 0
"$kiln" flink build --base "$base" --job-jar "$work/job.jar" --to "$target/jobs/local:0" --cache-dir "$work/local-cache" -q >/dev/null
"$kiln" flink build --base "$base" --job-jar "$work/job.jar" --to "$target/jobs/remote:0" --cache-dir "$work/client-0" -q \
  --server "$url" --token-file "$work/token" >/dev/null

local_ms=() remote_ms=() curl_ms=()
for i in $(seq 1 "$runs"); do
  make_jar "$i"
  t=$(now_ms)
  "$kiln" flink build --base "$base" --job-jar "$work/job.jar" --to "$target/jobs/local:$i" --cache-dir "$work/local-cache" -q >/dev/null
  local_ms+=($(( $(now_ms) - t )))
  make_jar "r$i"
  t=$(now_ms)
  "$kiln" flink build --base "$base" --job-jar "$work/job.jar" --to "$target/jobs/remote:$i" --cache-dir "$work/client-$i" -q \
    --server "$url" --token-file "$work/token" >/dev/null
  remote_ms+=($(( $(now_ms) - t )))
  make_jar "c$i"
  t=$(now_ms)
  id=$(curl -fs -H "Authorization: Bearer $token" \
    -F "request={\"kind\":\"flink\",\"base\":\"$base\",\"jobJar\":\"job.jar\",\"to\":\"$target/jobs/curl:$i\"};type=application/json" \
    -F "job.jar=@$work/job.jar" "$url/api/v1/builds" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  curl -fsN -H "Authorization: Bearer $token" "$url/api/v1/builds/$id/events" >/dev/null
  curl_ms+=($(( $(now_ms) - t )))
  status=$(curl -fs -H "Authorization: Bearer $token" "$url/api/v1/builds/$id" | grep -o '"status":"[a-z]*"')
  echo "run $i: local CLI ${local_ms[-1]} ms, --server ${remote_ms[-1]} ms, curl ${curl_ms[-1]} ms ($status)"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median of $runs warm Flink builds (new 20 MB job jar, 100 MB base cached):"
echo "  kiln flink build (local, JVM start included):          $(median "${local_ms[@]}") ms"
echo "  kiln flink build --server (empty-cache client, JVM):   $(median "${remote_ms[@]}") ms"
echo "  curl to a running kiln serve (submit to done):         $(median "${curl_ms[@]}") ms"
