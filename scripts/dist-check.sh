#!/usr/bin/env bash
# The distribution works on its own: unpacks kiln-dist/target/kiln-VERSION.tar.gz (made by `mvn package`) into
# an empty directory and, with a PATH that holds a Java runtime and a few POSIX tools but no Maven and no source
# tree, runs `kiln --version`, `kiln help`, a pull and a build against a registry started here on loopback.
# Checks the layout (bin, lib, completion, man pages for every command, LICENSE, README), that the zip holds the
# same files, that the class-data-sharing archives land in the cache directory and nothing is written beside
# the installed jars, and that the shipped completion scripts load. Leaves nothing running.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/scripts/lib.sh"

archives=("$root"/kiln-dist/target/kiln-*.tar.gz)
[[ ${#archives[@]} -eq 1 && -f ${archives[0]} ]] || { echo "dist-check: run mvn package first (no kiln-dist/target/kiln-*.tar.gz)" >&2; exit 1; }
archive=${archives[0]}
work=$(mktemp -d /tmp/kiln-dist-check.XXXXXX)
trap 'stop_registry "$work/registry"; rm -rf "$work"' EXIT
fail() { echo "dist-check: FAILED: $*" >&2; exit 1; }

mkdir "$work/install" "$work/home"
tar -xzf "$archive" -C "$work/install"
install=$(echo "$work"/install/kiln-*)
version=${install##*/kiln-}
echo "== $archive ($(du -k "$archive" | cut -f1) KiB), unpacked into $install"

for f in bin/kiln LICENSE README completion/kiln.bash completion/kiln.zsh man/kiln.1 lib/kiln-cli-"$version".jar; do
  [[ -f $install/$f ]] || fail "$f is missing"
done
[[ -x $install/bin/kiln ]] || fail "bin/kiln is not executable"
zip_files=$(cd "$work" && jar tf "${archive%.tar.gz}.zip" | grep -v '/$' | sort)
tar_files=$(tar -tzf "$archive" | grep -v '/$' | sort)
[[ $zip_files == "$tar_files" ]] || fail "the zip and the tar.gz hold different files"

# a PATH with Java and the tools the launcher uses, and no Maven
mkdir "$work/tools"
for tool in sh dirname ls sed cksum cut mkdir find rm mv cat; do
  ln -s "$(command -v "$tool")" "$work/tools/$tool"
done
java_bin=$(dirname "$(readlink -f "$(command -v java)")")
path="$work/tools:$java_bin"
env -i PATH="$path" sh -c 'command -v mvn' >/dev/null && fail "Maven is on the test PATH"
kiln() { env -i HOME="$work/home" PATH="$path" "$install/bin/kiln" "$@"; }
touch "$work/before"

out=$(kiln --version)
[[ $out == "kiln $version (Java "* ]] || fail "kiln --version printed: $out"
echo "   kiln --version: $out"
# bin/kiln linked from elsewhere (~/bin, /usr/local/bin) finds its lib/ through the link
mkdir "$work/links" && ln -s "$install/bin/kiln" "$work/links/kiln"
out=$(env -i HOME="$work/home" PATH="$path" "$work/links/kiln" --version) && [[ $out == "kiln $version"* ]] \
  || fail "kiln --version through a symbolic link printed: $out"
# the runtime from JAVA_HOME when no java is on the PATH; JVM options from KILN_JAVA_OPTS (too small a heap refuses to start)
java_home=$(dirname "$java_bin")
out=$(env -i HOME="$work/home" PATH="$work/tools" JAVA_HOME="$java_home" "$install/bin/kiln" --version) \
  && [[ $out == "kiln $version"* ]] || fail "kiln --version with JAVA_HOME and no java on the PATH printed: $out"
env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS="-Xmx1m -Xms1m" "$install/bin/kiln" --version >"$work/opts.err" 2>&1 \
  && fail "KILN_JAVA_OPTS did not reach the JVM"
grep -qi "heap" "$work/opts.err" || fail "KILN_JAVA_OPTS=-Xmx1m failed otherwise: $(cat "$work/opts.err")"
# the launcher's own collector (serial) gives way to one KILN_JAVA_OPTS chooses (the JVM refuses two)
out=$(env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS="-XX:+UseParallelGC" "$install/bin/kiln" --version 2>&1) \
  && [[ $out == "kiln $version"* ]] || fail "kiln --version with KILN_JAVA_OPTS=-XX:+UseParallelGC printed: $out"
# the launcher's JVM options for a short command (README, Install); the service keeps the JIT's defaults
flags=$(env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS=-XX:+PrintCommandLineFlags "$install/bin/kiln" --version)
for flag in -XX:+UseSerialGC -XX:CompileThresholdScaling=5.000000 -XX:InitialHeapSize=33554432 -XX:-UsePerfData \
    -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implCompress0,0.2; do
  [[ " $flags " == *" $flag "* ]] || fail "kiln --version ran without $flag: $flags"
done
flags=$(env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS=-XX:+PrintCommandLineFlags "$install/bin/kiln" serve --help)
[[ $flags != *CompileThresholdScaling* && $flags != *-XX:-UsePerfData* && " $flags " == *" -XX:NewSize=100663296 "* ]] \
  || fail "kiln serve ran with the command's compile thresholds or without performance data or its young generation: $flags"
# the launcher's 32 MB initial heap gives way to a smaller maximum (the JVM refuses -Xms above -Xmx)
out=$(env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS="-Xmx16m" "$install/bin/kiln" --version 2>&1) \
  && [[ $out == "kiln $version"* ]] || fail "kiln --version with KILN_JAVA_OPTS=-Xmx16m printed: $out"
help=$(kiln help)
commands=$(sed -n '/^Commands:/,$s/^  \([a-z][a-z-]*\) .*/\1/p' <<<"$help")
for command in build flink pull inspect cache login logout completion; do
  grep -qx "$command" <<<"$commands" || fail "kiln help does not list $command"
done
for command in $commands; do   # and a man page for each, and for each subcommand of theirs
  [[ -f $install/man/kiln-$command.1 ]] || fail "man/kiln-$command.1 is missing"
  for sub in $(kiln help "$command" | sed -n '/^Commands:/,$s/^  \([a-z][a-z-]*\) .*/\1/p'); do
    [[ -f $install/man/kiln-$command-$sub.1 ]] || fail "man/kiln-$command-$sub.1 is missing"
  done
done
grep -q '^\.TH "KILN.*PULL" "1"' "$install/man/kiln-pull.1" || fail "man/kiln-pull.1 is not a troff man page"
echo "   kiln help lists $(wc -w <<<"$commands") commands; man/ has a page for each and their subcommands, $(ls "$install/man" | wc -l) in all"

echo "== a pull and a build against a registry on loopback"
start_registry "$work/registry"
base="$REGISTRY/dist-check/base:1"
push_image "$work" "$base" 2 1
kiln pull "$base" --platform linux/amd64 -q >/dev/null || fail "kiln pull"
# the second run maps the archive the first one left, picocli's Java 5 classes included (a static archive)
loaded=$(env -i HOME="$work/home" PATH="$path" KILN_JAVA_OPTS=-Xlog:class+load=info "$install/bin/kiln" pull "$base" --platform linux/amd64 -q) \
  || fail "kiln pull (second, with the class-data archive)"
grep -q '^\[.*picocli.CommandLine source: shared objects file' <<<"$loaded" \
  || fail "the second pull loaded picocli from its jar, not from the class-data archive"
echo job > "$work/job.txt"
built=$(kiln build --from "$base" --platform linux/amd64 --add "$work/job.txt:/opt/flink/usrlib/job.txt" \
  --to "$REGISTRY/dist-check/app:1" -q) || fail "kiln build"
[[ $built == "$REGISTRY/dist-check/app:1@sha256:"* ]] || fail "kiln build printed: $built"
skopeo inspect --tls-verify=false "docker://$REGISTRY/dist-check/app:1" >/dev/null || fail "the built image is not in the registry"
echo "   pulled $base, built $built"

ls "$work"/home/.kiln/cds/kiln-*-store.jsa >/dev/null 2>&1 || fail "no class-data archive for pull in ~/.kiln/cds"
ls "$work"/home/.kiln/cds/kiln-*-build.jsa >/dev/null 2>&1 || fail "no class-data archive for build in ~/.kiln/cds"
written=$(find "$install" -newer "$work/before")
[[ -z $written ]] || fail "files written in the installation: $written"
echo "   class-data archives in ~/.kiln/cds: $(cd "$work/home/.kiln/cds" && echo *); nothing written in the installation"

env -i PATH="$PATH" bash --norc -c "source '$install/completion/kiln.bash' && complete -p kiln" >/dev/null \
  || fail "completion/kiln.bash does not register a completion for kiln"
if command -v zsh >/dev/null; then
  env -i PATH="$PATH" HOME="$work/home" zsh -f -c "source '$install/completion/kiln.zsh' && [[ -n \${_comps[kiln]} ]]" \
    || fail "completion/kiln.zsh does not register a completion for kiln"
fi
echo "== the distribution works on its own"
