#!/usr/bin/env bash
# Installs and starts what the test suite needs on this machine, so no test is skipped:
# the system libraries, Chromium for the browser tests, and a PostgreSQL server.
# Each step is idempotent; on a machine that has everything it only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
for step in scripts/setup.d/*.sh; do
  [ -e "$step" ] || continue
  bash "$step"
done
