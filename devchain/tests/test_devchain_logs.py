"""eth_getLogs filters: block range, blockHash, address (single or list), topics with nulls and OR-lists."""

import pytest

from devchain_process import RpcFailure
from devchain.accounts import DEV_ACCOUNTS
from devchain_helpers import MARKED_TOPIC, deploy_marker, nonce_of, selector, signed, topic_of_address, word


def mark(rpc, key_index: int, address: str, tag: int, note: int) -> dict:
    data = "0x" + selector("mark(uint256,uint256)") + word(tag) + word(note)
    tx_hash = rpc("eth_sendRawTransaction",
                  signed(key_index, nonce_of(rpc, key_index), to=address, value=0, gas=100_000, data=data))
    return rpc("eth_getTransactionReceipt", tx_hash)


@pytest.fixture(scope="module")
def marked(rpc):
    first, second = deploy_marker(rpc), deploy_marker(rpc)
    start = int(rpc("eth_blockNumber"), 16) + 1
    receipts = [
        mark(rpc, 0, first, 1, 100),
        mark(rpc, 1, first, 2, 200),
        mark(rpc, 0, second, 1, 300),
        mark(rpc, 1, second, 3, 400),
    ]
    return {"first": first, "second": second, "start": start, "receipts": receipts}


def notes(logs) -> list:
    return [int(log["data"], 16) for log in logs]


def test_receipt_logs_have_geth_shape(marked):
    log = marked["receipts"][0]["logs"][0]
    assert log["address"] == marked["first"]
    assert log["topics"] == [MARKED_TOPIC, topic_of_address(DEV_ACCOUNTS[0].address), "0x" + word(1)]
    assert int(log["data"], 16) == 100 and log["logIndex"] == "0x0" and log["removed"] is False
    assert log["transactionHash"] == marked["receipts"][0]["transactionHash"]


def test_range_and_address_filters(rpc, marked):
    whole = {"fromBlock": hex(marked["start"]), "toBlock": "latest"}
    assert notes(rpc("eth_getLogs", whole)) == [100, 200, 300, 400]
    assert notes(rpc("eth_getLogs", {**whole, "address": marked["first"]})) == [100, 200]
    assert notes(rpc("eth_getLogs", {**whole, "address": [marked["second"], marked["first"]]})) == [100, 200, 300, 400]
    only_third = hex(marked["start"] + 2)
    assert notes(rpc("eth_getLogs", {"fromBlock": only_third, "toBlock": only_third})) == [300]
    assert rpc("eth_getLogs", {"fromBlock": "earliest", "toBlock": hex(marked["start"] - 1)}) == []
    beyond = hex(int(rpc("eth_blockNumber"), 16) + 10)
    assert rpc("eth_getLogs", {"fromBlock": beyond}) == []


def test_topic_filters(rpc, marked):
    whole = {"fromBlock": hex(marked["start"])}
    sender0 = topic_of_address(DEV_ACCOUNTS[0].address)
    sender1 = topic_of_address(DEV_ACCOUNTS[1].address)
    assert notes(rpc("eth_getLogs", {**whole, "topics": [MARKED_TOPIC]})) == [100, 200, 300, 400]
    assert notes(rpc("eth_getLogs", {**whole, "topics": [None, sender1]})) == [200, 400]
    assert notes(rpc("eth_getLogs", {**whole, "topics": [None, None, "0x" + word(1)]})) == [100, 300]
    either_tag = {**whole, "topics": [MARKED_TOPIC, None, ["0x" + word(2), "0x" + word(3)]]}
    assert notes(rpc("eth_getLogs", either_tag)) == [200, 400]
    both = {**whole, "topics": [None, [sender0], "0x" + word(1)], "address": marked["second"]}
    assert notes(rpc("eth_getLogs", both)) == [300]
    assert rpc("eth_getLogs", {**whole, "topics": ["0x" + "00" * 32]}) == []
    too_specific = {**whole, "topics": [MARKED_TOPIC, None, None, None]}  # Marked has 3 topics
    assert rpc("eth_getLogs", too_specific) == []


def test_block_hash_filter(rpc, marked):
    block_hash = marked["receipts"][1]["blockHash"]
    logs = rpc("eth_getLogs", {"blockHash": block_hash})
    assert notes(logs) == [200] and logs[0]["blockHash"] == block_hash
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_getLogs", {"blockHash": block_hash, "fromBlock": "0x1"})
    assert failure.value.code == -32602
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_getLogs", {"blockHash": "0x" + "77" * 32})
    assert failure.value.message == "unknown block"


def test_inverted_range_is_rejected(rpc, marked):
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_getLogs", {"fromBlock": hex(marked["start"] + 1), "toBlock": hex(marked["start"])})
    assert failure.value.message == "invalid block range params"
