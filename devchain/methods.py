"""The JSON-RPC methods: parameter parsing, then the chain under its lock."""

import sys

import eth
import eth_tester

from . import execution, fees, logs, serialize
from .errors import invalid_params, rejected
from .hexcodec import (
    encode_data,
    encode_quantity,
    parse_address,
    parse_block_ref,
    parse_bool,
    parse_data,
    parse_hash,
    parse_quantity,
)

CLIENT_VERSION = (
    f"CaseAttestDevchain/v0.1.0/py-evm-{eth.__version__}/eth-tester-{eth_tester.__version__}"
    f"/python-{sys.version_info.major}.{sys.version_info.minor}"
)
#: eth_maxPriorityFeePerGas: a fixed 1 gwei suggestion (geth's oracle default when blocks are empty).
SUGGESTED_TIP_WEI = 10**9


def _arguments(params, required: int, optional: int = 0) -> list:
    """geth-style arity checks; returns params padded with None up to required + optional."""
    if params is None:
        params = []
    if not isinstance(params, list):
        raise invalid_params("non-array args")
    if len(params) > required + optional:
        raise invalid_params(f"too many arguments, want at most {required + optional}")
    if len(params) < required:
        raise invalid_params(f"missing value for required argument {len(params)}")
    return params + [None] * (required + optional - len(params))


def _call_request(obj) -> execution.CallRequest:
    if not isinstance(obj, dict):
        raise invalid_params("invalid argument 0: expected a transaction call object")
    data = parse_data(obj["input"], "input") if obj.get("input") is not None else None
    if obj.get("data") is not None:
        legacy_data = parse_data(obj["data"], "data")
        if data is not None and data != legacy_data:
            raise invalid_params(
                'both "data" and "input" are set and not equal. Please use "input" to pass transaction call data'
            )
        data = legacy_data
    return execution.CallRequest(
        sender=parse_address(obj["from"], "from") if obj.get("from") else b"\x00" * 20,
        to=parse_address(obj["to"], "to") if obj.get("to") else b"",
        gas=parse_quantity(obj["gas"], "gas") if obj.get("gas") is not None else None,
        value=parse_quantity(obj["value"], "value") if obj.get("value") is not None else 0,
        data=data or b"",
    )


class Methods:
    def __init__(self, chain, interval_miner):
        self.chain = chain
        self.interval_miner = interval_miner
        self.table = {
            name[len("rpc_"):]: getattr(self, name) for name in dir(self) if name.startswith("rpc_")
        }

    def call(self, method: str, params):
        """Run one method under the chain lock; raises KeyError for an unknown method."""
        handler = self.table[method]
        with self.chain.lock:
            return handler(params)

    # ---- identity -----------------------------------------------------------------------

    def rpc_eth_chainId(self, params):
        _arguments(params, 0)
        return encode_quantity(self.chain.chain_id)

    def rpc_net_version(self, params):
        _arguments(params, 0)
        return str(self.chain.chain_id)

    def rpc_web3_clientVersion(self, params):
        _arguments(params, 0)
        return CLIENT_VERSION

    def rpc_net_listening(self, params):
        _arguments(params, 0)
        return True

    def rpc_eth_syncing(self, params):
        _arguments(params, 0)
        return False

    def rpc_eth_accounts(self, params):
        _arguments(params, 0)
        return []  # the node holds no keys: clients sign and use eth_sendRawTransaction

    # ---- state --------------------------------------------------------------------------

    def rpc_eth_blockNumber(self, params):
        _arguments(params, 0)
        return encode_quantity(self.chain.head().block_number)

    def rpc_eth_getBalance(self, params):
        address, block = _arguments(params, 1, 1)
        state = self.chain.state_at(parse_block_ref(block))
        return encode_quantity(state.get_balance(parse_address(address)))

    def rpc_eth_getTransactionCount(self, params):
        address, block = _arguments(params, 1, 1)
        sender = parse_address(address)
        ref = parse_block_ref(block)
        if ref == "pending":
            return encode_quantity(self.chain.pending_nonce(sender))
        return encode_quantity(self.chain.state_at(ref).get_nonce(sender))

    def rpc_eth_getCode(self, params):
        address, block = _arguments(params, 1, 1)
        state = self.chain.state_at(parse_block_ref(block))
        return encode_data(state.get_code(parse_address(address)))

    def rpc_eth_getStorageAt(self, params):
        address, slot, block = _arguments(params, 2, 1)
        state = self.chain.state_at(parse_block_ref(block))
        value = state.get_storage(parse_address(address), parse_quantity(slot, "storage slot"))
        return encode_data(value.to_bytes(32, "big"))

    # ---- fees ---------------------------------------------------------------------------

    def rpc_eth_gasPrice(self, params):
        _arguments(params, 0)
        return encode_quantity(self._suggested_tip() + self.chain.head().base_fee_per_gas)

    def rpc_eth_maxPriorityFeePerGas(self, params):
        _arguments(params, 0)
        return encode_quantity(self._suggested_tip())

    def _suggested_tip(self) -> int:
        """1 gwei, or the node's price floor when that is higher (as geth's oracle never suggests less)."""
        return max(SUGGESTED_TIP_WEI, self.chain.settings.min_tip)

    def rpc_eth_feeHistory(self, params):
        count, newest, percentiles = _arguments(params, 2, 1)
        if isinstance(count, str) and count.isdigit():  # geth's HexOrDecimal64 takes "5" too
            count = int(count)
        block_count = parse_quantity(count, "block count", allow_int=True)
        if percentiles is not None and not isinstance(percentiles, list):
            raise invalid_params("invalid argument 2: expected an array of percentiles")
        return fees.fee_history(self.chain, block_count, parse_block_ref(newest), percentiles or [])

    # ---- execution ----------------------------------------------------------------------

    def rpc_eth_call(self, params):
        obj, block = _arguments(params, 1, 2)[:2]  # a third argument (state overrides) is ignored
        request = _call_request(obj)
        header = self.chain.header_at(parse_block_ref(block))
        output = execution.call(self.chain.evm.get_vm(header), request, header.gas_limit)
        return encode_data(output)

    def rpc_eth_estimateGas(self, params):
        obj, block = _arguments(params, 1, 2)[:2]
        request = _call_request(obj)
        header = self.chain.header_at(parse_block_ref(block))
        return encode_quantity(execution.estimate_gas(self.chain.evm.get_vm(header), request, header.gas_limit))

    # ---- transactions -------------------------------------------------------------------

    def rpc_eth_sendRawTransaction(self, params):
        (raw,) = _arguments(params, 1)
        return encode_data(self.chain.send_raw_transaction(parse_data(raw, "raw transaction")))

    def rpc_eth_getTransactionByHash(self, params):
        (tx_hash,) = _arguments(params, 1)
        found = self.chain.find_transaction(parse_hash(tx_hash))
        if found is None:
            return None
        bundle, where = found
        if bundle is None:
            return serialize.transaction(where.tx, where.sender)
        return serialize.transaction(bundle.block.transactions[where], bundle.senders[where], bundle.block, where)

    def rpc_eth_getTransactionReceipt(self, params):
        (tx_hash,) = _arguments(params, 1)
        found = self.chain.find_transaction(parse_hash(tx_hash))
        if found is None or found[0] is None:  # unknown, or still pending
            return None
        bundle, index = found
        block = bundle.block
        return serialize.receipt(block, block.transactions[index], bundle.senders[index], index, bundle.receipts)

    # ---- blocks and logs ----------------------------------------------------------------

    def rpc_eth_getBlockByNumber(self, params):
        block, full = _arguments(params, 2)
        ref = parse_block_ref(block)
        if isinstance(ref, tuple):
            raise invalid_params("invalid argument 0: expected a block number or tag")
        bundle, pending = self.chain.resolve(ref)
        if bundle is None:
            return None
        return self._block(bundle, full, pending)

    def rpc_eth_getBlockByHash(self, params):
        block_hash, full = _arguments(params, 2)
        bundle = self.chain.bundle_by_hash(parse_hash(block_hash, "block hash"))
        if bundle is None:
            return None
        return self._block(bundle, full)

    def _block(self, bundle, full, pending: bool = False) -> dict:
        out = serialize.block(bundle.block, parse_bool(full, "full transactions flag"), bundle.senders, pending)
        if self.chain.settings.pre_london:
            del out["baseFeePerGas"]  # how a client tells a chain without EIP-1559 (geth before London)
        return out

    def rpc_eth_getLogs(self, params):
        (criteria,) = _arguments(params, 1)
        return logs.get_logs(self.chain, logs.parse_filter(criteria))

    # ---- test controls (Hardhat/Ganache names) ------------------------------------------

    def rpc_evm_mine(self, params):
        (options,) = _arguments(params, 0, 1)
        count, timestamp = 1, None
        if isinstance(options, dict):
            if options.get("blocks") is not None:
                count = parse_quantity(options["blocks"], "blocks", allow_int=True)
            if options.get("timestamp") is not None:
                timestamp = parse_quantity(options["timestamp"], "timestamp", allow_int=True)
        elif options is not None:
            timestamp = parse_quantity(options, "timestamp", allow_int=True)
        if not 1 <= count <= 10_000:
            raise invalid_params("invalid blocks: must be between 1 and 10000")
        self.chain.mine(count, timestamp)
        return "0x0"

    def rpc_evm_snapshot(self, params):
        _arguments(params, 0)
        return encode_quantity(self.chain.snapshot())

    def rpc_evm_revert(self, params):
        (snapshot_id,) = _arguments(params, 1)
        return self.chain.revert(parse_quantity(snapshot_id, "snapshot id", allow_int=True))

    def rpc_evm_setAutomine(self, params):
        (enabled,) = _arguments(params, 1)
        self.chain.automine = parse_bool(enabled, "automine flag")
        return True

    def rpc_evm_setIntervalMining(self, params):
        (seconds,) = _arguments(params, 1)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
            seconds = parse_quantity(seconds, "interval", allow_int=True)
        if seconds < 0:
            raise invalid_params("invalid interval: negative")
        self.interval_miner.set_interval(seconds)
        return True


def unknown_method_message(method) -> str:
    return f"the method {method} does not exist/is not available"


__all__ = ["Methods", "unknown_method_message", "rejected"]
