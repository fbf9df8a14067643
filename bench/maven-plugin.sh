#!/usr/bin/env bash
# Issue 17's figures: `mvn package kiln:flink` of the plugin's Kafka sample job (kiln-maven-plugin/src/test/projects/orders)
# on the realistic Flink 1.18 base (bench/fixtures/make-fixtures.sh), from an origin registry to a separate target
# registry, both on loopback: cold (empty Kiln store, empty target), warm (nothing changed), and after one class
# changed. Needs the plugin in the local repository (mvn install, or the plugin's integration tests).
# Prints a Markdown table. Usage: [MAVEN_REPO_LOCAL=DIR] bench/maven-plugin.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/bench/fixtures/make-fixtures.sh" >/dev/null
fixtures=${KILN_BENCH_CACHE:-$HOME/.cache/kiln-bench}
version=$(sed -n 's#^  <version>\(.*\)</version>#\1#p' "$root/pom.xml" | head -1)

work=$(mktemp -d /tmp/kiln-bench-maven.XXXXXX)
cleanup() {
  for r in origin target; do stop_registry "$work/$r"; done
  rm -rf "$work"
}
trap cleanup EXIT
start_registry "$work/origin"; origin=$REGISTRY
start_registry "$work/target"; target=$REGISTRY
skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$origin/flink:1.18"
cp -r "$root/kiln-maven-plugin/src/test/projects/orders" "$work/orders"
cd "$work/orders"
mvn_args=(-B -q ${MAVEN_REPO_LOCAL:+-Dmaven.repo.local=$MAVEN_REPO_LOCAL} -Dkiln.plugin.version="$version" -Dmaven.test.skip=true -Dregistry="$target" -Dkiln.base="$origin/flink:1.18"
  -Dkiln.cacheDir="$work/cache")
mvn "${mvn_args[@]}" package >/dev/null   # Maven's own downloads and compilation are not what is measured

run() { # run NAME NOTE [GOALS...]
  local start end
  start=$(date +%s%N)
  mvn "${mvn_args[@]}" package kiln:flink >"$work/last.log"
  end=$(date +%s%N)
  local kiln_ms uploaded blobs
  read -r kiln_ms uploaded blobs < <(python3 -c 'import json, sys; b = json.load(open(sys.argv[1]))["build"]
print(b["durationMs"], b["bytesUploaded"], b["blobsUploaded"])' target/kiln/image.json)
  printf "| %s | %.2f | %.2f | %s | %s | %s |\n" "$1" "$(awk -v n=$((end - start)) 'BEGIN{print n/1e9}')" \
    "$(awk -v n="$kiln_ms" 'BEGIN{print n/1000}')" "$blobs" "$(awk -v b="$uploaded" 'BEGIN{printf "%d B (%.1f MB)", b, b/1e6}')" "$2"
}

start=$(date +%s%N); mvn "${mvn_args[@]}" package >/dev/null; end=$(date +%s%N)
echo "mvn package alone (no image): $(awk -v n=$((end - start)) 'BEGIN{printf "%.2f", n/1e9}') s"
echo
echo "| build | mvn package kiln:flink (s) | Kiln's build (s) | blobs uploaded | bytes uploaded | |"
echo "|---|---|---|---|---|---|"
run "cold: empty store, empty target" "base pulled from the origin and pushed to the target with the job's layers"
run "warm: nothing changed" "store hit, every layer cached, the target has every blob"
sed -i 's/"order "/"new order "/' src/main/java/com/example/orders/Describe.java
run "warm: one class changed" "the job jar's layer and the config"
mvn "${mvn_args[@]}" -o package kiln:flink >/dev/null && echo "(mvn -o package kiln:flink, warm store: ok)"
