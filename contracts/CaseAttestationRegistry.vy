# pragma version 0.4.3
# Pinned so the bytecode does not follow the compiler's default fork: Cancun runs on
# our dev chain (py-evm, Prague) and on current mainnet and L2s alike.
# pragma evm-version cancun
"""
@title CaseAttest registry
@notice Anchors Merkle roots of batches of attested counselling cases. No
        personal data: a root commits to salted content hashes only. Anyone can
        check a case's inclusion proof against an anchored root on chain.
@dev Gas: an anchor writes ONE new storage slot. Vyper does not pack structs,
     so the record is packed by hand into a uint256 (see _pack), and the
     attester is stored as a 32-bit id (assigned once by setAttester) rather
     than a 160-bit address so that timestamp and block number keep a full
     64 bits each. The paused flag shares a slot with the anchor counter,
     which anchor() has to read and write anyway.
"""

# --- events -----------------------------------------------------------------

event Anchored:
    root: indexed(bytes32)
    attester: indexed(address)
    leafCount: uint32
    blockTimestamp: uint64

event AttesterSet:
    attester: indexed(address)
    enabled: bool

event OwnershipTransferStarted:
    previousOwner: indexed(address)
    newOwner: indexed(address)

event OwnershipTransferred:
    previousOwner: indexed(address)
    newOwner: indexed(address)

event Paused:
    account: address

event Unpaused:
    account: address

# --- storage ----------------------------------------------------------------

# Anchor record layout (bit 0 = least significant):
#   [0, 64)    block timestamp
#   [64, 128)  block number
#   [128, 160) leaf count
#   [160, 192) attester id (>= 1, so a stored record is never zero)
anchors: HashMap[bytes32, uint256]

# Attester entry: bit 0 = enabled, bits [1, 33) = attester id (0 = never set).
attesterEntries: HashMap[address, uint256]
attesterById: HashMap[uint256, address]

# Number of distinct addresses ever passed to setAttester (= highest id).
attesterIdCount: public(uint256)

# bit 0 = paused, the rest = number of anchored roots.
packedState: uint256

owner: public(address)
pendingOwner: public(address)

MASK32: constant(uint256) = 2**32 - 1
MASK64: constant(uint256) = 2**64 - 1
MAX_PROOF_LENGTH: constant(uint256) = 64


@deploy
def __init__():
    self.owner = msg.sender
    log OwnershipTransferred(previousOwner=empty(address), newOwner=msg.sender)


# --- anchoring --------------------------------------------------------------

@external
def anchor(root: bytes32, leafCount: uint32):
    """
    @notice Records `root` as the Merkle root of a batch of `leafCount` cases.
    """
    state: uint256 = self.packedState
    assert state & 1 == 0, "registry: anchoring is paused"
    entry: uint256 = self.attesterEntries[msg.sender]
    assert entry & 1 == 1, "registry: caller is not an enabled attester"
    assert root != empty(bytes32), "registry: root is zero"
    assert leafCount != 0, "registry: leaf count is zero"
    assert self.anchors[root] == 0, "registry: root already anchored"

    self.anchors[root] = self._pack(entry >> 1, leafCount)
    self.packedState = state + 2
    log Anchored(root=root, attester=msg.sender, leafCount=leafCount,
                 blockTimestamp=convert(block.timestamp, uint64))


@internal
@view
def _pack(attesterId: uint256, leafCount: uint32) -> uint256:
    # convert() reverts instead of truncating should a value ever outgrow 64 bits.
    timestamp: uint256 = convert(convert(block.timestamp, uint64), uint256)
    number: uint256 = convert(convert(block.number, uint64), uint256)
    return timestamp | (number << 64) | (convert(leafCount, uint256) << 128) | (attesterId << 160)


@external
@view
def anchorOf(root: bytes32) -> (uint64, uint64, address, uint32):
    """
    @notice (timestamp, blockNumber, attester, leafCount) of an anchored root;
            all zero for a root never anchored.
    """
    record: uint256 = self.anchors[root]
    if record == 0:
        return 0, 0, empty(address), 0
    return (
        convert(record & MASK64, uint64),
        convert((record >> 64) & MASK64, uint64),
        self.attesterById[(record >> 160) & MASK32],
        convert((record >> 128) & MASK32, uint32),
    )


@external
@view
def isAnchored(root: bytes32) -> bool:
    return self.anchors[root] != 0


@external
@view
def anchorCount() -> uint256:
    return self.packedState >> 1


# --- proofs -----------------------------------------------------------------

@external
@view
def verifyLeaf(root: bytes32, leaf: bytes32, proof: DynArray[bytes32, MAX_PROOF_LENGTH]) -> bool:
    """
    @notice True only if `root` is anchored and `proof` leads from `leaf` to it
            (OpenZeppelin MerkleProof.processProof, commutative keccak256).
    """
    if self.anchors[root] == 0:
        return False
    return self._processProof(leaf, proof) == root


@external
@view
def verifyContentHash(root: bytes32, contentHash: bytes32, proof: DynArray[bytes32, MAX_PROOF_LENGTH]) -> bool:
    """
    @notice verifyLeaf for a case content hash, hashing it into its leaf on chain:
            leaf = keccak256(keccak256(abi.encode(contentHash))) as in OpenZeppelin's
            StandardMerkleTree. Unlike verifyLeaf, an inner node of the tree cannot pass
            for a case here, so third parties holding only the content hash should use this.
    """
    if self.anchors[root] == 0:
        return False
    leaf: bytes32 = keccak256(keccak256(abi_encode(contentHash)))
    return self._processProof(leaf, proof) == root


@internal
@pure
def _processProof(leaf: bytes32, proof: DynArray[bytes32, MAX_PROOF_LENGTH]) -> bytes32:
    computed: bytes32 = leaf
    for sibling: bytes32 in proof:
        computed = self._hashPair(computed, sibling)
    return computed


@internal
@pure
def _hashPair(a: bytes32, b: bytes32) -> bytes32:
    # Sorted pair: the proof need not say which side each sibling is on.
    if convert(a, uint256) < convert(b, uint256):
        return keccak256(concat(a, b))
    return keccak256(concat(b, a))


# --- attesters --------------------------------------------------------------

@external
def setAttester(attester: address, enabled: bool):
    """
    @notice Enables or disables `attester`. The first call for an address gives
            it a permanent id, so past anchors keep naming it after removal.
    """
    self._onlyOwner()
    assert attester != empty(address), "registry: attester is the zero address"
    attesterId: uint256 = self.attesterEntries[attester] >> 1
    if attesterId == 0:
        attesterId = self.attesterIdCount + 1
        assert attesterId <= MASK32, "registry: too many attesters"
        self.attesterIdCount = attesterId
        self.attesterById[attesterId] = attester
    flag: uint256 = 0
    if enabled:
        flag = 1
    self.attesterEntries[attester] = (attesterId << 1) | flag
    log AttesterSet(attester=attester, enabled=enabled)


@external
@view
def isAttester(account: address) -> bool:
    return self.attesterEntries[account] & 1 == 1


# --- pausing ----------------------------------------------------------------

@external
@view
def paused() -> bool:
    return self.packedState & 1 == 1


@external
def pause():
    self._onlyOwner()
    state: uint256 = self.packedState
    assert state & 1 == 0, "registry: already paused"
    self.packedState = state | 1
    log Paused(account=msg.sender)


@external
def unpause():
    self._onlyOwner()
    state: uint256 = self.packedState
    assert state & 1 == 1, "registry: not paused"
    self.packedState = state - 1
    log Unpaused(account=msg.sender)


# --- ownership (two-step) ---------------------------------------------------

@external
def transferOwnership(newOwner: address):
    """
    @notice Proposes `newOwner`; nothing changes until it calls acceptOwnership.
            Proposing the zero address cancels a pending transfer.
    """
    self._onlyOwner()
    self.pendingOwner = newOwner
    log OwnershipTransferStarted(previousOwner=self.owner, newOwner=newOwner)


@external
def acceptOwnership():
    assert msg.sender == self.pendingOwner, "registry: caller is not the pending owner"
    previous: address = self.owner
    self.owner = msg.sender
    self.pendingOwner = empty(address)
    log OwnershipTransferred(previousOwner=previous, newOwner=msg.sender)


@internal
@view
def _onlyOwner():
    assert msg.sender == self.owner, "registry: caller is not the owner"
