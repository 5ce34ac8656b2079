# Sourced by scripts/test.sh and scripts/test-sanitizers.sh: fresh services
# under the run folder given (stopped when the script exits), their
# environment exported, and a missing service an error, not a skip.
# Only the tests about Redis get it (CASEATTEST_TEST_REDIS_URL): the others
# keep the embedded default of in-process rate limits.
start_test_services() {
    export RUN_DIR=$1
    CLEAN=1 scripts/dev-down.sh
    trap 'CLEAN=1 scripts/dev-down.sh' EXIT
    scripts/dev-up.sh
    # shellcheck disable=SC1091
    source "$RUN_DIR/env"
    export CASEATTEST_REQUIRE_SERVICES=1
    export CASEATTEST_TEST_REDIS_URL=$CASEATTEST_REDIS_URL
    unset CASEATTEST_REDIS_URL
}
