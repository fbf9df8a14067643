#!/usr/bin/env bash
# Issue 6's figures, on the realistic fixtures (bench/fixtures/make-fixtures.sh: the 235 MiB Flink 1.18 base,
# the real job jar): requests per build under each freshness rule (Kiln's own count, and the origin
# registry's access log), the bytes a pull-through mirror saves the origin, the Docker daemon level (Podman's
# API service), and `kiln cache prune` on a filled store. All registries on loopback. Writes
# bench/RESULTS-cache-levels.md.
# Usage: bench/cache-levels.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"
"$root/bench/fixtures/make-fixtures.sh" >/dev/null
fixtures=${KILN_BENCH_CACHE:-$HOME/.cache/kiln-bench}
kiln="$root/kiln"
"$kiln" --version >/dev/null
export KILN_JAVA_OPTS=-Xmx256m

work=$(mktemp -d /tmp/kiln-bench-levels.XXXXXX)
podman_pid=
cleanup() {
  for r in origin target mirror prune; do stop_registry "$work/$r"; done
  [[ -n "$podman_pid" ]] && kill "$podman_pid" 2>/dev/null && wait "$podman_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
start_registry "$work/origin"; origin=$REGISTRY
start_registry "$work/target"; target=$REGISTRY
# a pull-through cache of the origin: Debian's docker-registry with proxy.remoteurl
mirror_port=$(free_port); mkdir -p "$work/mirror/storage"
cat > "$work/mirror/config.yml" <<YAML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $work/mirror/storage } }
http: { addr: 127.0.0.1:$mirror_port, secret: kiln-local }
proxy: { remoteurl: "http://$origin" }
YAML
docker-registry serve "$work/mirror/config.yml" > "$work/mirror/access.log" 2>&1 & echo $! > "$work/mirror/pid"
mirror=127.0.0.1:$mirror_port
until curl -fs "http://$mirror/v2/" >/dev/null; do sleep 0.1; done
skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin/flink:1.18"
base="$origin/flink:1.18"
job="$fixtures/job/v1/job.jar"

# log_mark DIR / log_since DIR MARK: access-log lines of a registry after a mark: "requests bytes"
log_mark() { wc -l < "$1/access.log"; }
log_since() {
  tail -n +"$(( $2 + 1 ))" "$1/access.log" | awk '/^127\.0\.0\.1 .*" [0-9][0-9][0-9] [0-9-]+ / {
    n++; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9][0-9][0-9]$/ && $(i+1) ~ /^[0-9-]+$/) { if ($(i+1) != "-") b += $(i+1); break } }
    END { printf "%d %d\n", n, b }'
}
json_field() { grep -o "\"$1\" : [0-9]*" | head -1 | grep -o '[0-9]*$'; }
seconds() { awk -v ms="$1" 'BEGIN { printf "%.2f", ms / 1000 }'; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }

run=0
# build CACHE [FLAGS...]: one build of the job on the base; prints "exit wall_ms kiln_requests origin_requests origin_bytes"
build() {
  local cache=$1; shift
  run=$((run + 1))
  local mark start end json code=0
  mark=$(log_mark "$work/origin")
  start=$(date +%s%N)
  json=$("$kiln" build --from "$base" --add "$job:/opt/flink/usrlib/job.jar" --to "$target/jobs/levels:$run" \
    --cache-dir "$cache" --json "$@" 2>"$work/last.err") || code=$?
  end=$(date +%s%N)
  sleep 0.3   # the registry writes its access log line after the response
  echo "$code $(( (end - start) / 1000000 )) $(json_field requests <<<"$json" || echo -) $(log_since "$work/origin" "$mark")"
}

row() { # row NAME RESULT NOTE
  read -r code ms requests oreq obytes <<<"$2"
  echo "| $1 | $(seconds "$ms") | ${requests:--} | $oreq | $(mb "$obytes") | $([[ $code == 0 ]] && echo ok || echo "exit $code") | $3 |"
}

echo "freshness rules…" >&2
cache="$work/cache"
rules=()
rules+=("$(row "cold (empty store)" "$(build "$cache")" "manifest, config, 3 base layers from the origin")")
rules+=("$(row "if-not-present" "$(build "$cache" --policy if-not-present)" "")")
rules+=("$(row "never" "$(build "$cache" --policy never)" "")")
rules+=("$(row "always" "$(build "$cache" --policy always)" "one manifest HEAD")")
rules+=("$(row "revalidate, within max-age 1h" "$(build "$cache" --policy revalidate --max-age 1h)" "")")
rules+=("$(row "revalidate, past max-age" "$(build "$cache" --policy revalidate --max-age 0s)" "one manifest HEAD")")
swr=$(build "$cache" --policy stale-while-revalidate --max-age 0s)
rules+=("$(row "stale-while-revalidate, past max-age" "$swr" "no origin request on the build's path; the HEAD runs in the background (origin column)")")
rules+=("$(row "if-not-present, past --max-stale" "$(build "$cache" --policy if-not-present --max-stale 0s)" "max-stale forces one HEAD")")
kill "$(cat "$work/origin/pid")"; sleep 0.5
down_ok=$(build "$cache" --policy always --stale-if-error)
rules+=("$(row "origin down, always + stale-if-error" "$down_ok" "$(grep -o 'warning.*' "$work/last.err" | head -1 | cut -c1-110)…")")
down_fail=$(build "$cache" --policy always)
rules+=("$(row "origin down, always" "$down_fail" "$(grep -o 'error:.*' "$work/last.err" | head -1 | cut -c1-110)…")")
# the origin again, on the same port and storage
docker-registry serve "$work/origin/config.yml" >> "$work/origin/access.log" 2>&1 & echo $! > "$work/origin/pid"
until curl -fs "http://$origin/v2/" >/dev/null; do sleep 0.1; done

echo "mirror…" >&2
pull() { # pull CACHE IMAGE [FLAGS]: "exit wall_ms kiln_requests origin_requests origin_bytes source"
  local cache=$1 image=$2; shift 2
  local mark start end json code=0
  mark=$(log_mark "$work/origin"); start=$(date +%s%N)
  json=$("$kiln" pull "$image" --cache-dir "$cache" --json "$@" 2>"$work/last.err") || code=$?
  end=$(date +%s%N); sleep 0.3
  echo "$code $(( (end - start) / 1000000 )) $(json_field requests <<<"$json") $(log_since "$work/origin" "$mark") $(grep -o '"source" : "[^"]*"' <<<"$json" | cut -d'"' -f4)"
}
mirror_rows=()
# cold pulls of the base (what a cold build fetches when its target lacks the base), one new store each
m1_mark=$(log_mark "$work/mirror")
m=$(pull "$work/cache-m1" "$base" --mirror "$origin=$mirror")
mirror_rows+=("$(row "first machine, cold, through the mirror (mirror empty)" "${m% *}" "source ${m##* }; mirror served $(mb "$(log_since "$work/mirror" "$m1_mark" | cut -d' ' -f2)") MB")")
m2_mark=$(log_mark "$work/mirror")
m2=$(pull "$work/cache-m2" "$base" --mirror "$origin=$mirror")
mirror_rows+=("$(row "second machine, cold, through the mirror (mirror warm)" "${m2% *}" "source ${m2##* }; mirror served $(mb "$(log_since "$work/mirror" "$m2_mark" | cut -d' ' -f2)") MB")")
m=$(pull "$work/cache-m3" "$base" --digest-mirror "$origin=$mirror")
mirror_rows+=("$(row "third machine, cold, digest-only mirror" "${m% *}" "source ${m##* }: tags resolved at the origin, content from the mirror")")
m0=$(pull "$work/cache-m4" "$base")
mirror_rows+=("$(row "a machine without the mirror, cold" "${m0% *}" "source ${m0##* }")")
cold_bytes=$(cut -d' ' -f5 <<<"$m0")
saved=$(( cold_bytes - $(cut -d' ' -f5 <<<"$m2") ))

echo "daemon level…" >&2
pd="$work/podman"; mkdir -p "$pd/tmp"
TMPDIR="$pd/tmp" podman --root "$pd/root" --runroot "$pd/run" --tmpdir "$pd/libpod" --storage-driver vfs --events-backend file \
  --cgroup-manager cgroupfs system service --time=0 "unix://$pd/podman.sock" > "$pd/log" 2>&1 & podman_pid=$!
until curl -fs --unix-socket "$pd/podman.sock" http://d/_ping >/dev/null 2>&1; do sleep 0.1; done
pm() { podman --root "$pd/root" --runroot "$pd/run" --tmpdir "$pd/libpod" --storage-driver vfs "$@"; }
pm pull -q --tls-verify=false "$base" >/dev/null
pm tag "$base" "127.0.0.1:1/renamed/flink:1.18"
export DOCKER_HOST="unix://$pd/podman.sock"
daemon_rows=()
d=$(pull "$work/cache-d1" "$base"); daemon_rows+=("$(row "cold pull from the registry (no daemon)" "${d% *}" "source ${d##* }")")
d=$(pull "$work/cache-d2" "$base" --daemon)
daemon_rows+=("$(row "cold pull, --daemon: one docker save stream, 3 layers stored uncompressed" "${d% *}" "source ${d##* }")")
d=$(pull "$work/cache-d1" "127.0.0.1:1/renamed/flink:1.18" --daemon)
daemon_rows+=("$(row "--daemon, another name of an image whose layers the store has: no docker save" "${d% *}" "source ${d##* }")")
mark=$(log_mark "$work/origin"); start=$(date +%s%N)
"$kiln" build --from "$base" --add "$job:/opt/flink/usrlib/job.jar" --to "docker-daemon:127.0.0.1:1/jobs/levels:1" \
  --cache-dir "$work/cache-d1" -q >/dev/null 2>"$work/last.err"
end=$(date +%s%N)
daemon_rows+=("| build --to docker-daemon: (streamed docker load, 3 base layers + job) | $(seconds $(( (end - start) / 1000000 ))) | - | $(log_since "$work/origin" "$mark" | cut -d' ' -f1) | - | ok | loaded as $(pm image inspect --format '{{.Id}}' 127.0.0.1:1/jobs/levels:1 | cut -c1-12) |")

echo "prune…" >&2
start_registry "$work/prune"; prune_registry=$REGISTRY
for v in 1 2 3 4 5 6; do push_image "$work/prune-img" "$prune_registry/apps/app:v$v" 20; done
for n in 1 2 3 4; do push_image "$work/prune-img" "$prune_registry/apps/tool-$n:1" 15; done
pcache="$work/cache-p"
for v in 1 2 3 4 5 6; do "$kiln" pull "$prune_registry/apps/app:v$v" --cache-dir "$pcache" -q >/dev/null; done
for n in 1 2 3 4; do "$kiln" pull "$prune_registry/apps/tool-$n:1" --cache-dir "$pcache" -q >/dev/null; done
prune_rows=()
prune() { # prune NAME FLAGS...
  local name=$1; shift
  local start end json
  start=$(date +%s%N)
  json=$("$kiln" cache prune --cache-dir "$pcache" --json "$@")
  end=$(date +%s%N)
  prune_rows+=("| $name | \`$*\` | $(mb "$(json_field bytesBefore <<<"$json")") | $(mb "$(json_field bytesAfter <<<"$json")") | $(grep -o '"reference" : "[^"]*"' <<<"$json" | wc -l) | $(json_field blobsRemoved <<<"$json") | $(seconds $(( (end - start) / 1000000 ))) |")
}
prune "dry run" --max-size 100MB --low-watermark 60MB --dry-run
prune "keep the last 2 digests of each repository" --keep-last 2
prune "size: above 100 MB, down to 60 MB" --max-size 100MB --low-watermark 60MB
echo "store: { maxSize: 50MB, lowWatermark: 30MB }" > "$work/limit.yaml"
"$kiln" pull "$prune_registry/apps/app:v1" --cache-dir "$pcache" --config "$work/limit.yaml" >/dev/null 2>"$work/auto.err"
auto_after=$(du -sb "$pcache/store/blobs" | cut -f1)

{
  echo "# Cache levels: freshness rules, mirror, Docker daemon, prune"
  echo
  echo "\`bench/cache-levels.sh\`, measured $(date -u +%Y-%m-%dT%H:%MZ) on $(nproc) cores, code $(git -C "$root" rev-parse --short HEAD)."
  echo "Base: the realistic 235 MiB Flink 1.18.1 image of \`bench/fixtures\` (3 layers) on an origin registry; job: the real"
  echo "\`flink-examples-streaming\` jar; target, mirror (Debian's docker-registry with \`proxy.remoteurl\`) and origin on loopback;"
  echo "one run each, whole \`./kiln\` process, \`-Xmx256m\`. *Kiln requests* is the operation's own count (origin, mirror and"
  echo "target: a warm build's one request is at the target); *origin* is the origin registry's access log (requests, bytes of"
  echo "response bodies). Debian's docker-registry as a pull-through cache fetches each blob from its upstream twice when it"
  echo "first serves it (its own behaviour: Kiln asked the mirror once per blob)."
  echo
  echo "## Requests per build under each rule (base cached after the first row)"
  echo
  echo "| rule | wall s | Kiln requests | origin requests | origin MB | result | note |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rules[@]}"
  echo
  echo "## Bytes saved by a pull-through mirror"
  echo
  echo "| cold pull of the base | wall s | Kiln requests | origin requests | origin MB | result | note |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${mirror_rows[@]}"
  echo
  echo "Every machine after the first saves the origin $(mb "$saved") MB per cold build ($(mb "$cold_bytes") MB without the mirror)."
  echo
  echo "## The Docker daemon level (Podman $(podman --version | cut -d' ' -f3) API service, vfs)"
  echo
  echo "| pull | wall s | Kiln requests | origin requests | origin MB | result | note |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${daemon_rows[@]}"
  echo
  echo "## Prune on a filled store"
  echo
  echo "Store: 10 images pulled (\`apps/app\` v1–v6 of 20 MB each, \`apps/tool-1..4\` of 15 MB each; random, incompressible)."
  echo
  echo "| prune | flags | MB before | MB after | images removed | blobs removed | wall s |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${prune_rows[@]}"
  echo
  echo "Automatic cleaning: with \`store: { maxSize: 50MB, lowWatermark: 30MB }\` in the configuration, one more pull"
  echo "left the store's blobs at $(mb "$auto_after") MB ($(grep -o 'store holds.*' "$work/auto.err" | head -1 | cut -c1-120))."
} > "$root/bench/RESULTS-cache-levels.md"
cat "$root/bench/RESULTS-cache-levels.md"
