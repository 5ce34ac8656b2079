#!/usr/bin/env bash
# Stops what scripts/dev-up.sh started in $RUN_DIR; safe to call twice.
set -uo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-.run}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
[ -d "$RUN_DIR" ] || exit 0
if [ -f "$RUN_DIR/chain.pid" ]; then
    pid=$(cat "$RUN_DIR/chain.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$RUN_DIR/chain.pid" "$RUN_DIR/chain.url"
fi
if [ -f "$RUN_DIR/redis.pid" ]; then
    pid=$(cat "$RUN_DIR/redis.pid")
    kill "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    rm -f "$RUN_DIR/redis.pid"
fi
if [ -f "$RUN_DIR/pg/data/postmaster.pid" ]; then
    PGDATA="$(readlink -f "$RUN_DIR/pg")/data"
    if [ "$(id -u)" -eq 0 ]; then
        su postgres -s /bin/bash -c "'$PG_BIN/pg_ctl' -D '$PGDATA' -m fast -w stop >/dev/null"
    else
        "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
fi
rm -f "$RUN_DIR/env"
# CLEAN=1 also deletes the cluster's data (and the temp dir it may link to).
if [ "${CLEAN:-0}" = 1 ]; then
    [ -L "$RUN_DIR/pg" ] && rm -rf "$(readlink "$RUN_DIR/pg")"
    rm -rf "$RUN_DIR/pg" "$RUN_DIR/chain.log" "$RUN_DIR/redis.log" "$RUN_DIR/pseudonym.key" "$RUN_DIR/signer.key" \
        "$RUN_DIR/contract.address" "$RUN_DIR/api-tokens"
    rmdir "$RUN_DIR" 2>/dev/null
fi
exit 0
