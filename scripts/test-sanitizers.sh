#!/usr/bin/env bash
# `make test-sanitizers`: the unit tests, the PostgreSQL tests and the JSON-RPC
# client's integration tests under ThreadSanitizer, then under
# AddressSanitizer. Each is a full build of its own (.build-tsan, .build-asan),
# so this stays out of `make test`.
#
#   SANITIZERS=thread scripts/test-sanitizers.sh     one of them only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

# shellcheck source=scripts/lib/test-services.sh
source scripts/lib/test-services.sh
start_test_services .run/sanitizers

# A report fails the run (exit code 66) but the tests go on, so one run lists
# every race or memory error. Swift's runtime keeps some allocations for the
# process's lifetime: leak reports would be noise.
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=0 history_size=4}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0 halt_on_error=1}

status=0
for sanitizer in ${SANITIZERS:-thread address}; do
    case $sanitizer in
        thread) build=.build-tsan ;;
        address) build=.build-asan ;;
        *) echo "unknown sanitizer $sanitizer" >&2; exit 2 ;;
    esac
    flags=(--sanitize="$sanitizer" --build-path "$build")
    echo "==> build under $sanitizer sanitizer ($build)"
    swift build --build-tests "${flags[@]}"
    CASEATTEST_BIN="$(swift build "${flags[@]}" --show-bin-path)/caseattest"
    export CASEATTEST_BIN
    # Every unit test target (PostgresTests run live against the service above),
    # then the JSON-RPC client against the dev chain. The daemon's end-to-end
    # suites stay in `make test`: they run the binary for minutes.
    echo "==> swift test under $sanitizer: unit and PostgreSQL tests"
    swift test --skip-build "${flags[@]}" --skip IntegrationTests || status=1
    echo "==> swift test under $sanitizer: JSON-RPC integration tests"
    swift test --skip-build "${flags[@]}" --filter 'IntegrationTests.RPCClientTests' || status=1
done
exit $status
