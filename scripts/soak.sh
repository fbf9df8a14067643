#!/usr/bin/env bash
# The reliability suite's soak variant: the SIGKILL crash tests with RUNS kills of `kiln pull` and RUNS of
# `kiln build` (default 200 each; the normal test run does 20), then the concurrency tests. Seeds are printed.
# Usage: scripts/soak.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
cd "$root"
mvn -B -ntp -q install -DskipTests
exec mvn -B -ntp test -pl kiln-cli -Dtest='CrashTest,ConcurrentBuildsTest,ConcurrentPullProcessesTest' \
  -Dkiln.soak.runs="${1:-200}" -Dsurefire.failIfNoSpecifiedTests=false
