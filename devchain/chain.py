"""The chain itself: py-evm's MiningChain (set up by eth-tester's PyEVMBackend) plus our own pool,
transaction index, snapshots and mining. Not thread-safe by itself: callers hold `DevChain.lock`.

eth-tester's EthereumTester layer is bypassed on purpose: its no-automine mode rejects a second
transaction from one sender and breaks EIP-155 legacy transactions at mine time, its transaction
lookup scans blocks backwards, and its chain id is fixed. We use its genesis setup and drive
py-evm directly, feeding transactions to the EVM only when a block is mined.
"""

import os
import threading
import time
from collections import OrderedDict

from eth.constants import GENESIS_PARENT_HASH
from eth.exceptions import HeaderNotFound
from eth_tester.backends.pyevm.main import PyEVMBackend
from eth_utils import to_checksum_address

from . import admission
from .errors import rejected
from .txpool import PooledTx, TxPool, is_sufficient_bump

BLOCK_GAS_LIMIT = 30_000_000
BLOCK_CACHE_SIZE = 512


class ChainSettings:
    """How this dev chain differs from the default post-merge Prague chain.

    pre_london: a pre-London fee market: no base fee in served blocks, dynamic-fee transactions (types 2
    and 4) refused, gas prices only. The EVM stays Prague's (the registry is compiled for Cancun), as on
    BNB Smart Chain or a permissioned network that took new opcodes but not EIP-1559. Underneath, the
    base fee is 0 from genesis and stays 0 (EIP-1559 raises it only above half-full blocks, which the
    dev chain never mines), so every price formula reduces to the legacy gas price.
    min_tip: the node's price floor in wei (geth's --miner.gasprice / txpool.pricelimit): a tip, or a
    legacy gas price, below it is refused as underpriced.
    safe_depth / finalized_depth: how many blocks the `safe` / `finalized` tags lag `latest`.
    """

    def __init__(self, pre_london=False, min_tip=admission.MIN_TIP_WEI, safe_depth=0, finalized_depth=0):
        if min_tip < 0 or safe_depth < 0 or finalized_depth < 0:
            raise ValueError("min_tip, safe_depth and finalized_depth must not be negative")
        self.pre_london = pre_london
        self.min_tip = min_tip
        self.safe_depth = safe_depth
        self.finalized_depth = finalized_depth


class BlockBundle:
    """A canonical block with what serialising it needs, cached by hash (blocks are immutable)."""

    def __init__(self, block, chaindb):
        self.block = block
        self.receipts = block.get_receipts(chaindb)
        self.senders = [tx.sender for tx in block.transactions]


class DevChain:
    def __init__(self, chain_id: int, prefund: dict, automine: bool = True, clock=time.time,
                 settings: ChainSettings = None):
        self.lock = threading.RLock()
        self.chain_id = chain_id
        self.automine = automine
        self.clock = clock
        self.settings = settings or ChainSettings()
        genesis = PyEVMBackend.generate_genesis_params(
            overrides={"gas_limit": BLOCK_GAS_LIMIT, "timestamp": int(clock())}
        )
        if self.settings.pre_london:
            genesis["base_fee_per_gas"] = 0  # not an override eth-tester knows; py-evm takes it
        state = {
            address: {"balance": wei, "nonce": 0, "code": b"", "storage": {}}
            for address, wei in prefund.items()
        }
        self.evm = PyEVMBackend(genesis_parameters=genesis, genesis_state=state).chain
        # Instance attribute: py-evm reads self.chain_id for the CHAINID opcode and EIP-155.
        self.evm.chain_id = chain_id
        self.pool = TxPool()
        self.tx_index = {}  # tx hash -> (block number, block hash, index in block)
        self.snapshots = {}  # id -> (head hash, pool copy)
        self.next_snapshot_id = 1
        self._blocks = OrderedDict()
        self._pending = None  # (head hash, pool version, BlockBundle-like tuple)

    # ---- blocks -------------------------------------------------------------------------

    def head(self):
        return self.evm.get_canonical_head()

    def bundle_by_hash(self, block_hash: bytes):
        """The canonical block with this hash, or None (orphaned blocks are not served)."""
        cached = self._blocks.get(block_hash)
        if cached is None:
            try:
                header = self.evm.get_block_header_by_hash(block_hash)
            except HeaderNotFound:
                return None
            cached = BlockBundle(self.evm.get_block_by_header(header), self.evm.chaindb)
            self._blocks[block_hash] = cached
            if len(self._blocks) > BLOCK_CACHE_SIZE:
                self._blocks.popitem(last=False)
        number = cached.block.number
        if number > self.head().block_number or self.evm.get_canonical_block_hash(number) != block_hash:
            return None
        return cached

    def bundle_by_number(self, number: int):
        if number > self.head().block_number:
            return None
        return self.bundle_by_hash(self.evm.get_canonical_block_hash(number))

    def resolve(self, ref):
        """(bundle, is_pending) for a parsed block reference; bundle None when no such block."""
        if ref == "pending":  # like geth: the block mining would produce now (maybe empty)
            return self.pending_bundle(), True
        if ref == "latest":
            return self.bundle_by_hash(self.head().hash), False
        if ref in ("safe", "finalized"):
            depth = self.settings.safe_depth if ref == "safe" else self.settings.finalized_depth
            return self.bundle_by_number(max(0, self.head().block_number - depth)), False
        if ref == "earliest":
            return self.bundle_by_number(0), False
        if isinstance(ref, tuple):
            return self.bundle_by_hash(ref[1]), False
        return self.bundle_by_number(ref), False

    def state_at(self, ref):
        if ref == "pending" and len(self.pool) == 0:
            ref = "latest"
        bundle, _ = self.resolve(ref)
        if bundle is None:
            raise rejected("header not found")
        return self.evm.get_vm(bundle.block.header).state

    def header_at(self, ref):
        if ref == "pending" and len(self.pool) == 0:
            ref = "latest"
        bundle, _ = self.resolve(ref)
        if bundle is None:
            raise rejected("header not found")
        return bundle.block.header

    def next_base_fee(self) -> int:
        return self.evm.create_header_from_parent(self.head()).base_fee_per_gas

    # ---- mining -------------------------------------------------------------------------

    def _start_block(self, timestamp=None):
        head = self.head()
        if timestamp is None:
            timestamp = max(int(self.clock()), head.timestamp + 1)
        elif timestamp <= head.timestamp:
            raise rejected(f"block timestamp {timestamp} must be greater than parent timestamp {head.timestamp}")
        # A random mix hash stands in for post-merge PREVRANDAO (and makes re-mined blocks differ).
        self.evm.header = self.evm.create_header_from_parent(head, timestamp=timestamp, mix_hash=os.urandom(32))

    def _fill_from_pool(self):
        """Apply pool transactions to the block being built; a failing sender waits for the next block."""
        included, failures, blocked = [], {}, set()
        for ptx in self.pool.ordered_for_block(self.evm.header.base_fee_per_gas):
            if ptx.sender in blocked:
                continue
            try:
                self.evm.apply_transaction(ptx.tx)
            except Exception as error:  # py-evm validation (gas left, base fee, ...): keep it pooled
                blocked.add(ptx.sender)
                failures[ptx.hash] = str(error)
                continue
            included.append(ptx)
        return included, failures

    def mine_block(self, timestamp=None):
        """Mine one block with every pool transaction that fits; returns (block, failures)."""
        self._start_block(timestamp)
        included, failures = self._fill_from_pool()
        block = self.evm.mine_block()
        for index, tx in enumerate(block.transactions):
            self.tx_index[tx.hash] = (block.number, block.hash, index)
        for ptx in included:
            self.pool.remove(ptx.hash)
        self.pool.prune_stale(self.latest_nonce)
        return block, failures

    def mine(self, count: int = 1, timestamp=None):
        blocks = []
        for offset in range(count):
            block, _ = self.mine_block(None if timestamp is None else timestamp + offset)
            blocks.append(block)
        return blocks

    def pending_bundle(self):
        """The block that mining now would produce (cached until the head or the pool changes)."""
        key = (self.head().hash, self.pool.version)
        if self._pending is not None and self._pending[0] == key:
            return self._pending[1]
        saved_header = self.evm.header
        try:
            self._start_block()
            self._fill_from_pool()
            block = self.evm.get_block()
        finally:
            self.evm.header = saved_header
        bundle = BlockBundle(block, self.evm.chaindb)
        self._pending = (key, bundle)
        return bundle

    # ---- transactions -------------------------------------------------------------------

    def latest_nonce(self, sender: bytes) -> int:
        return self.evm.get_vm(self.head()).state.get_nonce(sender)

    def pending_nonce(self, sender: bytes) -> int:
        return self.pool.pending_nonce(sender, self.latest_nonce(sender))

    def _admit(self, raw: bytes) -> PooledTx:
        """geth's checks in geth's order, then into the pool (replacing on a sufficient fee bump)."""
        tx = admission.decode_raw_transaction(raw, self.evm.get_vm().get_transaction_builder(),
                                              pre_london=self.settings.pre_london)
        if admission.is_unprotected_legacy(tx):
            raise rejected("only replay-protected (EIP-155) transactions allowed over RPC")
        if admission.signed_chain_id(tx) != self.chain_id:
            raise rejected("invalid chain id for signer")
        if self.pool.get(tx.hash) is not None:
            raise rejected("already known")
        admission.check_stateless(tx, len(raw), self.head().gas_limit)
        sender = admission.recover_sender(tx)
        admission.check_gas_and_tip(tx, self.settings.min_tip)
        base_fee = self.next_base_fee()
        if tx.max_fee_per_gas < base_fee:
            raise rejected(
                "max fee per gas less than block base fee: "
                f"address {to_checksum_address(sender)}, maxFeePerGas: {tx.max_fee_per_gas}, baseFee: {base_fee}"
            )
        state = self.evm.get_vm(self.head()).state
        state_nonce = state.get_nonce(sender)
        if tx.nonce < state_nonce:
            raise rejected(f"nonce too low: next nonce {state_nonce}, tx nonce {tx.nonce}")
        next_nonce = self.pool.pending_nonce(sender, state_nonce)
        if tx.nonce > next_nonce:
            # geth would queue it as a future transaction; we refuse gaps (see README).
            raise rejected(f"nonce too high: next nonce {next_nonce}, tx nonce {tx.nonce}")
        ptx = PooledTx(tx=tx, sender=sender, raw=raw)
        self._check_funds(ptx, state.get_balance(sender))
        old = self.pool.at_nonce(sender, tx.nonce)
        if old is not None and not is_sufficient_bump(old, ptx):
            raise rejected("replacement transaction underpriced")
        self.pool.add(ptx)
        return ptx

    def _check_funds(self, ptx: PooledTx, balance: int) -> None:
        prefix = "insufficient funds for gas * price + value"
        if balance < ptx.cost:
            raise rejected(f"{prefix}: balance {balance}, tx cost {ptx.cost}, overshot {ptx.cost - balance}")
        queued = self.pool.queued_cost(ptx.sender, except_nonce=ptx.nonce)
        if balance < queued + ptx.cost:
            overshot = queued + ptx.cost - balance
            raise rejected(
                f"{prefix}: balance {balance}, queued cost {queued}, tx cost {ptx.cost}, overshot {overshot}")

    def send_raw_transaction(self, raw: bytes) -> bytes:
        ptx = self._admit(raw)
        if self.automine:
            _, failures = self.mine_block()
            if ptx.hash in failures:
                self.pool.remove(ptx.hash)
                raise rejected(failures[ptx.hash])
        return ptx.hash

    def find_transaction(self, tx_hash: bytes):
        """(bundle, index) for a mined transaction, (None, PooledTx) for a pending one, else None."""
        pooled = self.pool.get(tx_hash)
        if pooled is not None:
            return None, pooled
        entry = self.tx_index.get(tx_hash)
        if entry is None:
            return None
        number, block_hash, index = entry
        bundle = self.bundle_by_hash(block_hash)
        if bundle is None:  # its block left the canonical chain
            return None
        return bundle, index

    # ---- snapshots ----------------------------------------------------------------------

    def snapshot(self) -> int:
        snapshot_id = self.next_snapshot_id
        self.next_snapshot_id += 1
        self.snapshots[snapshot_id] = (self.head().hash, self.pool.copy())
        return snapshot_id

    def revert(self, snapshot_id: int) -> bool:
        """Reorg back to the snapshot's head: later blocks and their transactions are dropped,
        the pool becomes what it was at snapshot time, and this and later snapshots are used up."""
        saved = self.snapshots.get(snapshot_id)
        if saved is None:
            return False
        head_hash, pool = saved
        header = self.evm.get_block_header_by_hash(head_hash)
        chaindb = self.evm.chaindb
        chaindb._set_as_canonical_chain_head(chaindb.db, header, GENESIS_PARENT_HASH)
        self.evm.header = self.evm.create_header_from_parent(header)
        self.tx_index = {h: entry for h, entry in self.tx_index.items() if entry[0] <= header.block_number}
        restored = pool.copy()
        restored.version = self.pool.version + 1
        self.pool = restored
        for later in [sid for sid in self.snapshots if sid >= snapshot_id]:
            del self.snapshots[later]
        return True
