#!/usr/bin/env bash
# kiln serve's soak: the load test at the issue's size (BUILDS builds from CLIENTS clients, default 50 and 8;
# the normal test run does 10 from 4) and the SIGKILL test with KILLS kills (default 10; the normal run does 2).
# Seeds and figures (throughput, p50/p95 submit-to-done) are printed.
# Usage: scripts/soak-server.sh [BUILDS] [CLIENTS] [KILLS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/install-deps.sh"
cd "$root"
mvn -B -ntp -q install -DskipTests
mvn -B -ntp test -pl kiln-server -Dtest=LoadTest -Dkiln.load.builds="${1:-50}" -Dkiln.load.clients="${2:-8}" \
  -Dsurefire.failIfNoSpecifiedTests=false
exec mvn -B -ntp test -pl kiln-cli -Dtest=ServeCrashTest -Dkiln.soak.kills="${3:-10}" -Dsurefire.failIfNoSpecifiedTests=false
