#!/usr/bin/env bash
# Runs Kiln's whole test suite: unit tests plus integration tests against real registries
# (Debian's docker-registry, started by the tests on free loopback ports), skopeo and umoci.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
cd "$root"
exec mvn -B -ntp verify "$@"
