"""Without automine: our own pool, pending nonces, fee-bump replacement, mining controls."""

import time

import pytest

from devchain_process import RpcFailure
from devchain.accounts import DEV_ACCOUNTS
from devchain_helpers import GWEI, nonce_of, signed


@pytest.fixture()
def empty_pool(pool_rpc):
    """Each test starts with an empty pool: mine whatever an earlier test left behind."""
    pool_rpc("evm_mine")
    return pool_rpc


def test_several_transactions_from_one_sender_wait_in_the_pool(empty_pool):
    rpc = empty_pool
    height = int(rpc("eth_blockNumber"), 16)
    nonce = nonce_of(rpc, 0)
    hashes = [rpc("eth_sendRawTransaction", signed(0, nonce + offset, value=offset + 1)) for offset in range(3)]
    assert int(rpc("eth_blockNumber"), 16) == height
    assert nonce_of(rpc, 0, "latest") == nonce
    assert nonce_of(rpc, 0, "pending") == nonce + 3
    for tx_hash in hashes:
        assert rpc("eth_getTransactionReceipt", tx_hash) is None
        pending_tx = rpc("eth_getTransactionByHash", tx_hash)
        assert pending_tx["blockHash"] is None and pending_tx["blockNumber"] is None
    pending_block = rpc("eth_getBlockByNumber", "pending", False)
    assert pending_block["number"] == hex(height + 1) and pending_block["hash"] is None
    assert pending_block["transactions"] == hashes
    assert pending_block["gasUsed"] == hex(3 * 21000)

    assert rpc("evm_mine") == "0x0"
    assert int(rpc("eth_blockNumber"), 16) == height + 1
    block = rpc("eth_getBlockByNumber", "latest", False)
    assert block["transactions"] == hashes
    receipts = [rpc("eth_getTransactionReceipt", tx_hash) for tx_hash in hashes]
    assert [r["transactionIndex"] for r in receipts] == ["0x0", "0x1", "0x2"]
    assert [r["cumulativeGasUsed"] for r in receipts] == [hex(21000), hex(42000), hex(63000)]
    assert nonce_of(rpc, 0, "latest") == nonce + 3 == nonce_of(rpc, 0, "pending")


def test_replacement_needs_a_ten_percent_fee_bump(empty_pool):
    rpc = empty_pool
    nonce = nonce_of(rpc, 1)
    original = rpc("eth_sendRawTransaction", signed(1, nonce, maxFeePerGas=2 * GWEI, maxPriorityFeePerGas=GWEI))
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_sendRawTransaction", signed(1, nonce, maxFeePerGas=2 * GWEI, maxPriorityFeePerGas=GWEI))
    assert failure.value.message == "already known"
    for fee_cap, tip in ((21 * GWEI // 10, 105 * GWEI // 100), (3 * GWEI, GWEI), (22 * GWEI // 10, GWEI * 109 // 100)):
        with pytest.raises(RpcFailure) as failure:
            rpc("eth_sendRawTransaction", signed(1, nonce, value=2, maxFeePerGas=fee_cap, maxPriorityFeePerGas=tip))
        assert failure.value.code == -32000 and failure.value.message == "replacement transaction underpriced"
    replacement = rpc("eth_sendRawTransaction",
                      signed(1, nonce, value=2, maxFeePerGas=22 * GWEI // 10, maxPriorityFeePerGas=11 * GWEI // 10))
    assert rpc("eth_getTransactionByHash", original) is None
    assert nonce_of(rpc, 1, "pending") == nonce + 1
    rpc("evm_mine")
    assert rpc("eth_getTransactionReceipt", original) is None
    receipt = rpc("eth_getTransactionReceipt", replacement)
    assert receipt["status"] == "0x1"


def test_gaps_are_refused_and_pool_costs_count_against_the_balance(empty_pool):
    rpc = empty_pool
    nonce = nonce_of(rpc, 0)
    rpc("eth_sendRawTransaction", signed(0, nonce))
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_sendRawTransaction", signed(0, nonce + 2))
    assert failure.value.message == f"nonce too high: next nonce {nonce + 1}, tx nonce {nonce + 2}"
    balance = int(rpc("eth_getBalance", DEV_ACCOUNTS[0].address, "latest"), 16)
    with pytest.raises(RpcFailure) as failure:
        # fits alone, not after the first
        rpc("eth_sendRawTransaction", signed(0, nonce + 1, value=balance - 21000 * 2 * GWEI))
    assert failure.value.message.startswith("insufficient funds for gas * price + value: balance ")
    assert "queued cost" in failure.value.message
    rpc("evm_mine")


def test_blocks_order_senders_by_tip_and_each_sender_by_nonce(empty_pool):
    rpc = empty_pool
    low, high = nonce_of(rpc, 0), nonce_of(rpc, 1)
    cheap = [rpc("eth_sendRawTransaction", signed(0, low + i, maxPriorityFeePerGas=GWEI)) for i in range(2)]
    rich = rpc("eth_sendRawTransaction", signed(1, high, maxPriorityFeePerGas=GWEI * 3 // 2))
    rpc("evm_mine")
    assert rpc("eth_getBlockByNumber", "latest", False)["transactions"] == [rich] + cheap


def test_automine_can_be_switched_on_and_off(empty_pool):
    rpc = empty_pool
    nonce = nonce_of(rpc, 2)
    waiting = rpc("eth_sendRawTransaction", signed(2, nonce, to=DEV_ACCOUNTS[0].address))
    assert rpc("evm_setAutomine", True) is True
    try:
        mined = rpc("eth_sendRawTransaction", signed(2, nonce + 1, to=DEV_ACCOUNTS[0].address))
        first, second = (rpc("eth_getTransactionReceipt", h) for h in (waiting, mined))
        assert first is not None and second is not None  # the waiting one was mined first, same block
        assert first["blockNumber"] == second["blockNumber"]
    finally:
        assert rpc("evm_setAutomine", False) is True
    again = rpc("eth_sendRawTransaction", signed(2, nonce + 2, to=DEV_ACCOUNTS[0].address))
    assert rpc("eth_getTransactionReceipt", again) is None
    rpc("evm_mine")


def test_interval_mining_mines_pending_transactions(empty_pool):
    rpc = empty_pool
    tx_hash = rpc("eth_sendRawTransaction", signed(0, nonce_of(rpc, 0)))
    assert rpc("evm_setIntervalMining", 0.2) is True
    try:
        deadline = time.monotonic() + 20
        receipt = None
        while receipt is None and time.monotonic() < deadline:
            time.sleep(0.1)
            receipt = rpc("eth_getTransactionReceipt", tx_hash)
    finally:
        assert rpc("evm_setIntervalMining", 0) is True
    assert receipt is not None and receipt["status"] == "0x1"
    time.sleep(0.5)  # interval mining is off: the height must stay put
    height = rpc("eth_blockNumber")
    time.sleep(0.5)
    assert rpc("eth_blockNumber") == height


def test_block_time_flag_mines_on_its_own():
    from devchain_process import Rpc, running_devchain

    with running_devchain("--no-automine", "--block-time", "0.3") as server:
        client = Rpc(server.url)
        tx_hash = client("eth_sendRawTransaction", signed(0, 0))
        deadline = time.monotonic() + 20
        while client("eth_getTransactionReceipt", tx_hash) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client("eth_getTransactionReceipt", tx_hash)["status"] == "0x1"
        client.close()


def test_pending_state_reflects_the_pool(empty_pool):
    rpc = empty_pool
    sender, recipient = DEV_ACCOUNTS[1].address, "0x" + "5a" * 20
    before = int(rpc("eth_getBalance", recipient, "latest"), 16)
    rpc("eth_sendRawTransaction", signed(1, nonce_of(rpc, 1), to=recipient, value=777))
    assert int(rpc("eth_getBalance", recipient, "pending"), 16) == before + 777
    assert int(rpc("eth_getBalance", recipient, "latest"), 16) == before
    assert int(rpc("eth_getBalance", sender, "pending"), 16) < int(rpc("eth_getBalance", sender, "latest"), 16)
    full = rpc("eth_getBlockByNumber", "pending", True)
    assert full["transactions"][0]["blockHash"] is None and full["transactions"][0]["value"] == hex(777)
    rpc("evm_mine")
    assert int(rpc("eth_getBalance", recipient, "latest"), 16) == before + 777
