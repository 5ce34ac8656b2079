"""The peer side of bench/10-ethereum.sh: pycryptodome's Keccak-256 (C) over
the same sizes as bench-ethereum, and eth-account 0.14 signing a type-2
transaction of the same shape. Prints "name value" lines."""

import os
import time

from Crypto.Hash import keccak
from eth_account import Account

TOTAL = 64 << 20


def best(rounds, body):
    fastest = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


big = os.urandom(1 << 20)


def hash_big():
    for _ in range(TOTAL // len(big)):
        keccak.new(digest_bits=256, data=big).digest()


print(f"keccak_1mib_mb_per_s {TOTAL / 1e6 / best(3, hash_big)}")

# 32-byte inputs: fewer of them, since each costs an interpreter round trip;
# the rate is per byte all the same.
small_count = 200_000
small = bytearray(os.urandom(32))


def hash_small():
    for index in range(small_count):
        small[0] = index & 0xFF
        keccak.new(digest_bits=256, data=bytes(small)).digest()


print(f"keccak_32b_mb_per_s {small_count * 32 / 1e6 / best(3, hash_small)}")

account = Account.from_key("0x4646464646464646464646464646464646464646464646464646464646464646")
selector = bytes.fromhex("47489de4")  # anchor(bytes32,uint32)
data = selector + b"\xab" * 64
sign_count = 500


def sign_many():
    for nonce in range(sign_count):
        account.sign_transaction({
            "type": 2, "chainId": 31337, "nonce": nonce, "maxPriorityFeePerGas": 1_000_000_000,
            "maxFeePerGas": 30_000_000_000, "gas": 100_000, "to": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "value": 0, "data": data,
        })


print(f"eip1559_signatures_per_s {sign_count / best(3, sign_many)}")
