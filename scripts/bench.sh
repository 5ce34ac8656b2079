#!/usr/bin/env bash
# `make bench`: release build, services up, then every bench/*.sh in order.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
export RUN_DIR=.run/bench
CLEAN=1 scripts/dev-down.sh
trap 'CLEAN=1 scripts/dev-down.sh' EXIT
# PostgreSQL's memory as a deployment would set it, not the 128 MB it ships with: the scaling bench's
# million cases are gigabytes of table and WAL (docs/performance.md).
PG_SETTINGS="shared_buffers=1GB max_wal_size=4GB" scripts/dev-up.sh
# shellcheck disable=SC1091
source "$RUN_DIR/env"
# The benchmarks measure the embedded default (in-process rate limits), as
# before Redis joined dev-up; results stay comparable across versions.
unset CASEATTEST_REDIS_URL
swift build -c release
export CASEATTEST_BIN="$(swift build -c release --show-bin-path)/caseattest"
export PYTHON="$PWD/.venv/bin/python" REPO="$PWD"
for b in bench/*.sh; do
    echo
    echo "==> $b"
    bash "$b"
done
