#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (fuzz/corpus/TARGET/): a few small,
valid inputs per target, so libFuzzer starts inside each format instead of
guessing its first bytes. Sources: ../shared/vectors when present (JCS, RLP,
signed transactions, keystores), and hand-written inputs shaped like the tests'
fixtures. Run again after changing it; the output is committed.

    python3 fuzz/seeds.py
"""

import hashlib
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
VECTORS = ROOT.parent / "shared" / "vectors"
MAX_SEED = 2048  # bytes: keep the committed corpus small


def write(target, seeds):
    folder = CORPUS / target
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    kept = 0
    for seed in seeds:
        data = seed if isinstance(seed, bytes) else seed.encode()
        if len(data) > MAX_SEED:
            continue
        # libFuzzer's own naming: the SHA-1 of the content.
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
        kept += 1
    print(f"{target}: {kept} seeds")


def vector(path):
    file = VECTORS / path
    if not file.exists():
        print(f"  ({file} absent: seeds from it skipped)", file=sys.stderr)
        return None
    return file


def json_seeds():
    seeds = [
        '{"b":[1,2.5,-0,1e21,1e-7],"a":{"c":null,"d":true,"e":false},"\\u00e9":"\\ud83d\\ude00"}',
        '[[],{},"",0,-1.5E+3,"\\n\\t\\"\\\\\\/"]',
        '"\\u0000\\u001f"',
        "123456789012345678901234567890",
        "5e-324",
    ]
    folder = vector("jcs/input")
    if folder:
        seeds += [p.read_text() for p in sorted(folder.glob("*.json"))]
    return seeds


def rlp_seeds():
    seeds = [bytes.fromhex(h) for h in ("80", "00", "7f", "83646f67", "c0", "c3c0c1c0", "b838" + "61" * 56)]
    file = vector("rlp/rlptest.json")
    if file:
        for case in json.loads(file.read_text()).values():
            out = case["out"]
            if isinstance(out, str) and out.startswith("0x"):
                seeds.append(bytes.fromhex(out[2:]))
    return seeds


def transaction_seeds():
    seeds = []
    file = vector("transactions/ethers-eip155-london-sample.json")
    if file:
        cases = json.loads(file.read_text())
        # A handful of each type is enough: they differ in field sizes only.
        for case in cases[:6]:
            for field in ("signedEip155", "signedLondon"):
                if case.get(field):
                    seeds.append(bytes.fromhex(case[field][2:]))
    return seeds


def keystore_seeds():
    cheap = {
        "version": 3,
        "id": "3198bc9c-6672-5ab3-d995-4942343ae5b6",
        "address": "008aeeda4d805471df9b2a5b0f38a0c3bcba786b",
        "crypto": {
            "cipher": "aes-128-ctr",
            "cipherparams": {"iv": "6087dab2f9fdbbfaddc31a909735c1e6"},
            "ciphertext": "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
            "kdf": "pbkdf2",
            "kdfparams": {"c": 2, "dklen": 32, "prf": "hmac-sha256", "salt": "ae3cd4e7013836a3df6bd7241b12db06"},
            "mac": "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
        },
    }
    scrypt = json.loads(json.dumps(cheap))
    scrypt["crypto"]["kdf"] = "scrypt"
    scrypt["crypto"]["kdfparams"] = {"n": 2, "r": 1, "p": 1, "dklen": 32, "salt": "ab" * 32}
    seeds = [json.dumps(cheap), json.dumps(scrypt)]
    file = vector("keystore/basic_tests.json")
    if file:
        seeds += [json.dumps(case["json"]) for case in json.loads(file.read_text()).values()]
    return seeds


def receipt_seeds():
    document = {
        "appointments": [
            {"id": 12, "location_type": "online", "scheduled_at": "2025-12-30T13:06:40.000012Z", "status": "completed"}
        ],
        "case": {
            "counsellor_id": 9, "created_at": "2025-12-29T09:20:00.000000Z", "id": 41,
            "resolved_at": "2026-01-01T00:00:00.000000Z", "risk_level_at_creation": 2, "status": "resolved",
            "user_hash": "ab" * 32,
        },
        "salt": "07" * 32,
        "schema": "aicare.case-attestation/v1",
    }
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
    receipt = {
        "format": "caseattest-receipt/v1",
        "document": document,
        "contentHash": "0x" + hashlib.sha256(canonical).hexdigest(),
        "leaf": "0x" + "11" * 32,
        "proof": ["0x" + "22" * 32, "0x" + "33" * 32],
        "root": "0x" + "44" * 32,
        "chainId": 1337,
        "contract": "0x" + "11" * 20,
        "txHash": "0x" + "55" * 32,
        "blockNumber": 10,
        "blockHash": "0x" + "66" * 32,
        "leafIndex": 0,
        "attestedAt": "2023-11-14T22:13:20.000000Z",
    }
    return [json.dumps(receipt, sort_keys=True, separators=(",", ":")), json.dumps(receipt, indent=1)]


def rpc_seeds():
    h32, addr = "0x" + "ab" * 32, "0x" + "cd" * 20
    log = {"address": addr, "topics": [h32], "data": "0x00", "blockNumber": "0x1", "blockHash": h32,
           "transactionHash": h32, "logIndex": "0x0", "removed": False}
    receipt = {"transactionHash": "0x" + "00" * 32, "blockHash": h32, "blockNumber": "0x1", "status": "0x1",
               "from": addr, "to": None, "contractAddress": addr, "gasUsed": "0x5208",
               "effectiveGasPrice": "0x3b9aca00", "logs": [log]}
    block = {"number": "0x1", "hash": h32, "parentHash": h32, "timestamp": "0x65", "baseFeePerGas": "0x7",
             "transactions": [h32, {"hash": h32}]}
    results = ["0x539", "0x", "0x" + "ff" * 32, h32, addr, receipt, block, [log], None]
    seeds = [json.dumps({"jsonrpc": "2.0", "id": 1, "result": r}) for r in results]
    batch = [{"jsonrpc": "2.0", "id": 2, "result": "0x1"}, {"jsonrpc": "2.0", "id": 1, "result": block}]
    seeds.append(json.dumps(batch))
    seeds.append(json.dumps({"jsonrpc": "2.0", "id": 1, "error": {"code": 3, "message": "execution reverted",
                                                                   "data": "0x08c379a0"}}))
    return seeds


def api_body_seeds():
    return ['{"counsellorId": 7}', '{"counsellorId":9223372036854775807}', '{"counsellorId": 1.0}',
            '{"counsellorId": 7, "x": 1}', "{}", "[]"]


def pg_text_seeds():
    return ["2026-01-01 00:00:00+00", "2026-01-01 12:34:56.789012+00", "0044-03-15 10:00:00+01:30 BC",
            "1999-12-31T23:59:59.5-08", "\\x00ff10", "a\\\\b\\001", "-9223372036854775808", "32767", "t", "f",
            "1.5e300", "NaN", "-Infinity", "infinity", "0001_initial-schema.sql"]


def abi_seeds():
    def word(n):
        return n.to_bytes(32, "big")

    anchor = word(7) + word(1_700_000_000) + bytes(12) + bytes.fromhex("11" * 20) + word(4)
    text = word(32) + word(5) + b"hello".ljust(32, b"\0")
    hashes = word(32) + word(2) + bytes.fromhex("ab" * 32) + bytes.fromhex("cd" * 32)
    # The first byte picks the type list in fuzz/targets/ABIFuzz.swift; 0xFF parses a type string.
    return [b"\x00" + anchor, b"\x01" + word(1), b"\x05" + text, b"\x07" + hashes,
            b"\xff(address,bytes)[2]", b"\xffuint256[]"]


def main():
    write("json", json_seeds())
    write("rlp", rlp_seeds())
    write("signed_tx", transaction_seeds())
    write("keystore", keystore_seeds())
    write("receipt", receipt_seeds())
    write("rpc_response", rpc_seeds())
    write("api_body", api_body_seeds())
    write("pg_text", pg_text_seeds())
    write("abi", abi_seeds())


if __name__ == "__main__":
    main()
