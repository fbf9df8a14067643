#!/usr/bin/env bash
# Self-check of bench/net: a registry in a shaped namespace, reached directly and through the delay proxy.
#
#   bench/net/check.sh            (root; RATE=100mbit DELAY_MS=25 MB=50 SAMPLES=10 by default)
#
# Pushes a random blob of MB MiB with curl (POST + monolithic PUT ?digest=) and downloads it back,
# directly over the shaped link, through the delay proxy, and (for reference) over an unshaped link
# directly and through the proxy; times small requests (GET /v2/) directly and through the proxy, on
# new connections, on a reused connection and with --handshake. Prints a table, exits 1 if a figure is
# off (bulk over the shaped link above 102% of what TCP carries at RATE, or below 85% of that or of
# what the registry took unshaped if that is less; a proxied round trip under 2 x DELAY_MS; a blob that
# came back different). Everything it set up is torn down on exit, failed or not.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RATE=${RATE:-100mbit}
DELAY_MS=${DELAY_MS:-25}
MB=${MB:-50}
SAMPLES=${SAMPLES:-10}

WORK=$(mktemp -d /tmp/kiln-net-check.XXXXXX)
export NET_STATE_DIR=$WORK/state
# shellcheck source=net.sh
source "$HERE/net.sh"

UP=() # the namespaces this run made (another run's kiln-check is not ours to remove)
cleanup() {
  set +e
  # shellcheck disable=SC2119
  net_delay_proxy_stop
  net_registry_stop "$WORK/reg"
  net_registry_stop "$WORK/reg-fast"
  for name in "${UP[@]}"; do net_down "$name"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail=0
LAT=() BULK=()
check() { # check OK-CONDITION(0/1) MESSAGE
  if [[ $1 != 1 ]]; then echo "FAIL: $2" >&2; fail=1; fi
}
calc() { awk "BEGIN { print $* }"; }

rate_bytes=$(_net_rate_bytes "$RATE") || { echo "RATE must be a tc rate (100mbit, 1gbit, ...)" >&2; exit 2; }
# what TCP can carry over RATE: 1448 B of payload (timestamps on) per 1514 B frame on the wire; tbf
# counts the Ethernet header but no preamble/FCS/gap
goodput=$(calc "$rate_bytes * 1448 / 1514")

head -c "${MB}M" /dev/urandom > "$WORK/blob"
SIZE=$(stat -c %s "$WORK/blob")

# bulk LABEL BASE [PUSH_CEILING PULL_CEILING]: push a fresh random blob to BASE (http://host:port),
# then download it; sets PUSH_RATE and PULL_RATE (B/s; the pull's after its first byte). Given
# ceilings (B/s), the rates must be at least 85% of them and at most 102% of the link's goodput.
bulk() {
  local label=$1 base=$2 push_ceiling=${3:-} pull_ceiling=${4:-} digest loc t ttfb code
  # a fresh blob per path (the registry would otherwise have it already): new first 32 bytes
  head -c 32 /dev/urandom | dd of="$WORK/blob" conv=notrunc status=none
  digest=sha256:$(sha256sum "$WORK/blob" | cut -d' ' -f1)
  loc=$(curl -fsS -X POST -D - -o /dev/null "$base/v2/test/blobs/uploads/" |
    awk 'tolower($1) == "location:" { sub(/\r$/, "", $2); print $2 }')
  [[ $loc == http* ]] || loc=$base$loc
  if [[ $loc == *\?* ]]; then loc="$loc&digest=$digest"; else loc="$loc?digest=$digest"; fi
  read -r code t < <(curl -sS -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' \
    -T "$WORK/blob" -w '%{http_code} %{time_total}\n' "$loc")
  check "$([[ $code == 201 ]] && echo 1)" "$label: upload answered $code"
  PUSH_RATE=$(calc "$SIZE / $t")
  bulk_row "$label" push "$t" "" "$PUSH_RATE" "$push_ceiling"
  rm -f "$WORK/back"
  read -r code t ttfb < <(curl -sS -o "$WORK/back" -w '%{http_code} %{time_total} %{time_starttransfer}\n' \
    "$base/v2/test/blobs/$digest")
  check "$([[ $code == 200 ]] && echo 1)" "$label: download answered $code"
  check "$([[ sha256:$(sha256sum "$WORK/back" | cut -d' ' -f1) == "$digest" ]] && echo 1)" \
    "$label: downloaded blob differs"
  PULL_RATE=$(calc "$SIZE / ($t - $ttfb)")
  bulk_row "$label" pull "$t" "$ttfb" "$PULL_RATE" "$pull_ceiling"
}

# bulk_row LABEL OP SECONDS FIRST-BYTE-SECONDS RATE CEILING
bulk_row() {
  local label=$1 op=$2 t=$3 ttfb=$4 rate=$5 ceiling=$6 pct=""
  if [[ -n $ceiling ]]; then
    pct=$(calc "int($rate / $goodput * 100 + 0.5)")
    check "$(calc "($rate > 0.85 * $ceiling && $rate < 1.02 * $goodput) ? 1 : 0")" \
      "$label: $op at $(calc "$rate / 1e6") MB/s, expected about $(calc "$ceiling / 1e6") MB/s"
  fi
  BULK+=("$(printf '%-32s %-5s %8.3f %8s %9.2f %9.1f %8s' "$label" "$op" "$t" \
    "$([[ -n $ttfb ]] && calc "int($ttfb * 1000 + 0.5)")" "$(calc "$rate / 1e6")" "$(calc "$rate * 8 / 1e6")" "$pct")")
}

# small LABEL BASE MIN_MS: SAMPLES x GET /v2/ on new connections, then SAMPLES on one connection
small() {
  local label=$1 base=$2 min_ms=$3 times sorted args=() i
  times=$(for ((i = 0; i < SAMPLES; i++)); do
    curl -fsS -o /dev/null -w '%{time_total}\n' "$base/v2/"
  done)
  sorted=$(sort -g <<<"$times")
  lat_row "$label" "new" "$sorted"
  check "$(calc "($(head -1 <<<"$sorted") * 1000 >= $min_ms) ? 1 : 0")" \
    "$label: fastest GET /v2/ took $(calc "$(head -1 <<<"$sorted") * 1000") ms, expected >= $min_ms ms"
  for ((i = 0; i <= SAMPLES; i++)); do args+=(-o /dev/null "$base/v2/"); done
  # the first request opens the connection, the others reuse it
  times=$(curl -fsS -w '%{time_total}\n' "${args[@]}" | tail -n +2)
  sorted=$(sort -g <<<"$times")
  lat_row "$label" "reused" "$sorted"
}

# lat_row LABEL CONNECTION SORTED-SECONDS
lat_row() {
  LAT+=("$(printf '%-32s %-10s %8.1f %9.1f %8.1f' "$1" "$2" "$(calc "$(head -1 <<<"$3") * 1000")" \
    "$(calc "$(sed -n "$(((SAMPLES + 1) / 2))p" <<<"$3") * 1000")" "$(calc "$(tail -1 <<<"$3") * 1000")")")
}

echo "setting up: kiln-check at $RATE, kiln-check-fast unshaped, proxies at $DELAY_MS ms each way" >&2
net_up check "$RATE" >/dev/null
UP+=(check)
net_registry check "$WORK/reg" >/dev/null
SHAPED=$REGISTRY
net_up check-fast none >/dev/null
UP+=(check-fast)
net_registry check-fast "$WORK/reg-fast" >/dev/null
FAST=$REGISTRY
net_delay_proxy 0 "$SHAPED" "$DELAY_MS" >/dev/null
PROXY_SHAPED=$PROXY
net_delay_proxy 0 "$SHAPED" "$DELAY_MS" --handshake >/dev/null
PROXY_HANDSHAKE=$PROXY
net_delay_proxy 0 "$FAST" "$DELAY_MS" >/dev/null
PROXY_FAST=$PROXY
echo "registries: $SHAPED ($RATE), $FAST (unshaped); proxies: $PROXY_SHAPED, $PROXY_HANDSHAKE (--handshake) -> $SHAPED, $PROXY_FAST -> $FAST" >&2

small "direct, $RATE" "http://$SHAPED" 0
small "proxy ${DELAY_MS}ms, $RATE" "http://$PROXY_SHAPED" "$((2 * DELAY_MS))"
small "proxy ${DELAY_MS}ms --handshake, $RATE" "http://$PROXY_HANDSHAKE" "$((4 * DELAY_MS))"
# unshaped first: what this machine's registry, curl and proxy manage without a link limit
bulk "direct, unshaped" "http://$FAST"
push_max=$PUSH_RATE pull_max=$PULL_RATE
bulk "proxy ${DELAY_MS}ms, unshaped" "http://$PROXY_FAST"
# shaped: at the link's TCP goodput, unless the registry cannot take it that fast anyway
push_ceiling=$(calc "($push_max < $goodput) ? $push_max : $goodput")
pull_ceiling=$(calc "($pull_max < $goodput) ? $pull_max : $goodput")
bulk "direct, $RATE" "http://$SHAPED" "$push_ceiling" "$pull_ceiling"
bulk "proxy ${DELAY_MS}ms, $RATE" "http://$PROXY_SHAPED" "$push_ceiling" "$pull_ceiling"

hostdev=kiln-v$(net_addr check | cut -d. -f3)
echo
printf '%-32s %-10s %8s %9s %8s\n' "GET /v2/ ($SAMPLES each)" connection "min ms" "median ms" "max ms"
printf '%s\n' "${LAT[@]}"
echo
printf '%-32s %-5s %8s %8s %9s %9s %8s\n' "blob of $((SIZE >> 20)) MiB" "" seconds "1st B ms" "MB/s" "Mbit/s" "% link"
printf '%s\n' "${BULK[@]}"
echo
echo "MB/s: a push's over its whole time; a pull's after its first byte (the first byte's wait is the latency)"
echo "% link: of the TCP payload rate $RATE carries, $(calc "$goodput / 1e6") MB/s (1448 B per 1514 B frame)"
if [[ $(calc "($push_ceiling < $goodput) ? 1 : 0") == 1 ]]; then
  echo "(pushes expected at >= 85% of $(calc "$push_ceiling / 1e6") MB/s only: the registry took no more unshaped)"
fi
echo "tbf: $(tc qdisc show dev "$hostdev" | grep -o 'rate.*' | tr -s ' ');" \
  "dropped up/down: $(tc -s qdisc show dev "$hostdev" | grep -o 'dropped [0-9]*' | cut -d' ' -f2)/$(tc -n kiln-check -s qdisc show dev kiln0 | grep -o 'dropped [0-9]*' | cut -d' ' -f2)"
if ((fail)); then echo "check: FAILED" >&2; exit 1; fi
echo "check: ok" >&2
