"""evm_snapshot / evm_revert: a reorg that drops the blocks (and transactions) after the snapshot."""

from devchain.accounts import DEV_ACCOUNTS
from devchain_helpers import deploy_marker, nonce_of, selector, signed, word


def test_revert_drops_mined_transaction_and_replaces_the_block(rpc):
    snapshot = rpc("evm_snapshot")
    height = int(rpc("eth_blockNumber"), 16)
    nonce = nonce_of(rpc, 0)
    tx_hash = rpc("eth_sendRawTransaction", signed(0, nonce, value=99))
    receipt = rpc("eth_getTransactionReceipt", tx_hash)
    assert receipt["blockNumber"] == hex(height + 1)
    old_block = rpc("eth_getBlockByNumber", hex(height + 1), False)
    rpc("evm_mine")  # one more block after it

    assert rpc("evm_revert", snapshot) is True
    assert int(rpc("eth_blockNumber"), 16) == height
    assert rpc("eth_getTransactionReceipt", tx_hash) is None
    assert rpc("eth_getTransactionByHash", tx_hash) is None
    assert rpc("eth_getBlockByNumber", hex(height + 1), False) is None
    assert rpc("eth_getBlockByHash", old_block["hash"], False) is None
    assert nonce_of(rpc, 0) == nonce

    rpc("evm_mine")
    new_block = rpc("eth_getBlockByNumber", hex(height + 1), False)
    assert new_block["hash"] != old_block["hash"]
    assert new_block["transactions"] == []
    assert rpc("eth_getTransactionReceipt", tx_hash) is None
    # The same signed transaction is valid again on the new branch and lands in a new block.
    assert rpc("eth_sendRawTransaction", signed(0, nonce, value=99)) == tx_hash
    receipt = rpc("eth_getTransactionReceipt", tx_hash)
    assert receipt["blockNumber"] == hex(height + 2)
    assert receipt["blockHash"] == rpc("eth_getBlockByNumber", hex(height + 2), False)["hash"]


def test_revert_restores_state_and_snapshots_are_single_use(rpc):
    address = deploy_marker(rpc)
    first = rpc("evm_snapshot")
    rpc("eth_sendRawTransaction", signed(0, nonce_of(rpc, 0), to=address, value=0, gas=100_000,
                                         data="0x" + selector("mark(uint256,uint256)") + word(1) + word(2)))
    second = rpc("evm_snapshot")
    assert int(second, 16) > int(first, 16)
    rpc("evm_mine")
    assert rpc("evm_revert", first) is True
    assert rpc("evm_revert", first) is False  # used up
    assert rpc("evm_revert", second) is False  # taken after `first`: gone too
    assert rpc("evm_revert", "0x999") is False
    assert len(rpc("eth_getCode", address, "latest")) > 2  # deployed before the snapshot: still there
    assert rpc("eth_getLogs", {"fromBlock": "earliest", "address": address}) == []


def test_revert_to_genesis(rpc):
    # A fresh snapshot/revert pair round-trips even when taken at the current head.
    snapshot = rpc("evm_snapshot")
    head = rpc("eth_getBlockByNumber", "latest", False)
    assert rpc("evm_revert", snapshot) is True
    assert rpc("eth_getBlockByNumber", "latest", False)["hash"] == head["hash"]
    assert int(rpc("eth_getBalance", DEV_ACCOUNTS[0].address, "latest"), 16) > 0
