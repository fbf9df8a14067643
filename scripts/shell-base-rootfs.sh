#!/usr/bin/env bash
# Makes a minimal Debian-like root file system from this machine's own files, without the network: dash as
# /bin/sh, the coreutils a Dockerfile's RUN uses for file operations, their libraries, /etc/passwd and
# /etc/group with a flink user (9999), /tmp (1777) and /root (0700). Buildah runs RUN in it (chroot isolation),
# which makes it the base of Kiln's oracle tests (DockerfileOracleTest).
# usage: shell-base-rootfs.sh DIR
set -euo pipefail
root=${1:?usage: shell-base-rootfs.sh DIR}
rm -rf "$root"
mkdir -p "$root"/{bin,etc,tmp,root,opt}
chmod 1777 "$root/tmp"
chmod 700 "$root/root"
for c in dash mkdir rm rmdir ln chmod chown chgrp touch cp mv true false echo printf cat; do
  p=$(type -P "$c")
  cp -L "$p" "$root/bin/$c"
  ldd "$p" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    [[ -e "$root$lib" ]] || cp -L "$lib" "$root$lib"
  done
done
ln -s dash "$root/bin/sh"
printf 'root:x:0:0:root:/root:/bin/sh\nflink:x:9999:9999::/opt/flink:/bin/sh\nops:x:1001:1001::/home/ops:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\nflink:x:9999:\nops:x:1001:\nadmins:x:3000:ops\n' > "$root/etc/group"
