#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster, the dev chain and a Redis (the
# API's shared rate limits) on loopback and writes their addresses to
# $RUN_DIR/env. Ports: PG_PORT / CHAIN_PORT / REDIS_PORT (0 = pick free ones).
# Stop them with scripts/dev-down.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN_DIR=${RUN_DIR:-.run}
PG_PORT=${PG_PORT:-0}
CHAIN_PORT=${CHAIN_PORT:-0}
REDIS_PORT=${REDIS_PORT:-0}
CHAIN_ID=${CHAIN_ID:-1337}
# A block every second, as well as one per transaction: confirmations advance.
CHAIN_BLOCK_TIME=${CHAIN_BLOCK_TIME:-1}
# Extra PostgreSQL settings, "name=value" separated by spaces (bench.sh sets a deployment's memory).
PG_SETTINGS=${PG_SETTINGS:-}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v initdb)")}
PY=.venv/bin/python

mkdir -p "$RUN_DIR"
RUN_DIR=$(cd "$RUN_DIR" && pwd)
[ "$PG_PORT" != 0 ] || PG_PORT=$($PY scripts/free-port.py)
[ "$REDIS_PORT" != 0 ] || REDIS_PORT=$($PY scripts/free-port.py)

# PostgreSQL refuses to run as root: as root, run it as the `postgres` user.
# Its data lives under $RUN_DIR/pg when that user can write there, else in a
# private temp dir that $RUN_DIR/pg links to.
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
if [ ! -e "$RUN_DIR/pg" ]; then
    if [ "$(id -u)" -eq 0 ]; then
        mkdir -p "$RUN_DIR/pg" && chown postgres "$RUN_DIR/pg"
        if ! su postgres -s /bin/bash -c "test -w '$RUN_DIR/pg'"; then
            rmdir "$RUN_DIR/pg"
            ln -s "$(mktemp -d /tmp/caseattest-pg.XXXXXX)" "$RUN_DIR/pg"
            chown postgres "$(readlink "$RUN_DIR/pg")"
        fi
    else
        mkdir -p "$RUN_DIR/pg"
    fi
fi
# The resolved path: the postgres user may not be able to traverse the checkout's.
PGROOT=$(readlink -f "$RUN_DIR/pg")
PGDATA="$PGROOT/data"
if [ ! -f "$PGDATA/PG_VERSION" ]; then
    as_pg "'$PG_BIN/initdb' -D '$PGDATA' -A trust -U postgres -E UTF8 --locale=C.UTF-8 >'$PGROOT/initdb.log' 2>&1" \
        || { cat "$PGROOT/initdb.log"; exit 1; }
fi
PG_FLAGS=""
for setting in $PG_SETTINGS; do PG_FLAGS="$PG_FLAGS -c $setting"; done
as_pg "'$PG_BIN/pg_ctl' -D '$PGDATA' -w -t 60 -l '$PGROOT/server.log' \
    -o \"-p $PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off$PG_FLAGS\" start >/dev/null" \
    || { tail -20 "$PGROOT/server.log"; exit 1; }
DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/caseattest"
as_pg "'$PG_BIN/psql' -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -qtAc \"SELECT 1 FROM pg_database WHERE datname='caseattest'\" | grep -q 1 \
    || '$PG_BIN/createdb' -h 127.0.0.1 -p $PG_PORT -U postgres caseattest"

# The dev chain prints its URL once it accepts connections.
rm -f "$RUN_DIR/chain.url"
nohup $PY devchain/server.py --port "$CHAIN_PORT" --chain-id "$CHAIN_ID" --block-time "$CHAIN_BLOCK_TIME" --port-file "$RUN_DIR/chain.url" \
    >"$RUN_DIR/chain.log" 2>&1 &
echo $! > "$RUN_DIR/chain.pid"
for _ in $(seq 1 300); do
    [ -s "$RUN_DIR/chain.url" ] && break
    kill -0 "$(cat "$RUN_DIR/chain.pid")" 2>/dev/null || { cat "$RUN_DIR/chain.log"; exit 1; }
    sleep 0.1
done
[ -s "$RUN_DIR/chain.url" ] || { echo "dev chain did not start"; cat "$RUN_DIR/chain.log"; exit 1; }
CASEATTEST_RPC_URL=$(cat "$RUN_DIR/chain.url")

# Redis keeps nothing on disk: rate-limit windows only.
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize yes \
    --pidfile "$RUN_DIR/redis.pid" --logfile "$RUN_DIR/redis.log" --dir "$RUN_DIR" \
    || { cat "$RUN_DIR/redis.log" 2>/dev/null; exit 1; }
for _ in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { echo "Redis did not start"; cat "$RUN_DIR/redis.log"; exit 1; }
CASEATTEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0

cat > "$RUN_DIR/env" <<ENV
export DATABASE_URL=$DATABASE_URL
export CASEATTEST_RPC_URL=$CASEATTEST_RPC_URL
export CASEATTEST_CHAIN_ID=$CHAIN_ID
export CASEATTEST_REDIS_URL=$CASEATTEST_REDIS_URL
ENV
echo "==> PostgreSQL at $DATABASE_URL"
echo "==> dev chain at $CASEATTEST_RPC_URL (chain id $CHAIN_ID)"
echo "==> Redis at $CASEATTEST_REDIS_URL"
