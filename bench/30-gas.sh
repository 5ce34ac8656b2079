#!/usr/bin/env bash
# Gas used by the registry contract: deployment, anchor, gas per case at batch 1/16/256/4096,
# beside EAS's per-case figures. Uses CASEATTEST_RPC_URL when set, else starts the dev chain.
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$REPO/.venv/bin/python" ]]; then PYTHON="$REPO/.venv/bin/python"; else PYTHON=python3; fi
fi
exec "$PYTHON" "$REPO/bench/gas_bench.py"
