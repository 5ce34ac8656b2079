"""Transactions a real node refuses, with geth's messages (JSON-RPC code -32000)."""

import rlp
import pytest
from eth_account import Account

from devchain_process import RpcFailure
from devchain.accounts import DEV_ACCOUNTS, DEV_KEYS
from devchain_helpers import CHAIN_ID, GWEI, nonce_of, signed

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def rejection(rpc, raw: str) -> str:
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_sendRawTransaction", raw)
    assert failure.value.code == -32000
    return failure.value.message


def test_wrong_chain_id_is_rejected(rpc):
    nonce = nonce_of(rpc, 0)
    assert rejection(rpc, signed(0, nonce, chainId=CHAIN_ID + 1)) == "invalid chain id for signer"
    legacy = signed(0, nonce, chainId=1, gasPrice=2 * GWEI)
    assert rejection(rpc, legacy) == "invalid chain id for signer"
    assert nonce_of(rpc, 0) == nonce


def test_unprotected_legacy_transaction_is_rejected(rpc):
    account = Account.from_key(DEV_KEYS[0])
    unprotected = account.sign_transaction({
        "nonce": nonce_of(rpc, 0), "to": DEV_ACCOUNTS[1].address, "value": 1, "gas": 21000, "gasPrice": 2 * GWEI,
    })
    assert unprotected.v in (27, 28)
    message = rejection(rpc, "0x" + bytes(unprotected.raw_transaction).hex())
    assert message == "only replay-protected (EIP-155) transactions allowed over RPC"


def test_nonce_too_low_and_too_high(rpc):
    nonce = nonce_of(rpc, 0)
    rpc("eth_sendRawTransaction", signed(0, nonce))
    assert rejection(rpc, signed(0, nonce, value=2)) == f"nonce too low: next nonce {nonce + 1}, tx nonce {nonce}"
    assert rejection(rpc, signed(0, nonce + 5)) == f"nonce too high: next nonce {nonce + 1}, tx nonce {nonce + 5}"


def test_insufficient_funds(rpc):
    poor = Account.create()
    raw = "0x" + bytes(poor.sign_transaction({
        "type": 2, "chainId": CHAIN_ID, "nonce": 0, "to": DEV_ACCOUNTS[0].address, "value": 0, "gas": 21000,
        "maxFeePerGas": 2 * GWEI, "maxPriorityFeePerGas": GWEI,
    }).raw_transaction).hex()
    cost = 21000 * 2 * GWEI
    assert rejection(rpc, raw) == (
        f"insufficient funds for gas * price + value: balance 0, tx cost {cost}, overshot {cost}")
    huge = signed(0, nonce_of(rpc, 0), value=10**30)
    assert rejection(rpc, huge).startswith("insufficient funds for gas * price + value: balance ")


def test_bad_signature_is_invalid_sender(rpc):
    raw = bytes.fromhex(signed(0, nonce_of(rpc, 0))[2:])
    fields = rlp.decode(raw[1:])
    for bad_s in (b"", (SECP256K1_N - 1).to_bytes(32, "big")):  # zero, and high-s (not canonical)
        tampered = fields[:-1] + [bad_s]
        assert rejection(rpc, "0x02" + rlp.encode(tampered).hex()) == "invalid sender"
    tampered = fields[:-3] + [b"\x05"] + fields[-2:]  # y parity must be 0 or 1
    assert rejection(rpc, "0x02" + rlp.encode(tampered).hex()) == "invalid sender"


def test_garbage_is_an_rlp_error(rpc):
    assert rejection(rpc, "0x") == "typed transaction too short"
    assert rejection(rpc, "0x02") == "typed transaction too short"
    assert rejection(rpc, "0x05c0") == "transaction type not supported"
    assert rejection(rpc, "0x80") == "rlp: expected input list for types.LegacyTx"
    assert rejection(rpc, "0x02c0") == "rlp: too few elements for types.DynamicFeeTx"
    assert rejection(rpc, "0xc0") == "rlp: too few elements for types.LegacyTx"
    assert rejection(rpc, "0xf8ff01") == "rlp: value size exceeds available input length"
    raw = signed(0, nonce_of(rpc, 0))
    assert rejection(rpc, raw + "00") == "rlp: input contains more than one value"
    assert rejection(rpc, "0xdeadbeef").startswith("rlp: ")


def test_underpriced_and_base_fee(rpc):
    nonce = nonce_of(rpc, 0)
    message = rejection(rpc, signed(0, nonce, maxPriorityFeePerGas=0))
    assert message == "transaction underpriced: gas tip cap 0, minimum needed 1"
    message = rejection(rpc, signed(0, nonce, maxFeePerGas=1, maxPriorityFeePerGas=1))
    assert message.startswith(
        f"max fee per gas less than block base fee: address {DEV_ACCOUNTS[0].address}, maxFeePerGas: 1, baseFee: ")
    message = rejection(rpc, signed(0, nonce, maxFeePerGas=GWEI, maxPriorityFeePerGas=2 * GWEI))
    assert message.startswith("max priority fee per gas higher than max fee per gas")


def test_gas_limits(rpc):
    nonce = nonce_of(rpc, 0)
    assert rejection(rpc, signed(0, nonce, gas=20000)) == "intrinsic gas too low: gas 20000, minimum needed 21000"
    assert rejection(rpc, signed(0, nonce, gas=30_000_001)) == "exceeds block gas limit"


def test_invalid_raw_transaction_parameter(rpc):
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_sendRawTransaction", "not hex")
    assert failure.value.code == -32602
