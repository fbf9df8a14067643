# shellcheck shell=bash disable=SC2034
# Network helpers for the benchmarks: a registry "far away" from Kiln, on one machine.
#
#   source bench/net/net.sh
#   net_up NAME RATE                  namespace kiln-NAME behind a veth pair, both directions shaped to
#                                     RATE (tc tbf: 100mbit, 1gbit, 20mbit, ...; "none" = unshaped);
#                                     prints the namespace's address, sets NET_ADDR (and NET_HOST_ADDR)
#   net_down NAME                     removes it (the veth pair, the namespace; processes left inside
#                                     it are stopped by PID)
#   net_addr NAME                     prints the namespace's address
#   net_registry NAME DIR             docker-registry inside kiln-NAME on NET_ADDR:5000, storage, config,
#                                     pid and access log under DIR; prints and sets REGISTRY
#   net_registry_stop DIR             stops it
#   net_delay_proxy [HOST:]PORT TARGET_HOST:PORT DELAY_MS [--handshake]
#                                     bench/net/delay-proxy.py in the background: listens on
#                                     HOST:PORT (default 127.0.0.1; PORT 0 = a free port) and forwards to
#                                     TARGET adding DELAY_MS to each direction (RTT = 2 x DELAY_MS);
#                                     --handshake also charges each new connection one RTT, as TCP's
#                                     handshake does; prints and sets PROXY (HOST:PORT)
#   net_delay_proxy_stop [[HOST:]PORT]  stops that proxy, or every proxy this shell started
#
# Needs root, iproute2 (ip, tc), curl, docker-registry, python3. Addresses: 10.213.X.0/30 per
# namespace (X in 1..254, NET_SUBNET_PREFIX to change "10.213"); 10.213.X.1 is the root namespace's
# end, 10.213.X.2 the namespace's. Nothing is routed anywhere else: the namespace has no default route.
#
# Shaping: tbf on the root end's egress (what the root namespace sends: requests, uploads) and on the
# namespace end's egress (what the registry sends: downloads). Token bucket "burst" is RATE x
# NET_TBF_BURST_MS (default 2 ms, at least 32 KB), queue "latency" NET_TBF_LATENCY (default 20ms).
# netem is not available on these kernels; latency comes from the delay proxy instead.

NET_STATE_DIR=${NET_STATE_DIR:-/tmp/kiln-net}
NET_SUBNET_PREFIX=${NET_SUBNET_PREFIX:-10.213}
NET_TBF_BURST_MS=${NET_TBF_BURST_MS:-2}
NET_TBF_LATENCY=${NET_TBF_LATENCY:-20ms}
NET_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NET_PROXY_PIDS=()

_net_err() { echo "net: $*" >&2; }

_net_ns_exists() { ip netns list 2>/dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'; }

# _net_rate_bytes RATE: tc rate -> bytes per second (bit, kbit, mbit, gbit, tbit, bps, kbps, mbps, gbps,
# and the binary kibit/mibit/gibit/kibps/mibps/gibps)
_net_rate_bytes() {
  local r=${1,,} n unit mult
  [[ $r =~ ^([0-9]+)([a-z]*)$ ]] || { _net_err "bad rate '$1'"; return 1; }
  n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]}
  case $unit in
    ''|bit) mult=1 ;; kbit) mult=1000 ;; mbit) mult=1000000 ;; gbit) mult=1000000000 ;;
    tbit) mult=1000000000000 ;; kibit) mult=1024 ;; mibit) mult=1048576 ;; gibit) mult=1073741824 ;;
    bps) mult=8 ;; kbps) mult=8000 ;; mbps) mult=8000000 ;; gbps) mult=8000000000 ;;
    kibps) mult=8192 ;; mibps) mult=8388608 ;; gibps) mult=8589934592 ;;
    *) _net_err "bad rate unit '$unit' in '$1'"; return 1 ;;
  esac
  echo $((n * mult / 8))
}

# net_addr NAME: the namespace's address
net_addr() {
  local out
  out=$(ip -n "kiln-$1" -4 -o addr show dev kiln0 2>/dev/null) || return 1
  [[ $out =~ inet\ ([0-9.]+)/ ]] || return 1
  echo "${BASH_REMATCH[1]}"
}

# _net_shape DEV RATE [ip -n NS]: tbf on DEV's egress
_net_shape() {
  local dev=$1 rate=$2 ns=${3:-} bps burst
  bps=$(_net_rate_bytes "$rate") || return 1
  burst=$((bps * NET_TBF_BURST_MS / 1000))
  if ((burst < 32768)); then burst=32768; fi
  if [[ -n $ns ]]; then
    tc -n "$ns" qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency "$NET_TBF_LATENCY"
  else
    tc qdisc replace dev "$dev" root tbf rate "$rate" burst "$burst" latency "$NET_TBF_LATENCY"
  fi
}

# net_up NAME RATE
net_up() {
  local name=$1 rate=${2:-}
  local ns=kiln-$name x start sum host i
  [[ -n $name && -n $rate ]] || { _net_err "usage: net_up NAME RATE (e.g. 100mbit, or none)"; return 2; }
  [[ $rate == none ]] || _net_rate_bytes "$rate" >/dev/null || return 2
  [[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || { _net_err "bad NAME '$name' (letters, digits, _ . -)"; return 2; }
  if _net_ns_exists "$ns"; then
    _net_err "namespace $ns exists already (net_down $name first)"
    return 1
  fi
  # a /30 per NAME: start from a hash of NAME, take the first 10.213.X.0/30 nobody uses
  sum=$(printf '%s' "$name" | cksum | awk '{print $1}')
  start=$((sum % 254 + 1))
  for ((i = 0; i < 254; i++)); do
    x=$(((start - 1 + i) % 254 + 1))
    ip link show "kiln-v$x" >/dev/null 2>&1 && continue
    [[ -n $(ip -4 -o addr show to "$NET_SUBNET_PREFIX.$x.0/30" 2>/dev/null) ]] && continue
    ip -4 route show to match "$NET_SUBNET_PREFIX.$x.1" 2>/dev/null | awk '$1 != "default" { f = 1 } END { exit !f }' &&
      continue
    break
  done
  ((i < 254)) || { _net_err "no free /30 left in $NET_SUBNET_PREFIX.0.0/16"; return 1; }
  host=$NET_SUBNET_PREFIX.$x.1
  NET_ADDR=$NET_SUBNET_PREFIX.$x.2
  NET_HOST_ADDR=$host
  {
    ip netns add "$ns" &&
      ip link add "kiln-v$x" type veth peer name kiln0 netns "$ns" &&
      ip addr add "$host/30" dev "kiln-v$x" &&
      ip link set "kiln-v$x" up &&
      ip -n "$ns" addr add "$NET_ADDR/30" dev kiln0 &&
      ip -n "$ns" link set lo up &&
      ip -n "$ns" link set kiln0 up
  } || { _net_err "could not set up $ns"; net_down "$name"; return 1; }
  if [[ $rate != none ]]; then
    { _net_shape "kiln-v$x" "$rate" && _net_shape kiln0 "$rate" "$ns"; } ||
      { _net_err "could not shape $ns to $rate"; net_down "$name"; return 1; }
  fi
  # wait for both ends to have carrier
  for _ in $(seq 1 50); do
    [[ $(cat "/sys/class/net/kiln-v$x/operstate" 2>/dev/null) == up &&
      $(ip -n "$ns" -br link show dev kiln0 2>/dev/null | awk '{print $2}') == UP ]] && break
    sleep 0.05
  done
  echo "$NET_ADDR"
}

# net_down NAME
net_down() {
  local name=$1 ns=kiln-$1 addr x pids=()
  [[ -n $name ]] || { _net_err "usage: net_down NAME"; return 2; }
  addr=$(net_addr "$name" || true)
  if _net_ns_exists "$ns"; then
    mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null || true)
    if ((${#pids[@]})); then
      _net_err "stopping processes left in $ns: ${pids[*]}"
      kill "${pids[@]}" 2>/dev/null || true
      for _ in $(seq 1 50); do
        [[ -z $(ip netns pids "$ns" 2>/dev/null || true) ]] && break
        sleep 0.1
      done
      mapfile -t pids < <(ip netns pids "$ns" 2>/dev/null || true)
      if ((${#pids[@]})); then kill -9 "${pids[@]}" 2>/dev/null || true; fi
    fi
  fi
  if [[ -n $addr ]]; then
    x=${addr#"$NET_SUBNET_PREFIX".}
    x=${x%%.*}
    ip link del "kiln-v$x" 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
  return 0
}

# net_registry NAME DIR
net_registry() {
  local name=$1 dir=$2 addr
  [[ -n $name && -n $dir ]] || { _net_err "usage: net_registry NAME DIR"; return 2; }
  addr=$(net_addr "$name" || true)
  [[ -n $addr ]] || { _net_err "no namespace kiln-$name (net_up $name RATE first)"; return 1; }
  mkdir -p "$dir/storage"
  dir=$(cd "$dir" && pwd)
  cat > "$dir/config.yml" <<YAML
version: 0.1
log: { level: error }
storage: { filesystem: { rootdirectory: $dir/storage }, delete: { enabled: true } }
http: { addr: $addr:5000, secret: kiln-local }
YAML
  # ip netns exec execs the command: $! is docker-registry's PID
  ip netns exec "kiln-$name" docker-registry serve "$dir/config.yml" > "$dir/access.log" 2>&1 &
  echo $! > "$dir/pid"
  REGISTRY=$addr:5000
  for _ in $(seq 1 100); do
    if curl -fs --max-time 2 "http://$REGISTRY/v2/" >/dev/null 2>&1; then
      echo "$REGISTRY"
      return 0
    fi
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  _net_err "registry in kiln-$name did not start; its log:"
  cat "$dir/access.log" >&2
  net_registry_stop "$dir"
  return 1
}

# _net_stop_pid PID [WORD]: TERM, wait up to 5 s, KILL; with WORD, only if PID's command line has it
# (a stale pid file must not stop a process that reused the PID)
_net_stop_pid() {
  local pid=$1 word=${2:-}
  [[ $pid =~ ^[0-9]+$ ]] || return 0
  if [[ -n $word ]] && ! tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$word"; then
    return 0
  fi
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
  return 0
}

# net_registry_stop DIR
net_registry_stop() {
  local dir=$1
  [[ -f $dir/pid ]] || return 0
  _net_stop_pid "$(cat "$dir/pid")" "$dir/config.yml"
  rm -f "$dir/pid"
}

# net_delay_proxy [HOST:]PORT TARGET_HOST:PORT DELAY_MS [delay-proxy.py options]
net_delay_proxy() {
  local listen=$1 target=$2 delay=$3 host port py log pidf line
  shift 3 2>/dev/null || { _net_err "usage: net_delay_proxy [HOST:]PORT TARGET_HOST:PORT DELAY_MS [--handshake]"; return 2; }
  [[ -n $listen && -n $target && -n $delay ]] || { _net_err "usage: net_delay_proxy [HOST:]PORT TARGET_HOST:PORT DELAY_MS [--handshake]"; return 2; }
  if [[ $listen == *:* ]]; then host=${listen%:*} port=${listen##*:}; else host=127.0.0.1 port=$listen; fi
  py=${NET_PYTHON:-$([[ -x /usr/bin/python3 ]] && echo /usr/bin/python3 || echo python3)}
  mkdir -p "$NET_STATE_DIR"
  log=$NET_STATE_DIR/proxy-$host-$port-$$.log
  : > "$log"
  "$py" "$NET_DIR/delay-proxy.py" --listen "$host:$port" --target "$target" --delay-ms "$delay" "$@" \
    > "$log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    line=$(grep -m1 '^listening on ' "$log" 2>/dev/null || true)
    [[ -n $line ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ -z $line ]]; then
    _net_err "delay proxy did not start; its log:"
    cat "$log" >&2
    _net_stop_pid "$pid"
    return 1
  fi
  PROXY=${line#listening on }
  PROXY=${PROXY%% *}
  port=${PROXY##*:}
  pidf=$NET_STATE_DIR/proxy-$host-$port.pid
  echo "$pid" > "$pidf"
  mv -f "$log" "$NET_STATE_DIR/proxy-$host-$port.log"
  NET_PROXY_PIDS+=("$pid:$pidf")
  echo "$PROXY"
}

# net_delay_proxy_stop [[HOST:]PORT]: that proxy, or all proxies started by this shell
net_delay_proxy_stop() {
  local listen=${1:-} host port pidf entry keep=()
  if [[ -n $listen ]]; then
    if [[ $listen == *:* ]]; then host=${listen%:*} port=${listen##*:}; else host=127.0.0.1 port=$listen; fi
    pidf=$NET_STATE_DIR/proxy-$host-$port.pid
    [[ -f $pidf ]] || { _net_err "no proxy on $host:$port"; return 1; }
    _net_stop_pid "$(cat "$pidf")" delay-proxy.py
    rm -f "$pidf"
    for entry in "${NET_PROXY_PIDS[@]}"; do [[ ${entry#*:} == "$pidf" ]] || keep+=("$entry"); done
    NET_PROXY_PIDS=("${keep[@]}")
    return 0
  fi
  for entry in "${NET_PROXY_PIDS[@]}"; do
    _net_stop_pid "${entry%%:*}" delay-proxy.py
    rm -f "${entry#*:}"
  done
  NET_PROXY_PIDS=()
}
