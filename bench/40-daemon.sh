#!/usr/bin/env bash
# End to end: 10,000 resolved cases to `confirmed` through `caseattest serve`,
# beside the naive design (one transaction per case, sent and awaited with
# web3.py, as the backend does today). Needs DATABASE_URL and CASEATTEST_RPC_URL
# (make bench provides them) and CASEATTEST_BIN (a release build).
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
exec "$PYTHON" "$REPO/bench/daemon_bench.py" "$@"
