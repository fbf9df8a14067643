# The benchmark harness proper, sourced by bench/run (which sets smoke, runs, networks, tools,
# scenarios, out). One build = one tool making the job image from the origin's base into the target.

harness_cache="${KILN_BENCH_CACHE:-$HOME/.cache/kiln-bench}"

harness_main() {
  "$root/scripts/install-deps.sh"
  if [[ ",$tools," == *,buildah,* ]] && ! command -v buildah >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends buildah >/dev/null
  fi
  local fixture_args=()
  $smoke && fixture_args=(--smoke)
  "$root/bench/fixtures/make-fixtures.sh" "${fixture_args[@]}" >/dev/null
  fixtures=$harness_cache
  $smoke && fixtures=$harness_cache/smoke
  (cd "$root" && mvn -q -B -DskipTests install >/dev/null)
  bench_jar="$root/kiln-bench/target/kiln-bench.jar"

  work=$(mktemp -d /tmp/kiln-bench.XXXXXX)
  trap 'harness_cleanup' EXIT
  results=$work/results.tsv
  : > "$results"
  local network
  for network in ${networks//,/ }; do
    harness_network "$network"
  done
  python3 "$root/bench/lib/report.py" "$results" "$fixtures" "$smoke" > "$out"
  echo "results: $out"
  cat "$out"
}

harness_cleanup() {
  local dir
  for dir in "$work"/origin-* "$work"/target-*; do
    [[ -d "$dir" ]] && stop_registry "$dir"
  done
  if declare -F net_down >/dev/null; then
    net_delay_proxy_stop 2>/dev/null || true
    for dir in "$work"/origin-*; do
      [[ -f "$dir/pid" ]] && net_registry_stop "$dir" 2>/dev/null || true
    done
    local name
    for name in 100mbit 100mbit50ms; do net_down "$name" 2>/dev/null || true; done
  fi
  rm -rf "$work"
}

# harness_network NAME: origin and target registries for one network, then every scenario
harness_network() {
  local network=$1
  origin_dir=$work/origin-$network
  target_dir=$work/target-$network
  case $network in
    loopback)
      start_registry "$origin_dir"
      origin=$REGISTRY origin_push=$REGISTRY ;;
    100mbit | 100mbit+50ms)
      source "$root/bench/net/net.sh"
      net_up "${network//[^a-z0-9]/}" 100mbit >/dev/null
      net_registry "${network//[^a-z0-9]/}" "$origin_dir" >/dev/null
      origin=$REGISTRY origin_push=$REGISTRY
      if [[ $network == *+50ms ]]; then
        local port
        port=$(free_port)
        net_delay_proxy "$port" "$REGISTRY" 25 >/dev/null
        origin=127.0.0.1:$port
      fi ;;
    *) echo "unknown network $network" >&2; return 2 ;;
  esac
  start_registry "$target_dir"
  target=$REGISTRY
  skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin_push/flink:1.18"
  # the launcher's first run of a build writes its class-data archive (as a user's first build does):
  # not a measurement, and kept out of the logs the scenarios read
  if [[ ! -f "$root/kiln-cli/target/kiln-$(stat -c '%s-%Y-%i' "$root/kiln-cli/target/kiln.jar")-build.jsa" ]]; then
    local warmup
    warmup=$(mktemp -d)
    "$root/kiln" build --from "$origin/flink:1.18" --add "$fixtures/job/v1/:/opt/flink/usrlib/" --to "$target/bench/warm-up:1" \
      --cache-dir "$warmup" --insecure-registry "$origin" -q >/dev/null
    rm -rf "$warmup"
  fi
  echo "== network $network: origin $origin, target $target" >&2
  local run tool scenario
  for run in $(seq 1 "$runs"); do
    for tool in ${tools//,/ }; do
      for scenario in ${scenarios//,/ }; do
        harness_scenario "$network" "$run" "$tool" "$scenario"
      done
    done
  done
  stop_registry "$origin_dir"
  stop_registry "$target_dir"
  if [[ $network != loopback ]]; then
    [[ $network == *+50ms ]] && net_delay_proxy_stop
    net_registry_stop "$origin_dir"
    net_down "${network//[^a-z0-9]/}"
  fi
}

# origin_stats DIR MARK: "requests bytes" logged by a registry since line MARK
log_stats() {
  tail -n +"$(($2 + 1))" "$1/access.log" | awk '/" [0-9][0-9][0-9] / {
    n++; for (i = 1; i < NF; i++) if ($i ~ /^[0-9][0-9][0-9]$/ && $(i-1) ~ /HTTP/) { b += $(i+1); break } }
    END { printf "%d %d\n", n, b }'
}
log_mark() { wc -l < "$1/access.log"; }
heads_since() { tail -n +"$(($2 + 1))" "$1/access.log" | grep -c '"HEAD /v2/[^ ]*/manifests/' || true; }

# uploaded_since DIR MARK: bytes of the blobs the target received (PUTs that completed an upload)
uploaded_since() {
  local total=0 digest file
  for digest in $(tail -n +"$(($2 + 1))" "$1/access.log" | grep -oE '"PUT /v2/[^ ]*digest=sha256(%3A|:)[0-9a-f]{64}' | grep -oE '[0-9a-f]{64}$'); do
    file=$1/storage/docker/registry/v2/blobs/sha256/${digest:0:2}/$digest/data
    [[ -f $file ]] && total=$((total + $(stat -c %s "$file")))
  done
  echo "$total"
}

# layered_job JOB: the job's jars split as Kiln's Flink layout puts them: the dependencies (which a new
# release of the job does not change) and job.jar, each its own layer; the image's files are the same
layered_job() {
  local job=$1 split=$work/layered/$(basename "$1")
  if [[ ! -d $split ]]; then
    mkdir -p "$split/deps"
    local jar
    for jar in "$job"/*; do
      [[ $(basename "$jar") == job.jar ]] && continue
      ln "$jar" "$split/deps/" 2>/dev/null || cp -p "$jar" "$split/deps/"
    done
    ln "$job/job.jar" "$split/job.jar" 2>/dev/null || cp -p "$job/job.jar" "$split/job.jar"
  fi
  echo "$split"
}

# tool_build TOOL CACHE JOB TARGET_REF POLICY: one build; prints "wall_ms peak_kb", fails on failure
tool_build() {
  local tool=$1 cache=$2 job=$3 ref=$4 policy=${5:-if-not-present}
  local timing=$work/time.txt start end age=()
  # a max-age means something only to the policies that revalidate (Kiln refuses it elsewhere)
  [[ $policy == revalidate || $policy == stale-while-revalidate ]] && age=(--max-age 0s)
  mkdir -p "$cache"
  start=$(date +%s%N)
  case $tool in
    kiln)
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" build --from "$origin/flink:1.18" \
        --add "$job/:/opt/flink/usrlib/" --to "$ref" --cache-dir "$cache" --insecure-registry "$origin" \
        --policy "$policy" "${age[@]}" -q >/dev/null ;;
    kiln-layered)
      local split
      split=$(layered_job "$job")
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" build --from "$origin/flink:1.18" \
        --add "$split/deps/:/opt/flink/usrlib/" --add "$split/job.jar:/opt/flink/usrlib/" --to "$ref" --cache-dir "$cache" \
        --insecure-registry "$origin" --policy "$policy" "${age[@]}" -q >/dev/null ;;
    kiln-api)
      /usr/bin/time -o "$timing" -f %M java -Xmx256m -cp "$bench_jar" dev.kiln.bench.KilnApiBuild --from "$origin/flink:1.18" \
        --add "$job/:/opt/flink/usrlib/" --to "$ref" --cache "$cache" --insecure >/dev/null ;;
    jib)
      /usr/bin/time -o "$timing" -f %M java -Xmx256m -cp "$bench_jar" dev.kiln.bench.JibBuild --from "$origin/flink:1.18" \
        --add "$job:/opt/flink/usrlib/" --to "$ref" --cache "$cache" --insecure >/dev/null ;;
    buildah)
      mkdir -p "$cache/ctx" && rm -rf "$cache/ctx/job" && cp -r "$job" "$cache/ctx/job"
      printf 'FROM %s/flink:1.18\nCOPY job/ /opt/flink/usrlib/\n' "$origin" > "$cache/ctx/Dockerfile"
      local pull=missing
      [[ $policy == always ]] && pull=always
      /usr/bin/time -o "$timing" -f %M bash -c 'set -e
        b=(buildah --root "$1/root" --runroot "$1/runroot" --storage-driver vfs)
        "${b[@]}" bud -q --isolation chroot --pull="$2" --tls-verify=false -t "$3" "$1/ctx" >/dev/null
        "${b[@]}" push -q --tls-verify=false "$3" "docker://$3" >/dev/null' _ "$cache" "$pull" "$ref" ;;
    skopeo)
      # a private, empty blob-info cache: skopeo's shared one would turn the copy into cross-repository
      # mounts of blobs earlier runs pushed, and the floor would measure nothing
      /usr/bin/time -o "$timing" -f %M unshare -m sh -c 'mount -t tmpfs none /var/lib/containers/cache 2>/dev/null ||
          { mkdir -p /var/lib/containers/cache && mount -t tmpfs none /var/lib/containers/cache; }
        exec skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$1" "docker://$2"' _ \
        "$origin/flink:1.18" "$ref" ;;
  esac
  end=$(date +%s%N)
  echo "$(( (end - start) / 1000000 )) $(tail -1 "$timing")"
}

# record NETWORK SCENARIO TOOL RUN "wall peak" ORIGIN_MARK TARGET_MARK [HEADS]
record() {
  local stats
  stats=$(log_stats "$origin_dir" "$6")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" ${5% *} $stats \
    "$(uploaded_since "$target_dir" "$7")" "${5#* }" "$(heads_since "$origin_dir" "$6")" >> "$results"
}

harness_scenario() {
  local network=$1 run=$2 tool=$3 scenario=$4
  local cache=$work/cache/$network-$tool-$run repo="$target/bench/$tool-$run"
  local job1=$fixtures/job/v1 job2=$fixtures/job/v2 om tm timing
  if [[ $tool == skopeo && $scenario != cold ]]; then return; fi
  if [[ $scenario == parallel-8 && $tool != kiln ]]; then return; fi
  # base-updated compares Kiln's policies (CLI) with the peers' own re-resolution
  if [[ $scenario == base-updated && $tool == kiln-api ]]; then return; fi
  if [[ $tool == kiln-layered && ! $scenario =~ ^(cold|warm|noop|empty-target)$ ]]; then return; fi
  if [[ $scenario == empty-target && $tool == buildah ]]; then return; fi
  case $scenario in
    cold)
      rm -rf "$cache"; om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job1" "$repo:1") ;;
    warm)
      om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1") ;;
    noop)
      om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1") ;;
    base-updated)
      # upstream moved the base tag; each Kiln policy decides whether to notice
      skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18-updated" "docker://$origin_push/flink:1.18"
      local policy=always
      [[ $tool == kiln* ]] && policy=revalidate
      om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1" "$policy")
      skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin_push/flink:1.18" ;;
    target-has-base)
      local seeded="$target/bench/seeded-$tool-$run"
      skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$origin_push/flink:1.18" "docker://$seeded:base"
      rm -rf "$cache"; om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job1" "$seeded:job") ;;
    empty-target)
      # the base is in the tool's local cache (from the scenarios before), the target registry is new and
      # empty: every base layer goes up from the local copy; the origin answers at most a manifest check
      local saved_target_dir=$target_dir
      target_dir=$work/empty-$network-$tool-$run
      start_registry "$target_dir"
      om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      timing=$(tool_build "$tool" "$cache" "$job2" "$REGISTRY/bench/$tool-$run:1")
      record "$network" "$scenario" "$tool" "$run" "$timing" "$om" "$tm"
      stop_registry "$target_dir"
      target_dir=$saved_target_dir
      echo "   $network $scenario $tool run $run: $(tail -1 "$results" | cut -f5-)" >&2
      return ;;
    parallel-8)
      rm -rf "$cache"; om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir")
      local start end i pids=()
      start=$(date +%s%N)
      for i in $(seq 1 8); do
        tool_build kiln "$cache" "$job1" "$target/bench/parallel-$run-$i:1" > "$work/parallel-$i.txt" &
        pids+=($!)
      done
      for i in "${pids[@]}"; do wait "$i"; done
      end=$(date +%s%N)
      timing="$(( (end - start) / 1000000 )) $(sort -n "$work"/parallel-*.txt | awk '{print $2}' | sort -n | tail -1)"
      local dupes
      dupes=$(tail -n +"$((om + 1))" "$origin_dir/access.log" | grep -o '"GET /v2/[^ ]*/blobs/sha256:[0-9a-f]*' | sort | uniq -d | wc -l)
      echo "parallel-8: $dupes base blobs fetched more than once" >&2 ;;
  esac
  record "$network" "$scenario" "$tool" "$run" "$timing" "$om" "$tm"
  echo "   $network $scenario $tool run $run: $(tail -1 "$results" | cut -f5-)" >&2
}
