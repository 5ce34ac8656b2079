"""Signing and contract helpers shared by the dev chain tests."""

from functools import cache

import vyper
from eth_account import Account
from eth_utils import keccak, to_checksum_address

from devchain.accounts import DEV_ACCOUNTS, DEV_KEYS

CHAIN_ID = 1337
GWEI = 10**9

MARKER_SOURCE = """
event Marked:
    who: indexed(address)
    tag: indexed(uint256)
    note: uint256

@external
def mark(tag: uint256, note: uint256):
    log Marked(who=msg.sender, tag=tag, note=note)

@external
def fail(code: uint256):
    assert code == 0, "bad code"

@external
@view
def double(x: uint256) -> uint256:
    return x * 2
"""
MARKED_TOPIC = "0x" + keccak(text="Marked(address,uint256,uint256)").hex()


@cache
def marker_bytecode() -> str:
    return vyper.compile_code(MARKER_SOURCE, output_formats=["bytecode"])["bytecode"]


def selector(signature: str) -> str:
    return keccak(text=signature)[:4].hex()


def word(value: int) -> str:
    return value.to_bytes(32, "big").hex()


def topic_of_address(address: str) -> str:
    return "0x" + "00" * 12 + address[2:].lower()


def signed(key_index: int, nonce: int, **fields) -> str:
    """An EIP-1559 transfer (by default) signed with a dev key; fields override the defaults."""
    transaction = {
        "type": 2,
        "chainId": CHAIN_ID,
        "nonce": nonce,
        "to": DEV_ACCOUNTS[2].address,
        "value": 1,
        "gas": 21000,
        "maxFeePerGas": 2 * GWEI,
        "maxPriorityFeePerGas": GWEI,
    }
    transaction.update(fields)
    if transaction.get("to") is None:
        del transaction["to"]  # contract creation
    else:
        transaction["to"] = to_checksum_address(transaction["to"])  # eth-account insists
    if "gasPrice" in fields:
        for dynamic in ("maxFeePerGas", "maxPriorityFeePerGas", "type"):
            transaction.pop(dynamic, None)
    return "0x" + bytes(Account.from_key(DEV_KEYS[key_index]).sign_transaction(transaction).raw_transaction).hex()


def nonce_of(rpc, key_index: int, tag: str = "latest") -> int:
    return int(rpc("eth_getTransactionCount", DEV_ACCOUNTS[key_index].address, tag), 16)


def deploy_marker(rpc, key_index: int = 0) -> str:
    """Deploy the marker contract on an automining chain and return its address."""
    raw = signed(key_index, nonce_of(rpc, key_index), to=None, value=0, gas=1_000_000, data=marker_bytecode())
    tx_hash = rpc("eth_sendRawTransaction", raw)
    receipt = rpc("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    return receipt["contractAddress"]
