#!/usr/bin/env bash
# A private PostgreSQL for `make bench-tuned`: the machine's own server keeps Debian's defaults
# (shared_buffers 128MB, max_wal_size 1GB), sized for a laptop; a commission's server is sized
# for an 8-million-row roll. Same binaries, same machine, settings as a DBA would set them.
# usage: bench/pg_tuned.sh start|stop   (port 5499, data in /tmp/pilkada-pg-tuned)
set -euo pipefail
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
DIR=${PG_TUNED_DIR:-/tmp/pilkada-pg-tuned}
PORT=${PG_TUNED_PORT:-5499}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  start)
    if [ ! -s "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR" && { [ "$(id -u)" = 0 ] && chown postgres "$DIR" || true; }
      as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 >/dev/null
    fi
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w start -o "-p $PORT \
      -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DIR \
      -c shared_buffers=6GB -c effective_cache_size=16GB -c work_mem=64MB \
      -c maintenance_work_mem=1GB -c temp_buffers=256MB -c max_wal_size=16GB \
      -c checkpoint_timeout=30min -c wal_compression=on -c max_parallel_workers_per_gather=2" \
      >/dev/null
    echo "tuned PostgreSQL on 127.0.0.1:$PORT ($DIR)"
    ;;
  stop)
    as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
