"""Independent recomputation of the worked example in docs/canonical-form.md.

Uses only the documented rules, Python's json/hashlib/hmac/datetime and
pycryptodome's Keccak (no project code), so it checks the recipe as an
auditor in another language would follow it.
"""

import datetime
import hashlib
import hmac
import json
import pathlib
import re

from Crypto.Hash import keccak

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "canonical-form.md"
SCHEMA = "aicare.case-attestation/v1"


def example_blocks():
    """Fenced blocks that follow an `<!-- example:NAME -->` marker."""
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(r"<!-- example:([a-z0-9-]+) -->\s*```[a-z]*\n(.*?)\n```", re.S)
    return {name: body for name, body in pattern.findall(text)}


def rfc3339(value):
    """UTC, six fractional digits, 'Z'; None stays None."""
    if value is None:
        return None
    instant = datetime.datetime.fromisoformat(value).astimezone(datetime.UTC)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def user_hash(key, user_id):
    return hmac.new(key, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


def case_document(rows, key, salt_hex):
    case = rows["case"]
    appointments = sorted(rows["appointments"], key=lambda a: a["id"])
    return {
        "schema": SCHEMA,
        "case": {
            "id": case["id"],
            "status": case["status"],
            "risk_level_at_creation": case["risk_level_at_creation"],
            "created_at": rfc3339(case["created_at"]),
            "resolved_at": rfc3339(case["resolved_at"]),
            "counsellor_id": case["counsellor_id"],
            "user_hash": user_hash(key, case["user_id"]),
        },
        "appointments": [
            {
                "id": a["id"],
                "scheduled_at": rfc3339(a["scheduled_at"]),
                "status": a["status"],
                "location_type": a["location_type"],
            }
            for a in appointments
        ],
        "salt": salt_hex,
    }


def canonical_bytes(document):
    # Equals RFC 8785 for these documents: integer numbers, ASCII member
    # names (so code point order is UTF-16 order), no floats.
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def keccak256(data):
    return keccak.new(digest_bits=256, data=data).digest()


def leaf_hash(content_hash):
    return keccak256(keccak256(content_hash))


def hash_pair(a, b):
    return keccak256(min(a, b) + max(a, b))


def standard_tree(leaves):
    """OpenZeppelin StandardMerkleTree layout over sorted leaves."""
    ordered = sorted(leaves)
    size = 2 * len(ordered) - 1
    tree = [b""] * size
    for position, leaf in enumerate(ordered):
        tree[size - 1 - position] = leaf
    for node in range(size - 1 - len(ordered), -1, -1):
        tree[node] = hash_pair(tree[2 * node + 1], tree[2 * node + 2])
    return tree


def proof(tree, node):
    path = []
    while node > 0:
        path.append(tree[node + 1 if node % 2 == 1 else node - 1])
        node = (node - 1) // 2
    return path


def recompute():
    blocks = example_blocks()
    rows = json.loads(blocks["rows"])
    key = blocks["pseudonym-key"].encode("utf-8").rstrip(b"\r\n")
    salt_hex = blocks["salt"].strip()
    document = case_document(rows, key, salt_hex)
    canonical = canonical_bytes(document)
    content_hash = hashlib.sha256(canonical).digest()
    leaf = leaf_hash(content_hash)
    batch = [bytes.fromhex(line.strip()[2:]) for line in blocks["batch-content-hashes"].splitlines() if line.strip()]
    leaves = [leaf_hash(h) for h in batch]
    tree = standard_tree(leaves)
    index = tree.index(leaf)
    return {
        "blocks": blocks,
        "user_hash": document["case"]["user_hash"],
        "canonical": canonical,
        "content_hash": "0x" + content_hash.hex(),
        "leaf": "0x" + leaf.hex(),
        "batch": batch,
        "root": "0x" + tree[0].hex(),
        "tree_index": index,
        "proof": ["0x" + p.hex() for p in proof(tree, index)],
    }


def test_user_hash_matches_document():
    result = recompute()
    assert result["user_hash"] == result["blocks"]["user-hash"].strip()


def test_canonical_bytes_match_document():
    result = recompute()
    assert result["canonical"] == result["blocks"]["canonical"].encode("utf-8")


def test_content_hash_and_leaf_match_document():
    result = recompute()
    assert result["content_hash"] == result["blocks"]["content-hash"].strip()
    assert result["leaf"] == result["blocks"]["leaf"].strip()


def test_batch_root_and_proof_match_document():
    result = recompute()
    blocks = result["blocks"]
    assert result["content_hash"] in ["0x" + h.hex() for h in result["batch"]]
    assert result["root"] == blocks["batch-root"].strip()
    assert result["tree_index"] == int(blocks["batch-tree-index"].strip())
    assert result["proof"] == [line.strip() for line in blocks["batch-proof"].splitlines() if line.strip()]
    # MerkleProof.processProof folds the proof back to the root.
    node = bytes.fromhex(result["leaf"][2:])
    for sibling in result["proof"]:
        node = hash_pair(node, bytes.fromhex(sibling[2:]))
    assert "0x" + node.hex() == result["root"]


V2_SCHEMA = "aicare.case-attestation/v2"
V2_TAG = b"aicare.case-attestation/v2/user_hash"


def v2_user_hash_message(case_id, user_id):
    """Section 2a: tag, one 0x00 byte, case id and user id as 8-byte big-endian two's complement."""
    return V2_TAG + b"\x00" + case_id.to_bytes(8, "big", signed=True) + user_id.to_bytes(8, "big", signed=True)


def v2_user_hash(key, case_id, user_id):
    return hmac.new(key, v2_user_hash_message(case_id, user_id), hashlib.sha256).hexdigest()


def recompute_v2():
    blocks = example_blocks()
    rows = json.loads(blocks["rows"])
    key = blocks["pseudonym-key"].encode("utf-8").rstrip(b"\r\n")
    document = case_document(rows, key, blocks["salt"].strip())
    case = rows["case"]
    document["schema"] = V2_SCHEMA
    document["case"]["user_hash"] = v2_user_hash(key, case["id"], case["user_id"])
    canonical = canonical_bytes(document)
    content_hash = hashlib.sha256(canonical).digest()
    return blocks, key, case, canonical, content_hash


def test_v2_user_hash_is_scoped_to_the_case():
    blocks, key, case, _, _ = recompute_v2()
    assert v2_user_hash_message(case["id"], case["user_id"]).hex() == blocks["v2-user-hash-message"].strip()
    assert v2_user_hash(key, case["id"], case["user_id"]) == blocks["v2-user-hash"].strip()
    assert v2_user_hash(key, 1043, case["user_id"]) == blocks["v2-user-hash-case-1043"].strip()
    assert blocks["v2-user-hash"].strip() != user_hash(key, case["user_id"])


def test_v2_canonical_bytes_content_hash_and_leaf_match_document():
    blocks, _, _, canonical, content_hash = recompute_v2()
    assert canonical == blocks["v2-canonical"].encode("utf-8")
    assert "0x" + content_hash.hex() == blocks["v2-content-hash"].strip()
    assert "0x" + leaf_hash(content_hash).hex() == blocks["v2-leaf"].strip()


def test_timestamp_rule_handles_offsets_and_dates_before_1970():
    assert rfc3339("2026-03-01 10:30:00+01:00") == "2026-03-01T09:30:00.000000Z"
    assert rfc3339("1969-12-31 23:59:59.999999+00:00") == "1969-12-31T23:59:59.999999Z"
    assert rfc3339(None) is None


if __name__ == "__main__":
    # Prints the recomputed values (used to write the example).
    values = recompute()
    for name in ("user_hash", "content_hash", "leaf", "root", "tree_index", "proof"):
        print(name, values[name])
    print(values["canonical"].decode("utf-8"))
