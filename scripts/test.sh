#!/usr/bin/env bash
# `make test`: installs what is missing, starts PostgreSQL and the dev chain on
# free ports, runs every test (Swift unit + integration, then pytest), and
# stops the services whatever happened.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# shellcheck source=scripts/lib/test-services.sh
source scripts/lib/test-services.sh
start_test_services .run/test

swift build --build-tests
export CASEATTEST_BIN="$(swift build --show-bin-path)/caseattest"

status=0
echo "==> swift test"
swift test --skip-build || status=1

suites=()
for d in devchain/tests contracts/tests tests/python tests/api_fuzz tests/ops tests/browser tests/alembic; do
    [ -d "$d" ] && suites+=("$d")
done
if [ ${#suites[@]} -gt 0 ]; then
    echo "==> pytest ${suites[*]}"
    .venv/bin/python -m pytest -q "${suites[@]}" || status=1
fi

# Every parser under libFuzzer for a few seconds each (make fuzz runs longer).
echo "==> fuzz smoke (FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} per target)"
FUZZ_SECONDS=${FUZZ_SMOKE_SECONDS:-5} scripts/fuzz.sh || status=1

if ! scripts/lint.sh; then
    status=1
    echo "==> lint failed: scripts/format.sh fixes the Swift layout; the rest is named above with file:line"
fi
exit $status
