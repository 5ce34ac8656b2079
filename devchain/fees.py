"""eth_feeHistory, computed like geth's gas price oracle (rewards weighted by gas used)."""

from eth.vm.forks.prague.constants import BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE, MAX_BLOB_GAS_PER_BLOCK

from .errors import invalid_params, rejected
from .hexcodec import encode_quantity as qty
from .serialize import effective_gas_price

MAX_BLOCK_COUNT = 1024


def _fake_exponential(factor: int, numerator: int, denominator: int) -> int:
    """EIP-4844's integer approximation of factor * e ** (numerator / denominator)."""
    i, output, accumulator = 1, 0, factor * denominator
    while accumulator > 0:
        output += accumulator
        accumulator = (accumulator * numerator) // (denominator * i)
        i += 1
    return output // denominator


def _blob_base_fee(excess_blob_gas: int) -> int:
    return _fake_exponential(1, excess_blob_gas, BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE)


def _check_percentiles(percentiles: list) -> None:
    previous = -1.0
    for value in percentiles:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
            raise invalid_params(f"invalid reward percentile: {value}")
        if value < previous:
            raise invalid_params(f"invalid reward percentile: #{value} < #{previous}")
        previous = value


def _rewards(bundle, percentiles: list) -> list:
    block = bundle.block
    if not block.transactions:
        return [qty(0)] * len(percentiles)
    base_fee = block.header.base_fee_per_gas
    previous_cumulative = 0
    tips = []
    for tx, receipt in zip(block.transactions, bundle.receipts):
        gas_used = receipt.gas_used - previous_cumulative
        previous_cumulative = receipt.gas_used
        tips.append((effective_gas_price(tx, base_fee) - base_fee, gas_used))
    tips.sort()
    rewards, index, cumulative = [], 0, tips[0][1]
    for percentile in percentiles:
        threshold = block.header.gas_used * percentile / 100
        while cumulative < threshold and index < len(tips) - 1:
            index += 1
            cumulative += tips[index][1]
        rewards.append(qty(tips[index][0]))
    return rewards


def fee_history(chain, block_count: int, newest_ref, percentiles: list) -> dict:
    _check_percentiles(percentiles)
    block_count = min(block_count, MAX_BLOCK_COUNT)
    head = chain.head().block_number
    if newest_ref == "pending":  # we report mined blocks only
        newest_ref = "latest"
    newest_bundle, _ = chain.resolve(newest_ref)
    if newest_bundle is None:
        requested = newest_ref if isinstance(newest_ref, int) else newest_ref
        raise rejected(f"request beyond head block: requested {requested}, head {head}")
    newest = newest_bundle.block.number
    if block_count == 0:
        return {"oldestBlock": qty(0), "baseFeePerGas": [], "gasUsedRatio": [], "reward": None}
    oldest = max(0, newest - block_count + 1)
    base_fees, ratios, rewards, blob_fees, blob_ratios = [], [], [], [], []
    for number in range(oldest, newest + 1):
        bundle = chain.bundle_by_number(number)
        header = bundle.block.header
        base_fees.append(qty(header.base_fee_per_gas))
        ratios.append(header.gas_used / header.gas_limit)
        blob_fees.append(qty(_blob_base_fee(header.excess_blob_gas)))
        blob_ratios.append(header.blob_gas_used / MAX_BLOB_GAS_PER_BLOCK)
        if percentiles:
            rewards.append(_rewards(bundle, percentiles))
    # One more entry: the base fees of the block after the newest one.
    following = chain.evm.create_header_from_parent(newest_bundle.block.header)
    base_fees.append(qty(following.base_fee_per_gas))
    blob_fees.append(qty(_blob_base_fee(following.excess_blob_gas)))
    result = {
        "oldestBlock": qty(oldest),
        "baseFeePerGas": base_fees,
        "gasUsedRatio": ratios,
        "baseFeePerBlobGas": blob_fees,
        "blobGasUsedRatio": blob_ratios,
    }
    if percentiles:
        result["reward"] = rewards
    return result
