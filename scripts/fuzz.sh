#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets (scripts/fuzz-build.sh) and runs
# each for FUZZ_SECONDS, starting from its committed seeds (fuzz/corpus/TARGET)
# plus what earlier runs found (.build-fuzz/corpus/TARGET, not committed).
# Prints per target: executions, seconds, coverage (libFuzzer's cov and ft)
# and crashes; a crash's input is kept in .build-fuzz/crashes/TARGET/.
# Exit status 1 when any target crashed.
#
#   FUZZ_SECONDS=600 make fuzz
#   FUZZ_TARGETS="rlp json" FUZZ_SECONDS=30 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-180}
targets=${FUZZ_TARGETS:-json rlp signed_tx receipt rpc_response keystore api_body pg_text abi}
out=${FUZZ_BUILD_DIR:-.build-fuzz}

FUZZ_TARGETS=$targets scripts/fuzz-build.sh

# Swift's runtime keeps some allocations for the process's lifetime; leak
# reports would be noise. Memory errors still stop the run.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

summary=()
crashed=0
for target in $targets; do
    work=$out/corpus/$target
    crashes=$out/crashes/$target
    log=$out/logs/$target.log
    mkdir -p "$work" "$crashes" "$(dirname "$log")"
    seeds=()
    [ -d "fuzz/corpus/$target" ] && seeds+=("fuzz/corpus/$target")
    echo "==> fuzz $target for ${seconds}s"
    status=0
    touch "$out/.started"
    "$out/bin/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "${seeds[@]}" >"$log" 2>&1 || status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    found=$(find "$crashes" -type f -newer "$out/.started" \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    if [ "$status" -ne 0 ]; then
        crashed=1
        echo "    CRASH (exit $status); last lines of $log:"
        grep -E 'ERROR|fatal|invariant|Fatal error|SUMMARY' "$log" | head -5 | sed 's/^/    /'
    fi
    summary+=("$(printf '%-14s %12s execs %6ss  cov %6s  ft %7s  crash files %s  exit %s' \
        "$target" "${execs:-?}" "${secs:-$seconds}" "${cov:-?}" "${ft:-?}" "$found" "$status")")
done

echo "==> fuzz summary (${seconds}s per target; logs in $out/logs, crash inputs in $out/crashes)"
printf '    %s\n' "${summary[@]}"
exit $crashed
