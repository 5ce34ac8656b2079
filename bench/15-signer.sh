#!/usr/bin/env bash
# Signatures per second of the daemon's signer: the file key (libsecp256k1 in
# memory) beside a key that never leaves a PKCS #11 token (SoftHSM2, a
# throwaway token in a temp dir), both through the TransactionSigner
# interface, each signature checked by recovering its address. Under make bench
# (its services in the environment) it also times the 10,000-case end-to-end
# run (bench/daemon_bench.py) with the token's key, beside 40-daemon's run with
# the file key; BENCH_SIGNER_E2E=0 skips that.
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$REPO"

swift build -c release --product bench-signer >&2
bin="$(swift build -c release --show-bin-path)"
# make bench sets CASEATTEST_BIN to its release build; alone, build it here.
caseattest="${CASEATTEST_BIN:-}"
if [ -z "$caseattest" ]; then
    swift build -c release --product caseattest >&2
    caseattest="$bin/caseattest"
fi

module=""
for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so; do
    [ -e "$m" ] && module="$m" && break
done
if [ -z "$module" ] || ! command -v softhsm2-util >/dev/null; then
    echo "SKIP token signer: SoftHSM2 is not installed (scripts/install-deps.sh installs softhsm2)"
    "$bin/bench-signer"
    exit 0
fi

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n' "$dir" >"$dir/softhsm2.conf"
pin="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
( umask 077; printf '%s\n' "$pin" >"$dir/pin" )
export SOFTHSM2_CONF="$dir/softhsm2.conf"
softhsm2-util --init-token --free --label caseattest-bench --pin "$pin" --so-pin "${pin}0" >/dev/null
export CASEATTEST_PKCS11_MODULE="$module" CASEATTEST_PKCS11_TOKEN=caseattest-bench
export CASEATTEST_PKCS11_KEY=bench-signer CASEATTEST_PKCS11_PIN_FILE="$dir/pin"
address="$("$caseattest" keys new --pkcs11)"

out="$("$bin/bench-signer")"
value() { awk -v k="$1" '$1 == k { print $2 }' <<<"$out"; }
file="$(value file_signatures_per_s)"
printf '%-44s %12s\n' "signer (EIP-1559 anchor tx, recovered)" "signatures/s"
printf '%-44s %12.0f\n' "file key (libsecp256k1, in memory)" "$file"
for t in 1 2; do
    v="$(value "pkcs11_${t}t_signatures_per_s")"
    printf '%-44s %12.0f   (%.1fx slower than the file key)\n' "SoftHSM2 token, $t signing thread(s)" "$v" \
        "$(awk -v a="$file" -v b="$v" 'BEGIN { print a / b }')"
done
echo "token key $address; the daemon signs one transaction per batch of up to 256 cases,"
echo "so even the 1-thread token rate is far above what a chain's block rate lets it send."

if [ "${BENCH_SIGNER_E2E:-$([ -n "${DATABASE_URL:-}" ] && echo 1 || echo 0)}" = "1" ]; then
    echo
    echo "10,000 cases end to end with the token's key:"
    BENCH_PKCS11=1 CASEATTEST_BIN="$caseattest" bash bench/40-daemon.sh
fi
