#!/usr/bin/env bash
# `make run`: the daemon on its embedded defaults (but 10 s anchor slots, not
# the production 1 h, so the demo cases confirm in seconds), with a throwaway PostgreSQL
# cluster, the dev chain and Redis started for it. Ctrl-C stops everything.
# $RUN_DIR/env (default .run/env) then holds all a second terminal needs:
# `source .run/env && caseattest verify --all`.
# RUN_DIR, PG_PORT, CHAIN_PORT, REDIS_PORT, CASEATTEST_HTTP_PORT and
# CASEATTEST_BIN (a built binary: no `swift build`) may be overridden, e.g. by
# the test of this path.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUN_DIR=${RUN_DIR:-.run} PG_PORT=${PG_PORT:-54329} CHAIN_PORT=${CHAIN_PORT:-8545} CHAIN_ID=${CHAIN_ID:-1337}
export REDIS_PORT=${REDIS_PORT:-63799} CASEATTEST_HTTP_PORT=${CASEATTEST_HTTP_PORT:-8080}

if [ -z "${CASEATTEST_BIN:-}" ]; then
    swift build
    CASEATTEST_BIN="$(swift build --show-bin-path)/caseattest"
fi
BIN=$CASEATTEST_BIN

CLEAN=1 scripts/dev-down.sh  # a throwaway cluster and chain each run: they must agree
trap 'echo; echo "==> stopping services"; scripts/dev-down.sh' EXIT
scripts/dev-up.sh
mkdir -p "$RUN_DIR"
RUN=$(cd "$RUN_DIR" && pwd)
# shellcheck disable=SC1091
source "$RUN/env"

# Development secrets, made once per run directory and kept out of git.
# The signer is the dev chain's first PUBLIC well-known account: never use it
# on a real network.
[ -f "$RUN/pseudonym.key" ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$RUN/pseudonym.key")
[ -f "$RUN/signer.key" ] || (umask 077; echo "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" > "$RUN/signer.key")
export CASEATTEST_PSEUDONYM_KEY_FILE=$RUN/pseudonym.key CASEATTEST_PRIVATE_KEY_FILE=$RUN/signer.key

"$BIN" migrate
"$BIN" contract deploy --address-file "$RUN/contract.address"
CASEATTEST_CONTRACT=$(cat "$RUN/contract.address")
export CASEATTEST_CONTRACT
# Throwaway API tokens for this run, so the HTTP API can be tried at once.
{ read -r BACKEND_TOKEN; read -r BACKEND_LINE; } < <("$BIN" api-token new --role backend)
{ read -r AUDITOR_TOKEN; read -r AUDITOR_LINE; } < <("$BIN" api-token new --role auditor)
(umask 077; printf '%s\n%s\n' "$BACKEND_LINE" "$AUDITOR_LINE" > "$RUN/api-tokens")
export CASEATTEST_API_TOKENS_FILE=$RUN/api-tokens

# Everything a second terminal needs (no secret values: the key files' paths),
# and the binary on the PATH, so the README's commands work as written.
cat >> "$RUN/env" <<ENV
export CASEATTEST_CONTRACT=$CASEATTEST_CONTRACT
export CASEATTEST_PRIVATE_KEY_FILE=$CASEATTEST_PRIVATE_KEY_FILE
export CASEATTEST_PSEUDONYM_KEY_FILE=$CASEATTEST_PSEUDONYM_KEY_FILE
export CASEATTEST_API_TOKENS_FILE=$CASEATTEST_API_TOKENS_FILE
export CASEATTEST_HTTP_PORT=$CASEATTEST_HTTP_PORT
export PATH="$(dirname "$BIN"):\$PATH"
ENV

PG_BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v psql)")
"$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -f scripts/demo-seed.sql
echo "==> demo cases seeded; starting the daemon (Ctrl-C to stop)"
echo "==> in another terminal: source $RUN_DIR/env && caseattest verify --all (or caseattest status, caseattest doctor)"
echo "==> HTTP API on http://127.0.0.1:$CASEATTEST_HTTP_PORT (tokens valid for this run only), e.g.:"
echo "    curl -H 'Authorization: Bearer $AUDITOR_TOKEN' http://127.0.0.1:$CASEATTEST_HTTP_PORT/v1/cases/1/verification"
echo "    curl -H 'Authorization: Bearer $BACKEND_TOKEN' http://127.0.0.1:$CASEATTEST_HTTP_PORT/v1/cases/1/attestations"
# The daemon and the API run with the service role's rights only (migration
# 0009): the session takes the role at connect, as a DBA's login role would.
DATABASE_URL="$DATABASE_URL?options=-c%20role%3Dcaseattest_service" "$BIN" serve --anchor-interval 10s
