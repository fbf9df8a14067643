# Shared by the quick start and the benchmarks: a throw-away registry and test images made with
# independent tools (umoci builds the image, skopeo pushes it), so Kiln is measured, not used, here.

# a command failing inside $(…) fails the script that sourced this, as it would outside (bash does not
# pass set -e into command substitutions by default): a failed build is never timed as a fast one
shopt -s inherit_errexit

# free_port: prints a free TCP port on loopback
# (below the kernel's ephemeral range, 32768-60999: a port there may be the local end of some outgoing
# connection, free to connect to but not to bind)
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# start_registry DIR [YAML]: starts docker-registry with storage and access log under DIR, and YAML's extra
# configuration lines (e.g. an auth: section); sets REGISTRY (another port if the one chosen was taken
# before the registry bound it)
start_registry() {
  local dir=$1 extra=${2:-} port attempt
  mkdir -p "$dir/storage"
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    cat > "$dir/config.yml" <<YAML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $dir/storage }, delete: { enabled: true } }
http: { addr: 127.0.0.1:$port, secret: kiln-local }
$extra
YAML
    docker-registry serve "$dir/config.yml" > "$dir/access.log" 2>&1 &
    echo $! > "$dir/pid"
    REGISTRY=127.0.0.1:$port
    for _ in $(seq 1 100); do
      # up once it answers: 200, or 401 from one that wants credentials
      [[ $(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/") =~ ^(200|401)$ ]] && return 0
      kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
      sleep 0.1
    done
    grep -q 'address already in use' "$dir/access.log" || break
  done
  echo "registry did not start; its log:" >&2
  cat "$dir/access.log" >&2
  return 1
}

stop_registry() {
  local dir=$1
  [[ -f "$dir/pid" ]] && kill "$(cat "$dir/pid")" 2>/dev/null || true
}

# registry_requests DIR: how many requests the registry has logged so far
registry_requests() {
  grep -c '" [0-9][0-9][0-9] ' "$1/access.log" || true
}

# push_image WORKDIR REF MB...: builds an image of one layer of random (incompressible) bytes per
# size given, in MB, with a Flink-like config, and pushes it to REF
push_image() {
  local work=$1 ref=$2
  shift 2
  rm -rf "$work/layout" "$work/rootfs"
  umoci init --layout "$work/layout" >/dev/null
  umoci new --image "$work/layout:img" >/dev/null
  local i=0 mb
  for mb in "$@"; do
    i=$((i + 1))
    rm -rf "$work/rootfs" && mkdir -p "$work/rootfs/opt/flink/lib"
    head -c "${mb}M" /dev/urandom > "$work/rootfs/opt/flink/lib/part-$i.bin"
    tar -C "$work/rootfs" --owner=0 --group=0 -cf "$work/layer.tar" .
    umoci raw add-layer --image "$work/layout:img" "$work/layer.tar" >/dev/null
  done
  umoci config --image "$work/layout:img" --os linux --architecture amd64 \
    --config.env FLINK_HOME=/opt/flink --config.env JAVA_HOME=/opt/java/openjdk \
    --config.workingdir /opt/flink --config.entrypoint /docker-entrypoint.sh --config.cmd help >/dev/null
  skopeo copy -q --dest-tls-verify=false "oci:$work/layout:img" "docker://$ref"
  rm -rf "$work/layout" "$work/rootfs" "$work/layer.tar"
}
