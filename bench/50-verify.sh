#!/usr/bin/env bash
# 10,000 attested cases in 4 anchored batches: `caseattest verify --all --json`
# (bulk rows, one batched chain lookup per root) beside the naive design (the
# same bulk reads, then one eth_call verifyContentHash per case, in sequence).
# Target: verify --all <= 5 s on the dev chain.
# Then the auditor's offline archive of the same cases: `caseattest receipt
# --all --out DIR`, and `caseattest verify-receipt DIR` with no database (one
# batched chain lookup per anchor). Target: the folder verified in < 3 s.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
CASES="${BENCH_VERIFY_CASES:-10000}"
BATCHES="${BENCH_VERIFY_BATCHES:-4}"
cd "$REPO"

if [ -z "${DATABASE_URL:-}" ] || [ -z "${CASEATTEST_RPC_URL:-}" ]; then
    echo "== 50-verify: SKIPPED (needs DATABASE_URL and CASEATTEST_RPC_URL; run under make bench)"
    exit 0
fi
if ! build_log=$(swift build -c release --product bench-verify 2>&1); then
    echo "$build_log" >&2
    exit 1
fi
BIN_DIR="$(swift build -c release --show-bin-path)"
CASEATTEST_BIN="${CASEATTEST_BIN:-$BIN_DIR/caseattest}"
BENCH="$BIN_DIR/bench-verify"

WORK="$(mktemp -d)"
BENCH_DATABASE_URL=""
BENCH_PSEUDONYM_KEY_FILE=""
SERVER_DATABASE_URL="$DATABASE_URL"
cleanup() {
    if [ -n "$BENCH_DATABASE_URL" ]; then
        DATABASE_URL="$SERVER_DATABASE_URL" "$BENCH" teardown --database-url "$BENCH_DATABASE_URL" || true
    fi
    if [ -n "$BENCH_PSEUDONYM_KEY_FILE" ]; then rm -f "$BENCH_PSEUDONYM_KEY_FILE"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
setup_start=$(now)
"$BENCH" setup --cases "$CASES" --batches "$BATCHES" >"$WORK/setup.env"
# shellcheck disable=SC1091
source "$WORK/setup.env"
setup_seconds=$(echo "$(now) - $setup_start" | bc)

export DATABASE_URL="$BENCH_DATABASE_URL" CASEATTEST_CONTRACT="$BENCH_CONTRACT"
export CASEATTEST_PSEUDONYM_KEY_FILE="$BENCH_PSEUDONYM_KEY_FILE"

# Warm-up run (page cache, node caches), then the timed run.
"$CASEATTEST_BIN" verify --all --json --log-level warning >/dev/null
start=$(now)
status=0
"$CASEATTEST_BIN" verify --all --json --log-level warning >"$WORK/verify.json" || status=$?
ours=$(echo "$(now) - $start" | bc)
verified=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["verified"])' "$WORK/verify.json")

# The archive: written from the database, verified from the folder alone.
start=$(now)
"$CASEATTEST_BIN" receipt --all --out "$WORK/receipts" --log-level warning >/dev/null
archive_seconds=$(echo "$(now) - $start" | bc)
archived=$(find "$WORK/receipts" -name '*.json' | wc -l)
start=$(now)
folder_status=0
env -u DATABASE_URL -u CASEATTEST_PSEUDONYM_KEY_FILE \
    "$CASEATTEST_BIN" verify-receipt "$WORK/receipts" --json >"$WORK/folder.json" || folder_status=$?
folder=$(echo "$(now) - $start" | bc)
folder_verified=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["verified"])' "$WORK/folder.json")

"$BENCH" naive --database-url "$BENCH_DATABASE_URL" --contract "$BENCH_CONTRACT" \
    --pseudonym-key-file "$BENCH_PSEUDONYM_KEY_FILE" >"$WORK/naive.txt"
value() { grep "^$1=" "$WORK/naive.txt" | cut -d= -f2; }

echo "== 50-verify: $CASES attested cases in $BATCHES batches (setup ${setup_seconds%??????} s), dev chain"
printf "%-52s %10s %10s\n" "design" "seconds" "verified"
printf "%-52s %10.3f %10s\n" "caseattest verify --all --json (exit $status)" "$ours" "$verified"
printf "%-52s %10.3f %10s\n" "naive: one eth_call verifyContentHash per case" "$(value naive_seconds)" "$(value naive_verified)"
printf "%-52s %10.3f %10s\n" "caseattest receipt --all --out DIR ($archived files)" "$archive_seconds" "-"
printf "%-52s %10.3f %10s\n" "caseattest verify-receipt DIR, no database (exit $folder_status)" "$folder" "$folder_verified"
echo "speed-up: $(echo "scale=1; $(value naive_seconds) / $ours" | bc)x; target: verify --all <= 5 s: $( (( $(echo "$ours <= 5" | bc) )) && echo met || echo MISSED)"
echo "target: the folder verified in < 3 s: $( (( $(echo "$folder < 3" | bc) )) && echo met || echo MISSED)"
[ "$status" -eq 0 ] && [ "$verified" -eq "$CASES" ] && [ "$folder_status" -eq 0 ] && [ "$folder_verified" -eq "$CASES" ]
