#!/usr/bin/env python3
"""Gas used by the registry: deployment, anchor, and gas per attested case by batch size.

Runs against $CASEATTEST_RPC_URL, else starts the dev chain (DEVCHAIN_SERVER or devchain/server.py),
else uses web3's in-process py-evm tester (said so in the output). Gas is read from the receipts
of real, signed transactions.

The per-case design figures are EAS's, as measured and quoted in issue 5 (EAS is Solidity, which
cannot be compiled on our machines, so they are not re-measured here).
"""

from __future__ import annotations

import hashlib
import statistics
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "contracts" / "tests"))

import registry_chain  # noqa: E402
from registry_merkle import content_hash_tree  # noqa: E402

BATCH_SIZES = (1, 16, 256, 4096)
ANCHORS_PER_SIZE = 3  # roots differ, so calldata (zero vs non-zero bytes) varies a little
EAS_ATTEST_GAS_PER_CASE = 180_132
EAS_TIMESTAMP_GAS_PER_HASH = 45_869
TARGET_BATCH = 256
TARGET_GAS_PER_CASE = 500


def tree_for(size: int, round_: int):
    hashes = [hashlib.sha256(f"bench/{size}/{round_}/case-{i}".encode()).digest() for i in range(size)]
    return hashes, content_hash_tree(hashes)


def main() -> int:
    try:
        chain = registry_chain.connect()
    except registry_chain.ChainSetupError as error:
        print(f"gas bench: no chain: {error}", file=sys.stderr)
        return 1
    try:
        return run(chain)
    finally:
        chain.close()


def run(chain) -> int:
    w3 = chain.w3
    owner, attester = chain.accounts[0], chain.accounts[1]
    artifact = registry_chain.load_artifact()
    send = registry_chain.transact

    print(f"registry gas bench on {chain.description}, chain id {w3.eth.chain_id}")
    for note in chain.notes:
        print(f"note: {note}")

    registry, deploy_receipt = registry_chain.deploy(w3, owner, artifact)
    set_attester = send(w3, owner, registry.functions.setAttester(attester.address, True))
    first_hashes, first_tree = tree_for(1, -1)
    first_anchor = send(w3, attester, registry.functions.anchor(first_tree.root, 1))
    for receipt in (set_attester, first_anchor):
        if receipt["status"] != 1:
            print(f"gas bench: a setup transaction reverted: {receipt}", file=sys.stderr)
            return 1

    print()
    print(f"{'deployment':<44}{deploy_receipt['gasUsed']:>10,} gas  "
          f"(runtime {len(artifact['deployedBytecode']) // 2 - 1:,} bytes)")
    print(f"{'setAttester (new attester)':<44}{set_attester['gasUsed']:>10,} gas")
    print(f"{'anchor, first on a fresh registry':<44}{first_anchor['gasUsed']:>10,} gas  (counter slot 0 -> 1)")

    rows = []
    verify_gas = {}
    for size in BATCH_SIZES:
        gas_used = []
        for round_ in range(ANCHORS_PER_SIZE):
            hashes, tree = tree_for(size, round_)
            receipt = send(w3, attester, registry.functions.anchor(tree.root, size))
            if receipt["status"] != 1:
                print(f"gas bench: anchor of a {size}-leaf batch reverted", file=sys.stderr)
                return 1
            gas_used.append(receipt["gasUsed"])
        # What an on-chain verifier pays for one case of this batch, as a whole transaction.
        entry = tree.entries[-1]
        verify_gas[size] = (len(entry.proof), registry.functions.verifyContentHash(
            tree.root, hashes[-1], entry.proof).estimate_gas({"from": attester.address}))
        rows.append((size, int(statistics.median(gas_used)), min(gas_used), max(gas_used)))

    print()
    print(f"anchor gas by batch size (median of {ANCHORS_PER_SIZE} anchors; steady state)")
    header = (f"{'batch':>6} {'anchor gas':>11} {'range':>15} {'gas/case':>10}   "
              f"{'EAS attest/case':>16} {'EAS timestamp/hash':>19} {'EAS÷ours':>10}")
    print(header)
    print("-" * len(header))
    for size, median, low, high in rows:
        per_case = median / size
        print(f"{size:>6} {median:>11,} {f'{low:,}-{high:,}':>15} {per_case:>10,.1f}   "
              f"{EAS_ATTEST_GAS_PER_CASE:>16,} {EAS_TIMESTAMP_GAS_PER_HASH:>19,} "
              f"{EAS_ATTEST_GAS_PER_CASE / per_case:>9,.0f}x")
    print("(EAS figures as quoted in issue 5; not measured in this run)")

    print()
    print("verifyContentHash as a transaction (eth_estimateGas, one case of the batch)")
    for size, (depth, gas) in verify_gas.items():
        print(f"{size:>6} leaves, proof length {depth:>2}: {gas:>8,} gas")

    target_median = next(median for size, median, _, _ in rows if size == TARGET_BATCH)
    target_per_case = target_median / TARGET_BATCH
    verdict = "met" if target_per_case <= TARGET_GAS_PER_CASE else "MISSED"
    print()
    print(f"target: <= {TARGET_GAS_PER_CASE} gas/case at batch {TARGET_BATCH}: "
          f"{target_per_case:.1f} gas/case -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
