#!/usr/bin/env bash
# The StreamPark proof on real content (the benchmark fixtures: Debian bookworm minbase + OpenJDK 17 JRE +
# the Flink 1.18.1 runtime, a flink-examples-streaming job jar, real connector jars):
#   1. Kiln builds both of StreamPark's Dockerfiles (FlinkDockerfileTemplate, and FlinkHadoopDockerfileTemplate with
#      Hadoop and Hive configuration directories) exactly as StreamPark writes them, RUN included;
#   2. Buildah (bud --isolation chroot, RUN in a chroot of the same base) builds them too; the trees umoci unpacks
#      must be identical (path, type, mode, owner, link target, content; /etc/hosts, /etc/resolv.conf and
#      /etc/hostname, which a runtime writes, left out);
#   3. the same for a Dockerfile of the patterns public Flink Dockerfiles use (rm of a bundled jar, ln -s, chown -R
#      and chmod -R of /opt/flink, echo > /etc/timezone, COPY --chown by name, USER);
#   4. a new job jar rebuilds with one changed layer;
#   5. the Flink WordCount example runs from the image: unpacked, /proc mounted, the host name in /etc/hosts
#      (Flink's local mode resolves it; without it the JVM hangs), then
#      chroot … java -cp '/opt/flink/lib/*:/opt/flink/usrlib/*' WordCount must print word counts.
# Needs root (chroot, mount). Usage: scripts/streampark-proof.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"
"$root/scripts/install-deps.sh"
fixtures=$("$root/bench/fixtures/make-fixtures.sh")
kiln="$root/kiln"
work=$(mktemp -d /tmp/kiln-streampark.XXXXXX)
cleanup() {
  mountpoint -q "$work/run/rootfs/proc" 2>/dev/null && umount "$work/run/rootfs/proc"
  stop_registry "$work/registry"
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }

start_registry "$work/registry"
base="$REGISTRY/flink:1.18"
skopeo copy -q --dest-tls-verify=false "oci:$fixtures/base:1.18" "docker://$base"

# the build context StreamPark writes: the job jar, lib/ with the extra jars, hadoop-conf/ and hive-conf/
context() { # context DIR JOB_VERSION
  mkdir -p "$1/lib" "$1/hadoop-conf" "$1/hive-conf"
  cp "$fixtures/job/$2/job.jar" "$1/job.jar"
  for jar in flink-connector-kafka-3.1.0-1.18.jar kafka-clients-3.4.0.jar flink-connector-jdbc-3.1.2-1.18.jar postgresql-42.7.3.jar; do
    cp "$fixtures/job/$2/$jar" "$1/lib/"
  done
  printf '<configuration><property><name>fs.defaultFS</name><value>hdfs://nn:8020</value></property></configuration>\n' > "$1/hadoop-conf/core-site.xml"
  printf '<configuration/>\n' > "$1/hadoop-conf/hdfs-site.xml"
  printf '<configuration><property><name>hive.metastore.uris</name><value>thrift://hms:9083</value></property></configuration>\n' > "$1/hive-conf/hive-site.xml"
}
# StreamPark's two templates as it writes them (scripts/streampark/, shared with DockerfileOracleTest)
plain=$(cat "$root/scripts/streampark/FlinkDockerfileTemplate.Dockerfile")
hadoop=$(cat "$root/scripts/streampark/FlinkHadoopDockerfileTemplate.Dockerfile")
# the patterns public Flink Dockerfiles use, on the same base: replace a bundled jar, a plugin link, owners and
# modes (copying /opt/flink up whole), the time zone, paths through Debian's merged-/usr links, COPY --chown by name
patterns='FROM {{BASE}}
RUN rm -f /opt/flink/lib/flink-table-planner-loader-*.jar && mkdir -p /opt/flink/plugins/s3 && ln -s /opt/flink/opt/flink-s3-fs-hadoop-1.18.1.jar /opt/flink/plugins/s3/
RUN chown -R root:root /opt/flink && chown -R flink /opt/flink/conf && chmod -R g+w /opt/flink/conf && echo "Asia/Shanghai" > /etc/timezone
RUN mkdir -p /lib/kiln /usr/local/share/kiln && touch /bin/kiln-marker && ln -sf /usr/share/zoneinfo/Asia/Shanghai /etc/localtime
COPY --chown=flink:flink lib/ /opt/flink/lib/
RUN mkdir -p $FLINK_HOME/usrlib && cp /opt/flink/conf/flink-conf.yaml $FLINK_HOME/usrlib/
COPY --chown=flink:flink job.jar /opt/flink/usrlib/job.jar
USER flink
'
# tree ROOTFS: one line per path: type, mode, owner, link target, content digest
tree() {
  (cd "$1" && find . -path ./etc/hosts -o -path ./etc/resolv.conf -o -path ./etc/hostname -o -printf '%y %m %U:%G %p %l\n' | sort -k4 |
    while read -r type mode owner path link; do
      [[ $type == f ]] && sum=$(sha256sum "$path" | cut -c1-16) || sum=
      echo "$type $mode $owner $path $link $sum"
    done)
}
buildah_() { buildah --storage-driver vfs --root "$work/buildah/storage" --runroot "$work/buildah/run" "$@"; }

for template in plain hadoop patterns; do
  step "$template: Kiln and Buildah"
  ctx="$work/$template/context"
  context "$ctx" v1
  sed "s|{{BASE}}|$base|" <<<"${!template}" > "$ctx/Dockerfile"
  cat "$ctx/Dockerfile"
  start=$(date +%s%N)
  "$kiln" build -f "$ctx/Dockerfile" --to "oci:$work/$template/kiln:job" --cache-dir "$work/cache" "$ctx" >/dev/null
  echo "kiln: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  start=$(date +%s%N)
  buildah_ bud --isolation chroot --tls-verify=false --quiet --layers=false -f "$ctx/Dockerfile" -t "streampark-$template" "$ctx" >/dev/null
  buildah_ push --quiet "streampark-$template" "oci:$work/$template/buildah:job" >/dev/null
  echo "buildah: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  umoci unpack --image "$work/$template/kiln:job" "$work/$template/kiln-bundle" >/dev/null
  umoci unpack --image "$work/$template/buildah:job" "$work/$template/buildah-bundle" >/dev/null
  tree "$work/$template/kiln-bundle/rootfs" > "$work/$template/kiln.tree"
  tree "$work/$template/buildah-bundle/rootfs" > "$work/$template/buildah.tree"
  if ! diff -u "$work/$template/buildah.tree" "$work/$template/kiln.tree"; then
    echo "FAIL: Kiln's tree differs from Buildah's ($template template)" >&2
    exit 1
  fi
  echo "identical trees: $(wc -l < "$work/$template/kiln.tree") paths"
done

step "a new job jar: one changed layer"
layers() { skopeo inspect --raw "oci:$1" | grep -o '"digest": *"sha256:[0-9a-f]*"' | tail -n +2; }
before=$(layers "$work/plain/kiln:job")
cp "$fixtures/job/v2/job.jar" "$work/plain/context/job.jar"
"$kiln" build -f "$work/plain/context/Dockerfile" --to "oci:$work/plain/kiln2:job" --cache-dir "$work/cache" "$work/plain/context" >/dev/null
after=$(layers "$work/plain/kiln2:job")
changed=$(diff <(echo "$before") <(echo "$after") | grep -c '^>' || true)
echo "layers: $(echo "$after" | wc -l), changed: $changed"
[[ $changed -eq 1 ]] || { echo "FAIL: expected one changed layer" >&2; exit 1; }

step "WordCount from the image the StreamPark template built"
mkdir -p "$work/run"
umoci unpack --image "$work/plain/kiln:job" "$work/run" >/dev/null
rootfs="$work/run/rootfs"
mount -t proc proc "$rootfs/proc"
echo "127.0.0.1 localhost $(hostname)" >> "$rootfs/etc/hosts"
java=$(cd "$rootfs" && ls -d usr/lib/jvm/*/bin/java | head -1)
timeout 300 chroot "$rootfs" "/$java" -cp '/opt/flink/lib/*:/opt/flink/usrlib/*' \
  org.apache.flink.streaming.examples.wordcount.WordCount > "$work/wordcount.out" 2> "$work/wordcount.err" || {
  echo "FAIL: WordCount did not run; its stderr:" >&2; tail -20 "$work/wordcount.err" >&2; exit 1; }
grep -E '\((to|be|the),[0-9]+\)' "$work/wordcount.out" | tail -5
counts=$(grep -cE '\([a-z]+,[0-9]+\)' "$work/wordcount.out" || true)
echo "word counts printed: $counts"
[[ $counts -gt 0 ]] || { echo "FAIL: no word counts" >&2; exit 1; }
echo
echo "OK: both StreamPark templates and the public patterns identical to Buildah's, one changed layer for a new job jar, WordCount ran"
