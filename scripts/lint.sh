#!/usr/bin/env bash
# `make lint`: swift format lint (the committed .swift-format) over the Swift,
# ruff (ruff.toml) over the Python. Fails when either finds anything.
# scripts/format.sh applies swift format's fixes; what it cannot fix (a string
# literal longer than a line, say) lint names with file:line for a hand edit.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
swift_paths=(Package.swift Sources Tests fuzz/targets)
echo "==> swift format lint --strict"
report=$(swift format lint --strict --parallel -r "${swift_paths[@]}" 2>&1)
if [ -n "$report" ]; then
    status=1
    echo "$report" | head -n "${LINT_SHOW:-40}"
    count=$(grep -c ': \(warning\|error\):' <<<"$report")
    files=$(grep ': \(warning\|error\):' <<<"$report" | cut -d: -f1 | sort -u | wc -l)
    echo "swift format lint: $count findings in $files files (first ${LINT_SHOW:-40} above)."
    echo "  Most are layout that scripts/format.sh fixes; run it, then fix what lint still names by hand."
fi

ruff=.venv/bin/ruff
[ -x "$ruff" ] || ruff=$(command -v ruff || true)
echo "==> ruff check"
if [ -z "$ruff" ]; then
    echo "ruff is not installed: scripts/install-deps.sh puts it into .venv"
    status=1
elif ! "$ruff" check .; then
    status=1
fi
exit $status
