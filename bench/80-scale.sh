#!/usr/bin/env bash
# Scaling table (issue 17): 10,000, 100,000 and 1,000,000 resolved cases (3
# appointments each) through `caseattest serve --batch-max 4096` to confirmed,
# then `verify --all` and the receipt archive, each with its time, rate and
# our process's peak RSS (VmHWM from /proc), beside the naive per-case peers
# (measured on a sample and extrapolated, said so). BENCH_MAX_CASES (default
# 1000000) stops the table early, e.g. 100000 for a quick run.
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
if [ -z "${DATABASE_URL:-}" ] || [ -z "${CASEATTEST_RPC_URL:-}" ] || [ -z "${CASEATTEST_BIN:-}" ]; then
    echo "== 80-scale: SKIPPED (needs DATABASE_URL, CASEATTEST_RPC_URL and CASEATTEST_BIN; run under make bench)"
    exit 0
fi
exec "$PYTHON" "$REPO/bench/scale_bench.py" "$@"
