#!/usr/bin/env bash
# `make run`: the daemon on its embedded defaults, with a throwaway PostgreSQL
# cluster and the dev chain started for it. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
export RUN_DIR=.run PG_PORT=${PG_PORT:-54329} CHAIN_PORT=${CHAIN_PORT:-8545} CHAIN_ID=${CHAIN_ID:-1337}

swift build
BIN="$(swift build --show-bin-path)/caseattest"

CLEAN=1 scripts/dev-down.sh  # a throwaway cluster and chain each run: they must agree
trap 'echo; echo "==> stopping services"; scripts/dev-down.sh' EXIT
scripts/dev-up.sh
# shellcheck disable=SC1091
source .run/env

# Development secrets, made once per checkout and kept out of git under .run/.
# The signer is the dev chain's first PUBLIC well-known account: never use it
# on a real network.
mkdir -p .run
[ -f .run/pseudonym.key ] || (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .run/pseudonym.key)
[ -f .run/signer.key ] || (umask 077; echo "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80" > .run/signer.key)
export CASEATTEST_PSEUDONYM_KEY_FILE=$PWD/.run/pseudonym.key CASEATTEST_PRIVATE_KEY_FILE=$PWD/.run/signer.key

"$BIN" migrate
if "$BIN" --help | grep -qE "^ +contract "; then
    "$BIN" contract deploy --address-file .run/contract.address
    CASEATTEST_CONTRACT=$(cat .run/contract.address)
    export CASEATTEST_CONTRACT
fi
# Throwaway API tokens for this run, so the HTTP API can be tried at once.
{ read -r BACKEND_TOKEN; read -r BACKEND_LINE; } < <("$BIN" api-token new --role backend)
{ read -r AUDITOR_TOKEN; read -r AUDITOR_LINE; } < <("$BIN" api-token new --role auditor)
(umask 077; printf '%s\n%s\n' "$BACKEND_LINE" "$AUDITOR_LINE" > .run/api-tokens)
export CASEATTEST_API_TOKENS_FILE=$PWD/.run/api-tokens
PG_BIN=$(ls -d /usr/lib/postgresql/15/bin 2>/dev/null || dirname "$(command -v psql)")
"$PG_BIN/psql" -q -v ON_ERROR_STOP=1 "$DATABASE_URL" -f scripts/demo-seed.sql
echo "==> demo cases seeded; starting the daemon (Ctrl-C to stop)"
echo "==> HTTP API on http://127.0.0.1:${CASEATTEST_HTTP_PORT:-8080} (tokens valid for this run only), e.g.:"
echo "    curl -H 'Authorization: Bearer $AUDITOR_TOKEN' http://127.0.0.1:${CASEATTEST_HTTP_PORT:-8080}/v1/cases/1/verification"
echo "    curl -H 'Authorization: Bearer $BACKEND_TOKEN' http://127.0.0.1:${CASEATTEST_HTTP_PORT:-8080}/v1/cases/1/attestations"
"$BIN" serve
