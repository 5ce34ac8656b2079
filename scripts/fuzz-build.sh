#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/targets) into .build-fuzz/bin, apart from
# the package's own build: the modules a target needs are compiled here with
# swiftc, instrumented for coverage (-sanitize=fuzzer) and AddressSanitizer,
# optimised (-O, whole module) so a run executes many inputs per second.
# SwiftPM builds the normal package; this script never touches .build/.
#
#   scripts/fuzz-build.sh            build every target
#   FUZZ_TARGETS="rlp json" scripts/fuzz-build.sh
set -euo pipefail
cd "$(dirname "$0")/.."

out=${FUZZ_BUILD_DIR:-.build-fuzz}
mods=$out/modules
objs=$out/objects
bins=$out/bin
mkdir -p "$mods" "$objs" "$bins"

# swift-log (Postgres and EthereumRPC take a Logger) comes from the package's
# own checkout; resolving is cheap once .build exists.
log_src=.build/checkouts/swift-log/Sources/Logging
[ -d "$log_src" ] || swift package resolve >/dev/null
[ -d "$log_src" ] || { echo "fuzz-build: swift-log checkout not found at $log_src" >&2; exit 1; }

instrument=(-sanitize=fuzzer,address -O -wmo -g -parse-as-library -enable-testing -use-ld=lld)
cflags=(-I Sources/CSecp256k1 -I Sources/COpenSSL -I Sources/CLibPQ -I Sources/CCurl
        -Xcc -I/usr/include/postgresql -I "$mods")

# module name, swift language mode, source folder, the modules it imports.
# A module is rebuilt when a source or an imported module's object is newer
# than its object; the build goes in two waves of independent modules, each
# wave's compilers side by side (whole-module compiles are single-threaded).
needs_build() {
    local object=$objs/$1.o dir=$2
    shift 2
    [ -f "$object" ] || return 0
    [ -n "$(find "$dir" -name '*.swift' -newer "$object" | head -1)" ] && return 0
    local dependency
    for dependency in "$@"; do [ "$objs/$dependency.o" -nt "$object" ] && return 0; done
    return 1
}

module() {
    local name=$1 mode=$2 dir=$3
    shift 3
    needs_build "$name" "$dir" "$@" || return 0
    local sources
    mapfile -t sources < <(find "$dir" -name '*.swift' | sort)
    echo "==> fuzz build: module $name (${#sources[@]} files)"
    swiftc -module-name "$name" -swift-version "$mode" -package-name caseattest "${instrument[@]}" "${cflags[@]}" \
        -emit-module -emit-module-path "$mods/$name.swiftmodule" -c -o "$objs/$name.o" "${sources[@]}"
}

wave() {
    local pids=() pid failed=0
    for spec in "$@"; do
        # shellcheck disable=SC2086
        module $spec &
        pids+=($!)
    done
    for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
    [ "$failed" = 0 ] || { echo "fuzz-build: a module failed to compile" >&2; exit 1; }
}

wave "Logging 5 $log_src" "Ethereum 6 Sources/Ethereum" "ThreadHandoff 6 Sources/ThreadHandoff"
wave "Attestation 6 Sources/Attestation Ethereum" "Postgres 6 Sources/Postgres Logging ThreadHandoff Ethereum" \
     "EthereumRPC 6 Sources/EthereumRPC Logging Ethereum ThreadHandoff"

# target name: the modules it links and the sources compiled into it.
declare -A target_modules=(
    [json]="Ethereum Attestation"
    [rlp]="Ethereum"
    [signed_tx]="Ethereum"
    [receipt]="Ethereum Attestation"
    [rpc_response]="Logging ThreadHandoff Ethereum EthereumRPC"
    [keystore]="Ethereum"
    [api_body]=""
    [pg_text]="Logging ThreadHandoff Ethereum Postgres"
    [abi]="Ethereum"
)
declare -A target_sources=(
    [json]="fuzz/targets/JSONCanonicalFuzz.swift"
    [rlp]="fuzz/targets/RLPFuzz.swift"
    [signed_tx]="fuzz/targets/SignedTransactionFuzz.swift"
    [receipt]="fuzz/targets/ReceiptFuzz.swift"
    [rpc_response]="fuzz/targets/RPCResponseFuzz.swift"
    [keystore]="fuzz/targets/KeystoreFuzz.swift"
    # The real request body decoder, with a stand-in for the Hummingbird-typed APIError.
    [api_body]="fuzz/targets/APIBodyFuzz.swift fuzz/targets/APIErrorShim.swift Sources/AttestationAPI/AttestationRequestBody.swift"
    [pg_text]="fuzz/targets/PostgresTextFuzz.swift"
    [abi]="fuzz/targets/ABIFuzz.swift"
)

link() {
    local target=$1 binary=$bins/$1
    # shellcheck disable=SC2206
    local sources=(fuzz/targets/FuzzSupport.swift ${target_sources[$1]}) objects=() m
    for m in ${target_modules[$target]}; do objects+=("$objs/$m.o"); done
    if [ -x "$binary" ] && [ -z "$(find "${sources[@]}" "${objects[@]}" -newer "$binary" | head -1)" ]; then
        return 0
    fi
    echo "==> fuzz build: target $target"
    # -gline-tables-only: a -g link would leave a module file in the working folder.
    swiftc -module-name "fuzz_$target" -swift-version 6 "${instrument[@]/-g/-gline-tables-only}" "${cflags[@]}" \
        -o "$binary" "${sources[@]}" "${objects[@]}"
}

targets=${FUZZ_TARGETS:-json rlp signed_tx receipt rpc_response keystore api_body pg_text abi}
pids=()
for target in $targets; do
    [ -n "${target_sources[$target]+x}" ] || { echo "fuzz-build: unknown target $target" >&2; exit 2; }
    link "$target" &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { echo "fuzz-build: a target failed to build" >&2; exit 1; }
