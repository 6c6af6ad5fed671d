#!/usr/bin/env bash
# A PostgreSQL server for the store tests (tests/store, tests/web; marker "postgres"). Idempotent.
# If 127.0.0.1:5432 answers, nothing is done. Otherwise Debian's postgresql is installed and a
# throwaway cluster (trust authentication, user postgres) is started on 127.0.0.1:5432.
# Tests find it through ZIELWERK_TEST_PG_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
# ZIELWERK_PG_PORT (default 5432) and ZIELWERK_PG_DATA choose another port and cluster folder, e.g. to
# try this script on a machine whose own server already uses 5432.
set -euo pipefail
PORT=${ZIELWERK_PG_PORT:-5432}
answers() { (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; }
if answers; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "setup: installing Debian's postgresql"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
  # the package's own cluster may have been started by its install script
  if answers; then exit 0; fi
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DATA=${ZIELWERK_PG_DATA:-/tmp/zielwerk-pg-cluster}
RUNAS=""
if [ "$(id -u)" = "0" ]; then RUNAS="runuser -u postgres --"; fi
if [ ! -s "$DATA/PG_VERSION" ]; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  [ -n "$RUNAS" ] && chown postgres "$DATA"
  $RUNAS "$BIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 >/dev/null
fi
mkdir -p /tmp/zielwerk-pg-sock
[ -n "$RUNAS" ] && chown postgres /tmp/zielwerk-pg-sock
$RUNAS "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k /tmp/zielwerk-pg-sock" -w start >/dev/null
for _ in $(seq 1 30); do answers && exit 0; sleep 1; done
echo "setup: PostgreSQL did not start" >&2
exit 1
