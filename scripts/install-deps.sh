#!/usr/bin/env bash
# Installs the real components Kiln's tests, quick start and benchmarks use, from Debian packages,
# when they are missing: a registry (CNCF Distribution), skopeo and umoci (independent image tools),
# htpasswd (Basic-auth test registries), zsh (its completion script is tested in it), buildah (the oracle that runs a Dockerfile's RUN in a chroot, to compare
# Kiln's runtime-free RUN with), podman (its Docker-compatible API service is the Docker daemon
# the tests use; they start it themselves, with vfs storage in a temporary directory), PostgreSQL (kiln serve's
# shared history; the tests run initdb and pg_ctl on a free port in a temporary directory).
set -euo pipefail
missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v umoci >/dev/null || missing+=(umoci)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v podman >/dev/null || missing+=(podman)
command -v buildah >/dev/null || missing+=(buildah)
command -v mvn >/dev/null || missing+=(maven)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
command -v curl >/dev/null || missing+=(curl)
command -v zsh >/dev/null || missing+=(zsh)   # `kiln completion zsh` is tested in zsh
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian starts a registry service on :5000 on install where an init system runs; Kiln's scripts
# start their own on free loopback ports and never use it.
