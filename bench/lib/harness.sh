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
  fixtures=$harness_cache main_class=org.apache.flink.streaming.examples.wordcount.WordCount
  $smoke && fixtures=$harness_cache/smoke main_class=dev.kiln.bench.job.Main
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
  for dir in "$work"/serve-*; do
    [[ -d "$dir" ]] && serve_stop "$dir"
  done
  [[ -d $work/origin-token-auth ]] && token_auth_stop "$work/origin-token-auth"
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
    token-auth)
      # one registry for the base and the images, as a private registry is used
      target_dir=$origin_dir
      token_auth_start "$origin_dir"
      origin=$REGISTRY origin_push=$REGISTRY ;;
    *) echo "unknown network $network" >&2; return 2 ;;
  esac
  cred_args=() jib_props=() skopeo_creds=()
  if [[ $network == token-auth ]]; then
    target=$origin
    cred_args=(--docker-config "$origin_dir/docker-config.json")
    jib_props=(-DsendCredentialsOverHttp=true)
    skopeo_creds=(--dest-creds "bench:$(cat "$origin_dir/password")")
  else
    start_registry "$target_dir"
    target=$REGISTRY
  fi
  skopeo copy -q --dest-tls-verify=false "${skopeo_creds[@]}" "oci:$fixtures/base:1.18" "docker://$origin_push/flink:1.18"
  # the launcher's first run of a build writes its class-data archive (as a user's first build does):
  # not a measurement, and kept out of the logs the scenarios read
  if [[ ! -f "$root/kiln-cli/target/kiln-$(stat -c '%s-%Y-%i' "$root/kiln-cli/target/kiln.jar")-build.jsa" ]]; then
    local warmup
    warmup=$(mktemp -d)
    "$root/kiln" build --from "$origin/flink:1.18" --add "$fixtures/job/v1/:/opt/flink/usrlib/" --to "$target/bench/warm-up:1" \
      --cache-dir "$warmup" --insecure-registry "$origin" "${cred_args[@]}" -q >/dev/null
    rm -rf "$warmup"
  fi
  echo "== network $network: origin $origin, target $target" >&2
  if [[ $network != token-auth && ,$tools, =~ ,kiln-serve,|,kiln-server-cli, ]]; then
    serve_start "$work/serve-$network"
    serve_warm_up
  fi
  local run tool scenario
  for run in $(seq 1 "$runs"); do
    for tool in ${tools//,/ }; do
      for scenario in ${scenarios//,/ }; do
        harness_scenario "$network" "$run" "$tool" "$scenario"
      done
    done
  done
  [[ -d $work/serve-$network ]] && serve_stop "$work/serve-$network"
  if [[ $network == token-auth ]]; then
    token_auth_stop "$origin_dir"
    return
  fi
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

# uploaded_since DIR MARK: bytes of the blobs the target received (PUTs that completed an upload: a refused
# or abandoned one moved no blob)
uploaded_since() {
  local total=0 digest file
  for digest in $(tail -n +"$(($2 + 1))" "$1/access.log" | grep -oE '"PUT /v2/[^ ]*digest=sha256(%3A|:)[0-9a-f]{64}[^"]*" 2[0-9][0-9] ' |
      grep -oE 'sha256(%3A|:)[0-9a-f]{64}' | grep -oE '[0-9a-f]{64}$'); do
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

# flink_inputs JOB: the job as a user gives it to `kiln flink build`, one argument a line: one --lib per
# dependency jar (every jar but job.jar), --job-jar, and the entry class (the real fixture's job.jar,
# flink-examples-streaming, names none in its manifest)
flink_inputs() {
  local split jar
  split=$(layered_job "$1")
  for jar in "$split"/deps/*.jar; do printf -- '--lib\n%s\n' "$jar"; done
  printf -- '--job-jar\n%s\n--main-class\n%s\n' "$split/job.jar" "$main_class"
}

# token_auth_start DIR: a registry with `auth: token` whose realm is TokenAuthServer (kiln-bench's
# main around kiln-core's test TokenServer) behind bench/net/delay-proxy.py at 25 ms each way (a 50 ms
# round trip, as an auth server far away); the user's credentials in DIR/docker-config.json, as a
# platform hands them to a build; sets REGISTRY and token_ctl (TokenAuthServer's /count port)
token_auth_start() {
  local dir=$1 _ token_port line=
  source "$root/bench/net/net.sh"
  mkdir -p "$dir"
  head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/password"
  java -cp "$bench_jar" dev.kiln.bench.TokenAuthServer bench "$dir/password" "$dir/token-root.pem" \
    > "$dir/token-server.out" 2> "$dir/token-server.log" &
  echo $! > "$dir/token-server.pid"
  for _ in $(seq 1 300); do
    line=$(grep -m1 '^token-port ' "$dir/token-server.out" || true)
    [[ -n $line ]] && break
    sleep 0.1
  done
  [[ -n $line ]] || { echo "token server did not start:" >&2; cat "$dir/token-server.log" >&2; return 1; }
  read -r _ token_port _ token_ctl <<< "$line"
  net_delay_proxy 0 "127.0.0.1:$token_port" 25 > "$dir/proxy"
  start_registry "$dir" "auth:
  token: { realm: \"http://$PROXY/token\", service: kiln-test-registry, issuer: kiln-test-token-server, rootcertbundle: $dir/token-root.pem }"
  printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$REGISTRY" "$(printf 'bench:%s' "$(cat "$dir/password")" | base64 -w0)" \
    > "$dir/docker-config.json"
}

token_auth_stop() {
  local dir=$1
  stop_registry "$dir"
  [[ -f $dir/proxy ]] && { net_delay_proxy_stop "$(cat "$dir/proxy")" 2>/dev/null || true; }
  if [[ -f $dir/token-server.pid ]]; then
    kill "$(cat "$dir/token-server.pid")" 2>/dev/null || true
    wait "$(cat "$dir/token-server.pid")" 2>/dev/null || true
  fi
  rm -f "$dir/proxy" "$dir/token-server.pid"
  token_ctl=
}

# token_count: the token requests TokenAuthServer has answered so far (-1 without a token-auth registry)
token_count() {
  if [[ -z ${token_ctl:-} ]]; then echo -1; return; fi
  curl -sf "http://127.0.0.1:$token_ctl/count" | grep -o '"tokenRequests":[0-9]*' | cut -d: -f2
}

# serve_start DIR: the network's `kiln serve`, started once: its own cache directory, a bearer token
# (only its SHA-256 in the config, as README's Service section says), 8 builds at once; sets serve_url
# and serve_auth
serve_start() {
  local dir=$1 line=
  mkdir -p "$dir"
  (umask 077 && head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$dir/token")
  cat > "$dir/config.yaml" <<YAML
server:
  tokens:
    - {name: bench, sha256: $(tr -d '\n' < "$dir/token" | sha256sum | cut -d' ' -f1), role: build}
  builds: {concurrency: 8}
YAML
  # for `serve` the launcher execs the JVM: $! is the service's own PID (its peak RSS is read from it)
  KILN_JAVA_OPTS=-Xmx256m "$root/kiln" serve --port 0 --config "$dir/config.yaml" --cache-dir "$dir/cache" \
    --insecure-registry "$origin" > "$dir/serve.out" 2> "$dir/serve.log" &
  echo $! > "$dir/pid"
  for _ in $(seq 1 300); do
    line=$(grep -m1 -o 'listening on http://[0-9.:]*$' "$dir/serve.log" || true)
    [[ -n $line ]] && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  [[ -n $line ]] || { echo "kiln serve did not start:" >&2; cat "$dir/serve.log" >&2; return 1; }
  serve_url=${line#listening on }
  serve_dir=$dir
  serve_auth="Authorization: Bearer $(cat "$dir/token")"
}

# serve_warm_up: twenty builds on the just started service, untimed, so that the timed ones meet a service that
# has been up a while (its JIT has compiled the build path): its first warm build took ~3× a settled one, and
# after six the timed warm builds still took 80-127 ms, after twenty 82-99 ms (5 runs each, 100 Mbit/s network)
serve_warm_up() {
  local i job
  tool_build kiln-server-cli "$work/client-cache" "$fixtures/job/v1" "$target/bench/serve-warm-up:1" >/dev/null
  for i in $(seq 1 20); do
    job=$fixtures/job/v$((i % 2 + 1))
    serve_request "$job" "$target/bench/serve-warm-up:1" > "$work/serve-request.json"
    serve_submit "$job"
  done
}

serve_stop() {
  local dir=$1
  [[ -f $dir/pid ]] || return 0
  kill "$(cat "$dir/pid")" 2>/dev/null || true
  wait "$(cat "$dir/pid")" 2>/dev/null || true   # its exit status is SIGTERM's
  rm -f "$dir/pid"
}

# serve_request JOB REF: the JSON of a Flink build on the service: the dependency jars by the digests the
# service holds (uploaded by an earlier `--server` build), job.jar as a part of its own
serve_request() {
  local split jar name libs= files=
  split=$(layered_job "$1")
  if [[ ! -f $split/held.json ]]; then
    for jar in "$split"/deps/*.jar; do
      name=$(basename "$jar")
      libs+="\"$name\","
      files+="\"$name\": \"sha256:$(sha256sum "$jar" | cut -c1-64)\","
    done
    printf '"libs": [%s], "files": {%s}' "${libs%,}" "${files%,}" > "$split/held.json"
  fi
  printf '{"kind": "flink", "base": "%s/flink:1.18", "jobJar": "job.jar", "mainClass": "%s", %s, "to": "%s"}' \
    "$origin" "$main_class" "$(cat "$split/held.json")" "$2"
}

# serve_submit JOB [N]: what a client without a JVM does: POST the build of serve-requestN.json
# (multipart: the request, job.jar), then follow its Server-Sent Events to the end of the stream; fails
# unless the last status is succeeded
serve_submit() {
  local answer id events=$work/serve-events${2:-}.txt
  answer=$(curl -sSf -H "$serve_auth" -F "request=<$work/serve-request${2:-}.json;type=application/json" \
    -F "job.jar=@$(layered_job "$1")/job.jar" "$serve_url/api/v1/builds")
  [[ $answer =~ \"id\"\ *:\ *\"([^\"]+)\" ]] || { echo "kiln serve answered: $answer" >&2; return 1; }
  id=${BASH_REMATCH[1]}
  curl -sSfN -H "$serve_auth" "$serve_url/api/v1/builds/$id/events" > "$events"
  grep -A1 '^event: Status' "$events" | tail -1 | grep -q '"succeeded"' ||
    { echo "the service's build $id did not succeed:" >&2; tail -5 "$events" >&2; return 1; }
}

# serve_peak_kb: the service's peak RSS since it started
serve_peak_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$(cat "$serve_dir/pid")/status"; }

# tool_build TOOL CACHE JOB TARGET_REF POLICY: one build; prints "wall_ms peak_kb", fails on failure
tool_build() {
  local tool=$1 cache=$2 job=$3 ref=$4 policy=${5:-if-not-present}
  local timing=$work/time.txt start end age=() inputs=()
  # a max-age means something only to the policies that revalidate (Kiln refuses it elsewhere)
  [[ $policy == revalidate || $policy == stale-while-revalidate ]] && age=(--max-age 0s)
  mkdir -p "$cache"
  [[ $tool == kiln-serve ]] && serve_request "$job" "$ref" > "$work/serve-request.json"
  [[ $tool =~ ^(kiln-flink|kiln-server-cli|client-inputs)$ ]] && mapfile -t inputs < <(flink_inputs "$job")
  start=$(date +%s%N)
  case $tool in
    kiln)
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" build --from "$origin/flink:1.18" \
        --add "$job/:/opt/flink/usrlib/" --to "$ref" --cache-dir "$cache" --insecure-registry "$origin" \
        --policy "$policy" "${age[@]}" "${cred_args[@]}" -q >/dev/null ;;
    kiln-layered)
      local split
      split=$(layered_job "$job")
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" build --from "$origin/flink:1.18" \
        --add "$split/deps/:/opt/flink/usrlib/" --add "$split/job.jar:/opt/flink/usrlib/" --to "$ref" --cache-dir "$cache" \
        --insecure-registry "$origin" --policy "$policy" "${age[@]}" "${cred_args[@]}" -q >/dev/null ;;
    kiln-flink)
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" flink build --base "$origin/flink:1.18" \
        "${inputs[@]}" --to "$ref" --cache-dir "$cache" \
        --insecure-registry "$origin" --policy "$policy" "${age[@]}" "${cred_args[@]}" -q >/dev/null ;;
    kiln-server-cli)
      # the client's own cache is empty: with --server it hashes every input, asks the service which it
      # lacks and uploads those (here the new job.jar)
      rm -rf "$cache" && mkdir -p "$cache"
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" flink build --base "$origin/flink:1.18" \
        "${inputs[@]}" --to "$ref" --cache-dir "$cache" \
        --server "$serve_url" --token-file "$serve_dir/token" -q >/dev/null ;;
    kiln-serve)
      serve_submit "$job" ;;
    client-start)
      KILN_JAVA_OPTS=-Xmx256m /usr/bin/time -o "$timing" -f %M "$root/kiln" --version >/dev/null ;;
    client-inputs)
      # the floor of what --server adds to the service's build: every input hashed by coreutils (two at a
      # time, as the client's two cores do) and the changed one (job.jar) put to the service by curl
      local files=() i
      for ((i = 1; i < ${#inputs[@]}; i += 2)); do
        [[ ${inputs[i - 1]} =~ ^--(lib|job-jar)$ ]] && files+=("${inputs[i]}")
      done
      /usr/bin/time -o "$timing" -f %M bash -c '
        set -euo pipefail
        url=$1 token=$2; shift 2
        jar=${!#}
        digest=$(printf "%s\0" "$@" | xargs -0 -n 8 -P 2 sha256sum | awk -v jar="$jar" "\$2 == jar { print \$1 }")
        curl -sSf -o /dev/null -X PUT -H "Authorization: Bearer $(cat "$token")" --data-binary "@$jar" "$url/api/v1/files/sha256:$digest"
      ' client-inputs "$serve_url" "$serve_dir/token" "${files[@]}" ;;
    kiln-api)
      /usr/bin/time -o "$timing" -f %M java -Xmx256m -cp "$bench_jar" dev.kiln.bench.KilnApiBuild --from "$origin/flink:1.18" \
        --add "$job/:/opt/flink/usrlib/" --to "$ref" --cache "$cache" --insecure "${cred_args[@]}" >/dev/null ;;
    jib)
      /usr/bin/time -o "$timing" -f %M java -Xmx256m "${jib_props[@]}" -cp "$bench_jar" dev.kiln.bench.JibBuild \
        --from "$origin/flink:1.18" --add "$job:/opt/flink/usrlib/" --to "$ref" --cache "$cache" --insecure "${cred_args[@]}" >/dev/null ;;
    buildah)
      mkdir -p "$cache/ctx" && rm -rf "$cache/ctx/job" && cp -r "$job" "$cache/ctx/job"
      printf 'FROM %s/flink:1.18\nCOPY job/ /opt/flink/usrlib/\n' "$origin" > "$cache/ctx/Dockerfile"
      local pull=missing
      [[ $policy == always ]] && pull=always
      /usr/bin/time -o "$timing" -f %M bash -c 'set -e
        b=(buildah --root "$1/root" --runroot "$1/runroot" --storage-driver vfs)
        "${b[@]}" bud -q --isolation chroot --pull="$2" --tls-verify=false -t "$3" "$1/ctx" >/dev/null
        "${b[@]}" push -q --tls-verify=false "$3" "docker://$3" >/dev/null' _ "$cache" "$pull" "$ref" ;;
    push-floor)
      # the target's own ingest speed: the blobs of the image kiln pushed just before (its cache, this run)
      # put into the empty target with curl, every blob at once
      /usr/bin/time -o "$timing" -f %M "$root/bench/lib/push-floor.sh" "${cache%-push-floor-*}-kiln-${cache##*-}/store" \
        "${ref%%/*}" "${ref#*/}" ;;
    skopeo)
      # a private, empty blob-info cache: skopeo's shared one would turn the copy into cross-repository
      # mounts of blobs earlier runs pushed, and the floor would measure nothing
      /usr/bin/time -o "$timing" -f %M unshare -m sh -c 'mount -t tmpfs none /var/lib/containers/cache 2>/dev/null ||
          { mkdir -p /var/lib/containers/cache && mount -t tmpfs none /var/lib/containers/cache; }
        exec skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$1" "docker://$2"' _ \
        "$origin/flink:1.18" "$ref" ;;
  esac
  end=$(date +%s%N)
  # the service's peak RSS since it started (the client here is curl)
  [[ $tool == kiln-serve ]] && serve_peak_kb > "$timing"
  echo "$(( (end - start) / 1000000 )) $(tail -1 "$timing")"
}

# marks: where the origin's and the target's access logs and the token server's count stand (sets the
# caller's om, tm, km)
marks() { om=$(log_mark "$origin_dir"); tm=$(log_mark "$target_dir"); km=$(token_count); }

# serve_parallel RUN: 8 Flink builds submitted to the service at once (pool of 8, its store warm), each
# the job's v2 to a new repository; sets the caller's marks and timing ("wall_ms service_peak_kb")
serve_parallel() {
  local i start end pids=() failed=0
  for i in $(seq 1 8); do
    serve_request "$fixtures/job/v2" "$target/bench/serve-parallel-$1-$i:1" > "$work/serve-request-$i.json"
  done
  marks
  start=$(date +%s%N)
  for i in $(seq 1 8); do
    serve_submit "$fixtures/job/v2" "-$i" &
    pids+=($!)
  done
  for i in "${pids[@]}"; do wait "$i" || failed=1; done
  end=$(date +%s%N)
  ((failed == 0)) || return 1
  timing="$(( (end - start) / 1000000 )) $(serve_peak_kb)"
}

# record NETWORK SCENARIO TOOL RUN "wall peak" ORIGIN_MARK TARGET_MARK TOKEN_MARK
record() {
  local stats tokens=-1
  stats=$(log_stats "$origin_dir" "$6")
  (($8 >= 0)) && tokens=$(($(token_count) - $8))
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" ${5% *} $stats \
    "$(uploaded_since "$target_dir" "$7")" "${5#* }" "$(heads_since "$origin_dir" "$6")" "$tokens" >> "$results"
}

harness_scenario() {
  local network=$1 run=$2 tool=$3 scenario=$4
  local cache=$work/cache/$network-$tool-$run repo="$target/bench/$tool-$run"
  local job1=$fixtures/job/v1 job2=$fixtures/job/v2 om tm km timing
  # the token-auth registry: the tools that read a Docker config, building cold, warm and no-op
  if [[ $network == token-auth && ! ( $tool =~ ^(kiln|kiln-layered|kiln-flink|kiln-api|jib)$ && $scenario =~ ^(cold|warm|noop)$ ) ]]; then
    return
  fi
  # the service: a warm build (its v1 first, untimed) and a no-op; the --server client's JVM start
  if [[ $tool == kiln-serve && ! $scenario =~ ^(warm|noop|parallel-8)$ ]]; then return; fi
  if [[ $tool == kiln-server-cli && ! $scenario =~ ^(warm|noop|client-start|client-inputs)$ ]]; then return; fi
  if [[ $scenario =~ ^client-(start|inputs)$ && $tool != kiln-server-cli ]]; then return; fi
  if [[ $tool == skopeo && $scenario != cold ]]; then return; fi
  # the registry's ingest floor, after kiln's own empty-target build (list it after kiln in --tools)
  if [[ $tool == push-floor && $scenario != empty-target ]]; then return; fi
  if [[ $scenario == parallel-8 && ! $tool =~ ^kiln(-serve)?$ ]]; then return; fi
  # base-updated compares Kiln's policies (CLI) with the peers' own re-resolution
  if [[ $scenario == base-updated && $tool == kiln-api ]]; then return; fi
  if [[ $tool =~ ^kiln-(layered|flink)$ && ! $scenario =~ ^(cold|warm|noop|empty-target)$ ]]; then return; fi
  if [[ $scenario == empty-target && $tool == buildah ]]; then return; fi
  case $scenario in
    cold)
      rm -rf "$cache"; marks
      timing=$(tool_build "$tool" "$cache" "$job1" "$repo:1") ;;
    warm)
      # through the service: the repository first gets the job's v1, as the tools' cold builds give it
      [[ $tool =~ ^kiln-serve(r-cli)?$ ]] && tool_build kiln-server-cli "$work/client-cache" "$job1" "$repo:1" >/dev/null
      marks
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1") ;;
    client-start)
      # what the --server client's time holds besides the build: the launcher and a JVM (`kiln --version`)
      marks
      timing=$(tool_build client-start "$cache" "$job2" "$repo:1") ;;
    client-inputs)
      marks
      timing=$(tool_build client-inputs "$cache" "$job2" "$repo:1") ;;
    noop)
      marks
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1") ;;
    base-updated)
      # upstream moved the base tag; each Kiln policy decides whether to notice
      skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18-updated" "docker://$origin_push/flink:1.18"
      local policy=always
      [[ $tool == kiln* ]] && policy=revalidate
      marks
      timing=$(tool_build "$tool" "$cache" "$job2" "$repo:1" "$policy")
      skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin_push/flink:1.18" ;;
    target-has-base)
      local seeded="$target/bench/seeded-$tool-$run"
      skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$origin_push/flink:1.18" "docker://$seeded:base"
      rm -rf "$cache"; marks
      timing=$(tool_build "$tool" "$cache" "$job1" "$seeded:job") ;;
    empty-target)
      # the base is in the tool's local cache (from the scenarios before), the target registry is new and
      # empty: every base layer goes up from the local copy; the origin answers at most a manifest check
      local saved_target_dir=$target_dir
      target_dir=$work/empty-$network-$tool-$run
      start_registry "$target_dir"
      marks
      timing=$(tool_build "$tool" "$cache" "$job2" "$REGISTRY/bench/$tool-$run:1")
      record "$network" "$scenario" "$tool" "$run" "$timing" "$om" "$tm" "$km"
      stop_registry "$target_dir"
      target_dir=$saved_target_dir
      echo "   $network $scenario $tool run $run: $(tail -1 "$results" | cut -f5-)" >&2
      return ;;
    parallel-8)
      if [[ $tool == kiln-serve ]]; then
        serve_parallel "$run"
        record "$network" "$scenario" "$tool" "$run" "$timing" "$om" "$tm" "$km"
        echo "   $network $scenario $tool run $run: $(tail -1 "$results" | cut -f5-)" >&2
        return
      fi
      rm -rf "$cache"; marks
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
  record "$network" "$scenario" "$tool" "$run" "$timing" "$om" "$tm" "$km"
  echo "   $network $scenario $tool run $run: $(tail -1 "$results" | cut -f5-)" >&2
}
