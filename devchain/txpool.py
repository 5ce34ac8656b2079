"""Our own pending-transaction pool (eth-tester's no-automine mode is unusable, see README).

Transactions wait here until a block is mined; the pool keeps them per sender ordered by nonce,
replaces a same-nonce transaction only on a 10% fee bump (geth's default price bump) and orders
a block's transactions like geth's miner: highest effective tip first, nonce order per sender.
"""

import heapq
from dataclasses import dataclass, field

#: geth's txpool.pricebump default, in percent.
PRICE_BUMP_PERCENT = 10


@dataclass
class PooledTx:
    tx: object  # a py-evm signed transaction
    sender: bytes
    raw: bytes
    arrival: int = 0

    @property
    def hash(self) -> bytes:
        return self.tx.hash

    @property
    def nonce(self) -> int:
        return self.tx.nonce

    @property
    def fee_cap(self) -> int:
        return self.tx.max_fee_per_gas

    @property
    def tip_cap(self) -> int:
        return self.tx.max_priority_fee_per_gas

    @property
    def cost(self) -> int:
        """Upper bound of what the sender pays: gas * fee cap + value (geth's tx.Cost())."""
        return self.tx.gas * self.fee_cap + self.tx.value

    def effective_tip(self, base_fee: int) -> int:
        return min(self.tip_cap, self.fee_cap - base_fee)


def is_sufficient_bump(old: PooledTx, new: PooledTx) -> bool:
    """geth's rule: both fee cap and tip strictly higher and at least PRICE_BUMP_PERCENT higher."""
    if old.fee_cap >= new.fee_cap or old.tip_cap >= new.tip_cap:
        return False
    factor = 100 + PRICE_BUMP_PERCENT
    return (
        new.fee_cap >= old.fee_cap * factor // 100
        and new.tip_cap >= old.tip_cap * factor // 100
    )


@dataclass
class TxPool:
    by_sender: dict = field(default_factory=dict)  # sender -> {nonce: PooledTx}
    by_hash: dict = field(default_factory=dict)  # hash -> PooledTx
    arrivals: int = 0
    #: Bumped on every change so derived data (the pending block) can be cached.
    version: int = 0

    def __len__(self) -> int:
        return len(self.by_hash)

    def get(self, tx_hash: bytes):
        return self.by_hash.get(tx_hash)

    def at_nonce(self, sender: bytes, nonce: int):
        return self.by_sender.get(sender, {}).get(nonce)

    def pending_nonce(self, sender: bytes, state_nonce: int) -> int:
        """The next nonce after the gapless run of pooled transactions starting at state_nonce."""
        queued = self.by_sender.get(sender, {})
        nonce = state_nonce
        while nonce in queued:
            nonce += 1
        return nonce

    def queued_cost(self, sender: bytes, except_nonce: int) -> int:
        return sum(
            ptx.cost for nonce, ptx in self.by_sender.get(sender, {}).items() if nonce != except_nonce
        )

    def add(self, ptx: PooledTx):
        """Insert (or replace the same-nonce transaction); returns the replaced one, if any."""
        self.arrivals += 1
        ptx.arrival = self.arrivals
        queued = self.by_sender.setdefault(ptx.sender, {})
        replaced = queued.get(ptx.nonce)
        if replaced is not None:
            del self.by_hash[replaced.hash]
        queued[ptx.nonce] = ptx
        self.by_hash[ptx.hash] = ptx
        self.version += 1
        return replaced

    def remove(self, tx_hash: bytes) -> None:
        ptx = self.by_hash.pop(tx_hash, None)
        if ptx is None:
            return
        queued = self.by_sender[ptx.sender]
        del queued[ptx.nonce]
        if not queued:
            del self.by_sender[ptx.sender]
        self.version += 1

    def prune_stale(self, state_nonce_of) -> None:
        """Drop transactions whose nonce the chain has already used (after a block or a revert)."""
        for sender in list(self.by_sender):
            current = state_nonce_of(sender)
            for nonce in [n for n in self.by_sender[sender] if n < current]:
                self.remove(self.by_sender[sender][nonce].hash)

    def ordered_for_block(self, base_fee: int) -> list:
        """All pooled transactions in mining order: per sender by nonce, across senders by tip."""
        runs = {sender: sorted(queued.values(), key=lambda p: p.nonce) for sender, queued in self.by_sender.items()}
        heap = []
        for sender, run in runs.items():
            head = run[0]
            heapq.heappush(heap, (-head.effective_tip(base_fee), head.arrival, sender, 0))
        ordered = []
        while heap:
            _, _, sender, index = heapq.heappop(heap)
            run = runs[sender]
            ordered.append(run[index])
            if index + 1 < len(run):
                following = run[index + 1]
                heapq.heappush(heap, (-following.effective_tip(base_fee), following.arrival, sender, index + 1))
        return ordered

    def copy(self) -> "TxPool":
        return TxPool(
            by_sender={sender: dict(queued) for sender, queued in self.by_sender.items()},
            by_hash=dict(self.by_hash),
            arrivals=self.arrivals,
            version=self.version + 1,
        )
