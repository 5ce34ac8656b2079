"""Python peer for bench/20-canonical.sh: json.dumps(sort_keys=True,
separators=(",", ":")) + hashlib.sha256 over the same case documents the
Swift benchmark wrote, best of N runs, and a check that every hash matches.

usage: canonical_peer.py DOCUMENTS_FILE [REPEATS]
"""

import hashlib
import json
import sys
import time


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    expected = []
    documents = []
    with open(path, "rb") as handle:
        for line in handle:
            digest, _, text = line.rstrip(b"\n").partition(b" ")
            expected.append(digest.decode("ascii"))
            documents.append(json.loads(text))

    best = 0.0
    digests = None
    for _ in range(repeats):
        start = time.perf_counter()
        digests = [
            hashlib.sha256(json.dumps(document, sort_keys=True, separators=(",", ":")).encode("utf-8")).digest()
            for document in documents
        ]
        elapsed = time.perf_counter() - start
        best = max(best, len(documents) / elapsed)

    mismatches = sum(1 for got, want in zip(digests, expected) if "0x" + got.hex() != want)
    print(f"python_docs_per_s={int(best)}")
    print(f"python_hash_mismatches={mismatches}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
