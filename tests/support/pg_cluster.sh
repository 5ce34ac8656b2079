#!/usr/bin/env bash
# A throwaway PostgreSQL cluster of a test's own, so a test may restart it
# without touching the cluster every other test shares.
#
#   tests/support/pg_cluster.sh start DIR      prints postgres://postgres@127.0.0.1:PORT/postgres
#   tests/support/pg_cluster.sh restart DIR    stops (fast) and starts it again on the same port
#   tests/support/pg_cluster.sh stop DIR       stops it and removes DIR
#
# As root the server runs as the `postgres` user (PostgreSQL refuses root),
# with its data in a private temp dir that DIR/pg links to.
set -euo pipefail
cd "$(dirname "$0")/../.."
command=$1
dir=$2
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

case "$command" in
start)
    mkdir -p "$dir"
    port=$(.venv/bin/python scripts/free-port.py)
    data=$(mktemp -d /tmp/caseattest-test-pg.XXXXXX)
    [ "$(id -u)" -ne 0 ] || chown postgres "$data"
    ln -sfn "$data" "$dir/pg"
    echo "$port" > "$dir/port"
    as_pg "'$PG_BIN/initdb' -D '$data/data' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$data/initdb.log' 2>&1" \
        || { cat "$data/initdb.log"; exit 1; }
    ;&
restart)
    data=$(readlink -f "$dir/pg")
    port=$(cat "$dir/port")
    if [ "$command" = restart ]; then as_pg "'$PG_BIN/pg_ctl' -D '$data/data' -m fast -w -t 60 stop >/dev/null"; fi
    as_pg "'$PG_BIN/pg_ctl' -D '$data/data' -w -t 60 -l '$data/server.log' \
        -o \"-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off\" start >/dev/null" \
        || { tail -20 "$data/server.log"; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    if [ -e "$dir/pg" ]; then
        data=$(readlink -f "$dir/pg")
        as_pg "'$PG_BIN/pg_ctl' -D '$data/data' -m immediate -w -t 30 stop >/dev/null 2>&1" || true
        rm -rf "$data"
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|restart|stop DIR" >&2
    exit 2
    ;;
esac
