"""verifyLeaf on chain against StandardMerkleTree proofs, for batches of 1, 2, 3, 64 and 1000 cases."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from registry_chain import REPO_ROOT, revert_reason, transact
from registry_merkle import (
    as_cli_json,
    build_tree,
    content_hash_tree,
    keccak256,
    process_proof,
    standard_leaf,
    swift_merkle_tree,
)

BATCH_SIZES = [1, 2, 3, 64, 1000]
# Each verifyLeaf is one eth_call; bound the whole sweep so a slow chain fails loudly, not hangs.
VERIFY_DEADLINE_S = 300
MAX_PROOF_LENGTH = 64


def content_hashes(count: int, label: str) -> list[bytes]:
    """Stand-ins for salted SHA-256 case content hashes: distinct, deterministic 32-byte values."""
    return [hashlib.sha256(f"{label}/case-{i}".encode()).digest() for i in range(count)]


def vectors_dir() -> Path | None:
    configured = os.environ.get("CASEATTEST_VECTORS")
    path = Path(configured) if configured else REPO_ROOT.parent / "shared" / "vectors"
    return path / "merkle" if (path / "merkle").is_dir() else None


# --- the reference implementation ------------------------------------------------------------


@pytest.mark.parametrize("name, sort_leaves", [("standard-v1.sorted.1_0_6.json", True),
                                               ("standard-v1.unsorted.1_0_6.json", False)])
def test_reference_tree_matches_openzeppelin_dumps(name, sort_leaves):
    directory = vectors_dir()
    if directory is None:
        pytest.skip("skipped: conformance vectors not found (../shared/vectors or CASEATTEST_VECTORS)")
    dump = json.loads((directory / name).read_text())
    assert dump["format"] == "standard-v1"
    leaves = [standard_leaf(dump["leafEncoding"], entry["value"]) for entry in dump["values"]]
    tree = build_tree(leaves, sort_leaves=sort_leaves)
    assert ["0x" + node.hex() for node in tree.tree] == dump["tree"]
    assert [e.tree_index for e in tree.entries] == [entry["treeIndex"] for entry in dump["values"]]
    for entry in tree.entries:
        assert process_proof(entry.leaf, entry.proof) == tree.root


def test_single_leaf_tree_is_its_own_root_with_empty_proof():
    (h,) = content_hashes(1, "single")
    tree = content_hash_tree([h])
    assert tree.root == keccak256(keccak256(h))
    assert tree.entries[0].proof == []


# --- on chain ------------------------------------------------------------------------------------


def tree_for_batch(hashes: list[bytes], caseattest_bin: str | None):
    """The reference tree; when the Swift CLI is available it must produce the same document."""
    tree = content_hash_tree(hashes)
    if caseattest_bin is not None:
        swift = swift_merkle_tree(caseattest_bin, hashes)
        assert lowercase(swift) == as_cli_json(hashes, tree), "Swift and Python Merkle trees differ"
    return tree


def lowercase(document):
    if isinstance(document, str):
        return document.lower()
    if isinstance(document, list):
        return [lowercase(item) for item in document]
    if isinstance(document, dict):
        return {key: lowercase(value) for key, value in document.items()}
    return document


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_every_proof_verifies_on_chain(w3, anchoring_registry, attester, caseattest_bin, size):
    hashes = content_hashes(size, f"batch-{size}")
    tree = tree_for_batch(hashes, caseattest_bin)
    # Before anchoring, even a correct proof does not verify.
    first = tree.entries[0]
    assert anchoring_registry.functions.verifyLeaf(tree.root, first.leaf, first.proof).call() is False

    assert transact(w3, attester, anchoring_registry.functions.anchor(tree.root, size))["status"] == 1
    assert anchoring_registry.functions.anchorOf(tree.root).call()[3] == size

    deadline = time.monotonic() + VERIFY_DEADLINE_S
    for index, entry in enumerate(tree.entries):
        assert time.monotonic() < deadline, f"verifying took over {VERIFY_DEADLINE_S}s at leaf {index}"
        assert anchoring_registry.functions.verifyLeaf(tree.root, entry.leaf, entry.proof).call() is True, \
            f"leaf {index} of {size} did not verify"
        assert anchoring_registry.functions.verifyContentHash(tree.root, hashes[index], entry.proof).call() is True, \
            f"content hash {index} of {size} did not verify"


def test_wrong_proofs_leaves_and_roots_are_rejected(w3, anchoring_registry, attester, caseattest_bin):
    hashes = content_hashes(64, "negative")
    tree = tree_for_batch(hashes, caseattest_bin)
    other = content_hash_tree(content_hashes(64, "negative-other"))  # never anchored
    assert transact(w3, attester, anchoring_registry.functions.anchor(tree.root, 64))["status"] == 1
    verify = anchoring_registry.functions.verifyLeaf
    entry, neighbour = tree.entries[5], tree.entries[6]

    assert verify(tree.root, entry.leaf, entry.proof).call() is True
    # A proof with one sibling altered.
    tampered = list(entry.proof)
    tampered[2] = bytes([tampered[2][0] ^ 1]) + tampered[2][1:]
    assert verify(tree.root, entry.leaf, tampered).call() is False
    # Truncated, and extended, proofs.
    assert verify(tree.root, entry.leaf, entry.proof[:-1]).call() is False
    assert verify(tree.root, entry.leaf, entry.proof + [entry.leaf]).call() is False
    # Another leaf with this leaf's proof; the raw content hash instead of its leaf; a leaf not in the tree.
    assert neighbour.proof != entry.proof
    assert verify(tree.root, neighbour.leaf, entry.proof).call() is False
    assert verify(tree.root, hashes[5], entry.proof).call() is False
    assert verify(tree.root, other.entries[5].leaf, entry.proof).call() is False
    # A valid proof to a root that was never anchored.
    other_entry = other.entries[5]
    assert process_proof(other_entry.leaf, other_entry.proof) == other.root
    assert verify(other.root, other_entry.leaf, other_entry.proof).call() is False
    # verifyLeaf takes any bytes32 as the leaf, so an inner node with the rest of the path passes
    # it; verifyContentHash hashes the leaf itself, so only a real case content hash passes.
    inner = process_proof(entry.leaf, entry.proof[:1])
    assert verify(tree.root, inner, entry.proof[1:]).call() is True
    verify_hash = anchoring_registry.functions.verifyContentHash
    assert verify_hash(tree.root, hashes[5], entry.proof).call() is True
    assert verify_hash(tree.root, inner, entry.proof[1:]).call() is False
    assert verify_hash(tree.root, entry.leaf, entry.proof).call() is False
    assert verify_hash(tree.root, hashes[6], entry.proof).call() is False
    assert verify_hash(other.root, hashes[5], entry.proof).call() is False


def test_single_leaf_batch_verifies_with_empty_proof_only_when_anchored(w3, anchoring_registry, attester):
    tree = content_hash_tree(content_hashes(1, "lonely"))
    entry = tree.entries[0]
    assert anchoring_registry.functions.verifyLeaf(tree.root, entry.leaf, []).call() is False
    assert transact(w3, attester, anchoring_registry.functions.anchor(tree.root, 1))["status"] == 1
    assert anchoring_registry.functions.verifyLeaf(tree.root, entry.leaf, []).call() is True
    assert anchoring_registry.functions.verifyLeaf(tree.root, tree.root[::-1], []).call() is False


def test_proof_longer_than_the_bound_is_rejected(anchoring_registry, stranger):
    too_long = [b"\x11" * 32] * (MAX_PROOF_LENGTH + 1)
    for call in (anchoring_registry.functions.verifyLeaf(b"\x22" * 32, b"\x33" * 32, too_long),
                 anchoring_registry.functions.verifyContentHash(b"\x22" * 32, b"\x33" * 32, too_long)):
        assert revert_reason(call, stranger) is not None
