"""Every read method, eth_call/eth_estimateGas, and signed transactions from Python clients."""

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from devchain_process import RpcFailure
from devchain.accounts import DEFAULT_PREFUND_WEI, DEV_ACCOUNTS, DEV_KEYS
from devchain_helpers import (
    CHAIN_ID, GWEI, deploy_marker, marker_bytecode, nonce_of, selector, signed, word,
)

ZERO_ADDRESS = "0x" + "00" * 20


def test_identity_methods(rpc):
    assert rpc("eth_chainId") == hex(CHAIN_ID)
    assert rpc("net_version") == str(CHAIN_ID)
    assert rpc("web3_clientVersion").startswith("CaseAttestDevchain/")


def test_fresh_genesis_state(rpc):
    genesis = rpc("eth_getBlockByNumber", "earliest", False)
    assert genesis["number"] == "0x0"
    assert genesis["gasLimit"] == hex(30_000_000)
    assert int(genesis["baseFeePerGas"], 16) > 0
    assert int(rpc("eth_getBalance", DEV_ACCOUNTS[1].address, "earliest"), 16) == DEFAULT_PREFUND_WEI
    assert rpc("eth_getBalance", ZERO_ADDRESS[:-1] + "1", "latest") == "0x0"
    assert rpc("eth_getCode", DEV_ACCOUNTS[0].address, "latest") == "0x"


def test_fee_suggestions(rpc):
    tip = int(rpc("eth_maxPriorityFeePerGas"), 16)
    base_fee = int(rpc("eth_getBlockByNumber", "latest", False)["baseFeePerGas"], 16)
    assert tip == GWEI
    assert int(rpc("eth_gasPrice"), 16) == tip + base_fee


def test_eip1559_transaction_mined_with_receipt(rpc):
    sender, recipient = DEV_ACCOUNTS[0].address, DEV_ACCOUNTS[2].address
    before = int(rpc("eth_getBalance", recipient, "latest"), 16)
    height = int(rpc("eth_blockNumber"), 16)
    nonce = nonce_of(rpc, 0)
    tx_hash = rpc("eth_sendRawTransaction", signed(0, nonce, value=12345))
    assert int(rpc("eth_blockNumber"), 16) == height + 1
    receipt = rpc("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["type"] == "0x2"
    assert receipt["from"] == sender.lower() and receipt["to"] == recipient.lower()
    assert receipt["gasUsed"] == hex(21000) and receipt["cumulativeGasUsed"] == hex(21000)
    assert receipt["blockNumber"] == hex(height + 1)
    block = rpc("eth_getBlockByNumber", hex(height + 1), False)
    assert block["transactions"] == [tx_hash]
    assert receipt["blockHash"] == block["hash"]
    base_fee = int(block["baseFeePerGas"], 16)
    assert int(receipt["effectiveGasPrice"], 16) == min(2 * GWEI, base_fee + GWEI)
    tx = rpc("eth_getTransactionByHash", tx_hash)
    assert tx["hash"] == tx_hash and tx["nonce"] == hex(nonce) and tx["value"] == hex(12345)
    assert tx["maxFeePerGas"] == hex(2 * GWEI) and tx["maxPriorityFeePerGas"] == hex(GWEI)
    assert tx["chainId"] == hex(CHAIN_ID) and tx["yParity"] in ("0x0", "0x1")
    assert tx["blockHash"] == block["hash"] and tx["transactionIndex"] == "0x0"
    assert int(rpc("eth_getBalance", recipient, "latest"), 16) == before + 12345
    assert nonce_of(rpc, 0) == nonce + 1


def test_web3_client_sends_eip1559_and_eip155_legacy_transactions(devchain):
    w3 = Web3(HTTPProvider(devchain.url, request_kwargs={"timeout": 60}))
    assert w3.eth.chain_id == CHAIN_ID
    account = Account.from_key(DEV_KEYS[1])
    recipient = DEV_ACCOUNTS[2].address
    nonce = w3.eth.get_transaction_count(account.address, "pending")
    dynamic = account.sign_transaction({
        "type": 2, "chainId": CHAIN_ID, "nonce": nonce, "to": recipient, "value": 7, "gas": 21000,
        "maxFeePerGas": w3.eth.gas_price * 2, "maxPriorityFeePerGas": w3.eth.max_priority_fee,
    })
    legacy = account.sign_transaction({
        "chainId": CHAIN_ID, "nonce": nonce + 1, "to": recipient, "value": 8, "gas": 21000,
        "gasPrice": w3.eth.gas_price,
    })
    receipts = []
    for signed_tx in (dynamic, legacy):
        tx_hash = w3.eth.send_raw_transaction(signed_tx.raw_transaction)
        receipts.append(w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.1))
    assert [r["status"] for r in receipts] == [1, 1]
    assert [r["type"] for r in receipts] == [2, 0]
    legacy_tx = w3.eth.get_transaction(receipts[1]["transactionHash"])
    assert legacy_tx["v"] in (CHAIN_ID * 2 + 35, CHAIN_ID * 2 + 36)  # EIP-155 protected
    assert legacy_tx["chainId"] == CHAIN_ID and legacy_tx["type"] == 0
    block = w3.eth.get_block(receipts[1]["blockNumber"], full_transactions=True)
    assert block["transactions"][0]["hash"] == receipts[1]["transactionHash"]


def test_blocks_by_number_and_hash_agree(rpc):
    rpc("eth_sendRawTransaction", signed(0, nonce_of(rpc, 0)))
    latest = rpc("eth_getBlockByNumber", "latest", True)
    assert latest["hash"] == rpc("eth_getBlockByHash", latest["hash"], True)["hash"]
    by_number = rpc("eth_getBlockByNumber", latest["number"], True)
    assert by_number == latest
    full_tx = latest["transactions"][0]
    assert full_tx["blockHash"] == latest["hash"] and full_tx["type"] == "0x2"
    hashes_only = rpc("eth_getBlockByHash", latest["hash"], False)
    assert hashes_only["transactions"] == [full_tx["hash"]]
    parent = rpc("eth_getBlockByHash", latest["parentHash"], False)
    assert int(parent["number"], 16) == int(latest["number"], 16) - 1
    assert int(parent["timestamp"], 16) < int(latest["timestamp"], 16)
    for key in ("baseFeePerGas", "mixHash", "stateRoot", "receiptsRoot", "logsBloom", "size", "withdrawals"):
        assert key in latest
    assert rpc("eth_getBlockByNumber", hex(int(latest["number"], 16) + 100), False) is None
    assert rpc("eth_getBlockByHash", "0x" + "11" * 32, False) is None
    pending = rpc("eth_getBlockByNumber", "pending", False)  # automine: an empty pending block
    assert pending["hash"] is None and pending["miner"] is None and pending["nonce"] is None
    assert pending["number"] == hex(int(latest["number"], 16) + 1)
    assert pending["parentHash"] == latest["hash"] and pending["transactions"] == []


def test_unknown_transaction_is_null(rpc):
    assert rpc("eth_getTransactionByHash", "0x" + "ab" * 32) is None
    assert rpc("eth_getTransactionReceipt", "0x" + "ab" * 32) is None


def test_contract_deploy_call_and_estimate(rpc):
    address = deploy_marker(rpc)
    code = rpc("eth_getCode", address, "latest")
    assert len(code) > 2
    assert rpc("eth_getCode", address, "earliest") == "0x"
    call = {"to": address, "data": "0x" + selector("double(uint256)") + word(21)}
    assert int(rpc("eth_call", call, "latest"), 16) == 42
    assert int(rpc("eth_call", {**call, "from": DEV_ACCOUNTS[1].address}), 16) == 42  # block defaults to latest
    transfer_estimate = rpc("eth_estimateGas",
                            {"from": DEV_ACCOUNTS[0].address, "to": DEV_ACCOUNTS[1].address, "value": "0x1"})
    assert transfer_estimate == hex(21000)
    mark = {"from": DEV_ACCOUNTS[0].address, "to": address,
            "data": "0x" + selector("mark(uint256,uint256)") + word(1) + word(2)}
    estimate = int(rpc("eth_estimateGas", mark), 16)
    assert 21000 < estimate < 100_000
    deploy_estimate = int(rpc("eth_estimateGas", {"from": DEV_ACCOUNTS[0].address, "data": marker_bytecode()}), 16)
    assert deploy_estimate > 53000


def test_call_and_estimate_report_reverts_like_geth(rpc):
    address = deploy_marker(rpc)
    failing = {"from": DEV_ACCOUNTS[0].address, "to": address, "data": "0x" + selector("fail(uint256)") + word(7)}
    for method in ("eth_call", "eth_estimateGas"):
        with pytest.raises(RpcFailure) as failure:
            rpc(method, failing, "latest")
        assert failure.value.code == 3
        assert failure.value.message == "execution reverted: bad code"
        assert failure.value.data.startswith("0x08c379a0")
    passing = {**failing, "data": "0x" + selector("fail(uint256)") + word(0)}
    assert rpc("eth_call", passing, "latest") == "0x"


def test_call_with_too_little_gas_is_refused(rpc):
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_call", {"to": DEV_ACCOUNTS[1].address, "gas": "0x1"}, "latest")
    assert failure.value.code == -32000 and failure.value.message == "intrinsic gas too low: have 1, want 21000"


def test_call_with_value_beyond_balance_is_refused(rpc):
    poor = "0x" + "42" * 20
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_call", {"from": poor, "to": DEV_ACCOUNTS[0].address, "value": "0x1"}, "latest")
    assert failure.value.code == -32000
    assert failure.value.message.startswith("insufficient funds for gas * price + value")


def test_fee_history(rpc):
    rpc("eth_sendRawTransaction", signed(0, nonce_of(rpc, 0)))
    head = int(rpc("eth_blockNumber"), 16)
    history = rpc("eth_feeHistory", "0x3", "latest", [10, 90])
    assert history["oldestBlock"] == hex(head - 2)
    assert len(history["baseFeePerGas"]) == 4 and len(history["gasUsedRatio"]) == 3
    latest = rpc("eth_getBlockByNumber", "latest", False)
    assert history["baseFeePerGas"][2] == latest["baseFeePerGas"]
    assert history["gasUsedRatio"][2] == pytest.approx(21000 / 30_000_000)
    assert history["reward"][2] == [hex(GWEI), hex(GWEI)]  # the one transaction's tip
    assert int(history["baseFeePerGas"][3], 16) < int(history["baseFeePerGas"][2], 16)  # under-full block
    assert rpc("eth_feeHistory", 2, "latest", [])["oldestBlock"] == hex(head - 1)
    assert rpc("eth_feeHistory", "2", "latest", [])["oldestBlock"] == hex(head - 1)
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_feeHistory", "0x1", "latest", [90, 10])
    assert failure.value.code == -32602


def test_timestamps_increase_per_block(rpc):
    numbers = []
    for _ in range(3):
        rpc("evm_mine")
        numbers.append(int(rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16))
    assert numbers[0] < numbers[1] < numbers[2]


def test_evm_mine_with_count_and_timestamp(rpc):
    head = rpc("eth_getBlockByNumber", "latest", False)
    target = int(head["timestamp"], 16) + 1000
    assert rpc("evm_mine", {"blocks": 3, "timestamp": target}) == "0x0"
    latest = rpc("eth_getBlockByNumber", "latest", False)
    assert int(latest["number"], 16) == int(head["number"], 16) + 3
    assert int(latest["timestamp"], 16) == target + 2
    rpc("evm_mine", target + 10)  # Hardhat style: a bare timestamp
    assert int(rpc("eth_getBlockByNumber", "latest", False)["timestamp"], 16) == target + 10
    with pytest.raises(RpcFailure) as failure:
        rpc("evm_mine", target)
    assert failure.value.code == -32000 and "timestamp" in failure.value.message


def test_storage_and_pending_tags(rpc):
    assert rpc("eth_getStorageAt", DEV_ACCOUNTS[0].address, "0x0", "latest") == "0x" + "00" * 32
    assert rpc("eth_getTransactionCount", DEV_ACCOUNTS[0].address, "pending") == rpc(
        "eth_getTransactionCount", DEV_ACCOUNTS[0].address, "latest")
    assert rpc("eth_getBalance", DEV_ACCOUNTS[0].address, "pending") == rpc(
        "eth_getBalance", DEV_ACCOUNTS[0].address, "latest")
    latest = rpc("eth_getBlockByNumber", "latest", False)
    by_hash = rpc("eth_getBalance", DEV_ACCOUNTS[0].address, {"blockHash": latest["hash"]})
    assert by_hash == rpc("eth_getBalance", DEV_ACCOUNTS[0].address, "latest")
