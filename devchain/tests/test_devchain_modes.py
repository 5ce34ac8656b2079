"""The dev chain's real-network modes: pre-London (no base fee, no dynamic-fee transactions), a node
price floor (--min-tip), and `safe` / `finalized` tags that lag `latest`."""

import pytest

from devchain_helpers import GWEI, deploy_marker, marker_bytecode, nonce_of, selector, signed, word
from devchain_process import Rpc, RpcFailure, running_devchain


@pytest.fixture(scope="module")
def pre_london():
    with running_devchain("--pre-london", "--min-tip", str(2 * GWEI)) as chain:
        rpc = Rpc(chain.url)
        yield rpc
        rpc.close()


def refusal(rpc, raw: str) -> str:
    with pytest.raises(RpcFailure) as failure:
        rpc("eth_sendRawTransaction", raw)
    assert failure.value.code == -32000
    return failure.value.message


def test_pre_london_blocks_have_no_base_fee(pre_london):
    block = pre_london("eth_getBlockByNumber", "latest", False)
    assert "baseFeePerGas" not in block
    history = pre_london("eth_feeHistory", "0x2", "latest", [50])
    assert set(history["baseFeePerGas"]) == {"0x0"}
    # The suggested gas price is the node's floor (no base fee to add).
    assert int(pre_london("eth_gasPrice"), 16) == 2 * GWEI


def test_pre_london_refuses_dynamic_fee_transactions(pre_london):
    nonce = nonce_of(pre_london, 0)
    message = refusal(pre_london, signed(0, nonce, maxFeePerGas=10 * GWEI, maxPriorityFeePerGas=3 * GWEI))
    assert message == "transaction type not supported"
    assert nonce_of(pre_london, 0) == nonce


def test_pre_london_mines_legacy_transactions_and_runs_contracts(pre_london):
    contract = deploy_legacy_marker(pre_london)
    nonce = nonce_of(pre_london, 0)
    call = "0x" + selector("mark(uint256,uint256)") + word(7) + word(9)
    tx_hash = pre_london("eth_sendRawTransaction",
                         signed(0, nonce, to=contract, value=0, gas=100_000, gasPrice=3 * GWEI, data=call))
    receipt = pre_london("eth_getTransactionReceipt", tx_hash)
    assert receipt["status"] == "0x1"
    assert receipt["type"] == "0x0"
    assert int(receipt["effectiveGasPrice"], 16) == 3 * GWEI
    assert len(receipt["logs"]) == 1
    transaction = pre_london("eth_getTransactionByHash", tx_hash)
    assert int(transaction["gasPrice"], 16) == 3 * GWEI and "maxFeePerGas" not in transaction


def test_min_tip_refuses_a_gas_price_below_the_floor(pre_london):
    nonce = nonce_of(pre_london, 0)
    message = refusal(pre_london, signed(0, nonce, gasPrice=2 * GWEI - 1))
    assert message.startswith("transaction underpriced: gas tip cap")
    assert nonce_of(pre_london, 0) == nonce


def test_min_tip_on_a_london_chain_refuses_a_low_tip():
    with running_devchain("--min-tip", str(GWEI)) as chain:
        rpc = Rpc(chain.url)
        assert refusal(rpc, signed(0, 0, maxPriorityFeePerGas=GWEI - 1)).startswith("transaction underpriced")
        rpc("eth_sendRawTransaction", signed(0, 0, maxPriorityFeePerGas=GWEI))
        assert nonce_of(rpc, 0) == 1
        assert int(rpc("eth_maxPriorityFeePerGas"), 16) == GWEI
        rpc.close()


def test_safe_and_finalized_lag_latest():
    with running_devchain("--safe-depth", "3", "--finalized-depth", "8") as chain:
        rpc = Rpc(chain.url)
        rpc("evm_mine", {"blocks": 5})
        # Below the depth both tags are the genesis block.
        assert int(rpc("eth_getBlockByNumber", "finalized", False)["number"], 16) == 0
        assert int(rpc("eth_getBlockByNumber", "safe", False)["number"], 16) == 2
        rpc("evm_mine", {"blocks": 10})
        latest = int(rpc("eth_blockNumber"), 16)
        assert latest == 15
        assert int(rpc("eth_getBlockByNumber", "safe", False)["number"], 16) == latest - 3
        assert int(rpc("eth_getBlockByNumber", "finalized", False)["number"], 16) == latest - 8
        # State and logs at a tag are read at that block.
        assert rpc("eth_getBalance", "0x" + "00" * 20, "finalized") == "0x0"
        rpc.close()


def deploy_legacy_marker(rpc) -> str:
    raw = signed(0, nonce_of(rpc, 0), to=None, value=0, gas=1_000_000, gasPrice=2 * GWEI, data=marker_bytecode())
    receipt = rpc("eth_getTransactionReceipt", rpc("eth_sendRawTransaction", raw))
    assert receipt["status"] == "0x1"
    return receipt["contractAddress"]


def test_default_chain_is_unchanged():
    with running_devchain() as chain:
        rpc = Rpc(chain.url)
        block = rpc("eth_getBlockByNumber", "latest", False)
        assert "baseFeePerGas" in block
        assert rpc("eth_getBlockByNumber", "finalized", False)["hash"] == block["hash"]
        assert deploy_marker(rpc)
        rpc.close()
