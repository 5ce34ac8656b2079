#!/usr/bin/env bash
# `make lint`: swift format lint (the committed .swift-format) and the
# 120-column limit over the hand-written Swift (scripts/swift-files.sh), ruff
# (ruff.toml) over the Python. Fails when any finds anything.
# scripts/format.sh applies swift format's fixes; what it cannot fix (a string
# literal longer than a line, say) the column check names with file:line.
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
show=${LINT_SHOW:-40}
mapfile -t swift_files < <(scripts/swift-files.sh)

echo "==> swift format lint --strict (${#swift_files[@]} files)"
report=$(swift format lint --strict --parallel "${swift_files[@]}" 2>&1)
if [ -n "$report" ]; then
    status=1
    echo "$report" | head -n "$show"
    count=$(grep -cE ': (warning|error):' <<<"$report")
    files=$(grep -E ': (warning|error):' <<<"$report" | cut -d: -f1 | sort -u | wc -l)
    echo "swift format lint: $count findings in $files files (at most $show shown)."
    echo "  Layout findings go away with scripts/format.sh; fix what lint still names by hand."
fi

# swift format does not break string literals and does not report the lines
# it cannot shorten; the house limit is 120 columns all the same.
echo "==> lines over 120 columns"
long=$(awk 'length($0) > 120 { print FILENAME ":" FNR ": " length($0) " columns" }' "${swift_files[@]}")
if [ -n "$long" ]; then
    status=1
    echo "$long" | head -n "$show"
    echo "$(wc -l <<<"$long") Swift lines over 120 columns (at most $show shown); run scripts/format.sh first,"
    echo "  then split what remains (long string literals, comments) by hand."
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
