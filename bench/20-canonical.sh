#!/usr/bin/env bash
# Case documents per second: build from rows + RFC 8785 canonicalise + SHA-256
# (Swift, one core) beside Python's json.dumps(sort_keys=True,
# separators=(",", ":")) + hashlib.sha256 on the same 100,000 documents.
# Targets: >= 5x Python and >= 500,000 documents/s/core.
set -euo pipefail

REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-python3}"
COUNT="${BENCH_DOCUMENTS:-100000}"
REPEATS="${BENCH_REPEATS:-5}"

cd "$REPO"
if ! build_log=$(swift build -c release --product bench-attestation 2>&1); then
    echo "$build_log" >&2
    exit 1
fi
BIN="$(swift build -c release --show-bin-path)/bench-attestation"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

# One core each, one after the other.
PIN=()
if command -v taskset >/dev/null; then PIN=(taskset -c 0); fi

"${PIN[@]}" "$BIN" --count "$COUNT" --repeat "$REPEATS" --write "$WORK/documents.txt" >"$WORK/swift.txt"
"${PIN[@]}" "$PYTHON" "$REPO/bench/canonical_peer.py" "$WORK/documents.txt" "$REPEATS" >"$WORK/python.txt"

value() { grep "^$1=" "$2" | cut -d= -f2; }
docs=$(value documents "$WORK/swift.txt")
avg=$(value average_canonical_bytes "$WORK/swift.txt")
rows=$(value swift_from_rows_docs_per_s "$WORK/swift.txt")
generic=$(value swift_from_rows_jsonvalue_docs_per_s "$WORK/swift.txt")
prebuilt=$(value swift_prebuilt_docs_per_s "$WORK/swift.txt")
py=$(value python_docs_per_s "$WORK/python.txt")
mismatches=$(value python_hash_mismatches "$WORK/python.txt")

echo "== 20-canonical: case documents canonicalised + SHA-256, one core, best of $REPEATS"
echo "documents: $docs (0-5 appointments each, average $avg canonical bytes); Python hashes differing from Swift: $mismatches"
printf '%-58s %14s %10s\n' "" "docs/s" "vs Python"
printf '%-58s %14s %10s\n' "Python json.dumps(sort_keys) + hashlib.sha256 (prebuilt)" "$py" "1.0x"
awk -v p="$py" -v s="$prebuilt" 'BEGIN { printf "%-58s %14d %9.1fx\n", "Swift JCS + SHA-256 (prebuilt documents)", s, s / p }'
awk -v p="$py" -v s="$rows" 'BEGIN { printf "%-58s %14d %9.1fx\n", "Swift from rows: CaseDocumentV1.contentHash()", s, s / p }'
awk -v p="$py" -v s="$generic" 'BEGIN { printf "%-58s %14d %9.1fx\n", "Swift from rows: CaseDocument.v1 JSONValue + JCS + SHA-256", s, s / p }'
awk -v p="$py" -v s="$rows" 'BEGIN {
    ratio = s / p
    printf "targets: >= 5x Python: %s (%.1fx, from rows); >= 500000 docs/s/core: %s (%d)\n",
        (ratio >= 5 ? "met" : "NOT met"), ratio, (s >= 500000 ? "met" : "NOT met"), s
}'
if [ "$mismatches" != "0" ]; then
    echo "error: Python computed different hashes for $mismatches documents" >&2
    exit 1
fi
