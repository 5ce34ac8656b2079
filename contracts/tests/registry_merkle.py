"""Reference OpenZeppelin StandardMerkleTree in Python, for the contract tests.

It mirrors @openzeppelin/merkle-tree (standard-v1): leaf = keccak256(keccak256(abi.encode(value))),
leaves sorted by hash (unless sort_leaves=False), the tree stored as an array with the root at 0
and leaves at the end, inner nodes = keccak256 of the sorted pair. It is checked against the
OpenZeppelin dumps in shared/vectors/merkle and, when CASEATTEST_BIN is set, against our Swift
`caseattest util merkle-tree`, so the on-chain proof tests do not rest on one implementation.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass

from Crypto.Hash import keccak as _keccak
from eth_abi import encode as abi_encode


def keccak256(data: bytes) -> bytes:
    return _keccak.new(digest_bits=256, data=data).digest()


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Commutative: the same as OpenZeppelin's Hashes.commutativeKeccak256."""
    return keccak256(a + b) if a < b else keccak256(b + a)


def standard_leaf(types: list[str], values: list) -> bytes:
    return keccak256(keccak256(abi_encode(types, values)))


def content_hash_leaf(content_hash: bytes) -> bytes:
    """The CaseAttest leaf: StandardMerkleTree over ["bytes32"] (abi.encode(bytes32) is the hash)."""
    if len(content_hash) != 32:
        raise ValueError(f"content hash must be 32 bytes, got {len(content_hash)}")
    return standard_leaf(["bytes32"], [content_hash])


@dataclass(frozen=True)
class Entry:
    leaf: bytes
    tree_index: int
    proof: list[bytes]


@dataclass(frozen=True)
class MerkleTree:
    tree: list[bytes]
    entries: list[Entry]  # in input order

    @property
    def root(self) -> bytes:
        return self.tree[0]


def build_tree(leaves: list[bytes], sort_leaves: bool = True) -> MerkleTree:
    if not leaves:
        raise ValueError("a Merkle tree needs at least one leaf")
    order = sorted(range(len(leaves)), key=lambda i: leaves[i]) if sort_leaves else list(range(len(leaves)))
    size = 2 * len(leaves) - 1
    tree: list[bytes] = [b""] * size
    tree_index_of = [0] * len(leaves)
    for position, input_index in enumerate(order):
        tree_index_of[input_index] = size - 1 - position
        tree[size - 1 - position] = leaves[input_index]
    for i in range(size - 1 - len(leaves), -1, -1):
        tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
    entries = [Entry(leaves[i], tree_index_of[i], proof_for(tree, tree_index_of[i])) for i in range(len(leaves))]
    return MerkleTree(tree, entries)


def proof_for(tree: list[bytes], index: int) -> list[bytes]:
    proof = []
    while index > 0:
        sibling = index + 1 if index % 2 == 1 else index - 1
        proof.append(tree[sibling])
        index = (index - 1) // 2
    return proof


def process_proof(leaf: bytes, proof: list[bytes]) -> bytes:
    computed = leaf
    for sibling in proof:
        computed = hash_pair(computed, sibling)
    return computed


def content_hash_tree(content_hashes: list[bytes]) -> MerkleTree:
    return build_tree([content_hash_leaf(h) for h in content_hashes])


def swift_merkle_tree(binary: str, content_hashes: list[bytes], timeout: float = 60) -> dict:
    """Runs `caseattest util merkle-tree` on the hashes and returns its parsed JSON."""
    stdin = "".join("0x" + h.hex() + "\n" for h in content_hashes)
    completed = subprocess.run(
        [binary, "util", "merkle-tree"], input=stdin, capture_output=True, text=True, timeout=timeout
    )
    if completed.returncode != 0:
        raise AssertionError(f"caseattest util merkle-tree exited {completed.returncode}: {completed.stderr.strip()}")
    return json.loads(completed.stdout)


def as_cli_json(content_hashes: list[bytes], tree: MerkleTree) -> dict:
    """The reference tree in the CLI's output shape, for a whole-document comparison."""
    return {
        "root": "0x" + tree.root.hex(),
        "leafCount": len(content_hashes),
        "entries": [
            {
                "contentHash": "0x" + h.hex(),
                "leaf": "0x" + e.leaf.hex(),
                "treeIndex": e.tree_index,
                "proof": ["0x" + p.hex() for p in e.proof],
            }
            for h, e in zip(content_hashes, tree.entries)
        ],
    }
