#!/usr/bin/env bash
# Ethereum core throughput beside its peers, from one run:
#   Keccak-256 MB/s (64 MiB as 1 MiB and as 32-byte inputs) vs pycryptodome's C keccak,
#   EIP-1559 signatures/s vs eth-account 0.14 (Python).
# Targets: keccak (1 MiB inputs) >= 0.8x pycryptodome; signing >= 10x eth-account.
# A miss is printed as BELOW but does not stop `make bench` (the other benches still run).
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
cd "$REPO"

swift build -c release --product bench-ethereum >&2
ours_bin="$(swift build -c release --show-bin-path)/bench-ethereum"

ours="$(mktemp)"
peer="$(mktemp)"
trap 'rm -f "$ours" "$peer"' EXIT
"$ours_bin" >"$ours"
"$PYTHON" bench/ethereum_peer.py >"$peer"

# name | label | unit | target ratio ("-" = none)
rows=(
    "keccak_1mib_mb_per_s|Keccak-256, 1 MiB inputs|MB/s|0.8"
    "keccak_32b_mb_per_s|Keccak-256, 32-byte inputs|MB/s|-"
    "eip1559_signatures_per_s|EIP-1559 sign (type 2)|tx/s|10"
)
value() { awk -v k="$1" '$1 == k { print $2 }' "$2"; }

printf '%-28s %14s %14s %8s %8s  %s\n' "benchmark" "caseattest" "peer" "ratio" "target" "peer is"
for row in "${rows[@]}"; do
    IFS='|' read -r name label unit target <<<"$row"
    a="$(value "$name" "$ours")"
    b="$(value "$name" "$peer")"
    case "$name" in
        keccak*) peer_name="pycryptodome keccak (C)" ;;
        *) peer_name="eth-account 0.14" ;;
    esac
    ratio="$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2fx", a / b }')"
    verdict=""
    if [ "$target" != "-" ]; then
        if awk -v a="$a" -v b="$b" -v t="$target" 'BEGIN { exit !(a / b >= t) }'; then
            verdict="ok"
        else
            verdict="BELOW target"
        fi
    fi
    printf '%-28s %9.1f %-4s %9.1f %-4s %8s %8s  %s %s\n' "$label" "$a" "$unit" "$b" "$unit" "$ratio" \
        "$( [ "$target" = "-" ] && echo "-" || echo ">=${target}x")" "$peer_name" "$verdict"
done
