/// The on-chain half of the pipeline as a value: one transaction (every hash
/// ever signed at its nonce) and what to do next given what the chain shows.
/// No I/O: the worker gathers a `ChainObservation`, asks `next`, performs the
/// actions and stores the new state.
public struct TrackedTransaction: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case signed, submitted, mined, confirmed, failed
    }

    /// Where a hash was mined.
    public struct Inclusion: Sendable, Hashable {
        public var hash: [UInt8]
        public var blockNumber: UInt64
        public var blockHash: [UInt8]
        public var succeeded: Bool

        public init(hash: [UInt8], blockNumber: UInt64, blockHash: [UInt8], succeeded: Bool) {
            self.hash = hash
            self.blockNumber = blockNumber
            self.blockHash = blockHash
            self.succeeded = succeeded
        }
    }

    public var phase: Phase
    public var nonce: UInt64
    /// Every hash signed for this nonce, oldest first; the last is current.
    public var hashes: [[UInt8]]
    public var fees: Fees
    public var inclusion: Inclusion?
    /// When the current hash was signed (replacement timing), seconds.
    public var currentSignedAt: Double
    /// When any bytes were last sent to the node (re-broadcast timing).
    public var lastSentAt: Double?

    public init(phase: Phase, nonce: UInt64 = 0, hashes: [[UInt8]], fees: Fees, inclusion: Inclusion? = nil,
                currentSignedAt: Double, lastSentAt: Double? = nil) {
        self.phase = phase
        self.nonce = nonce
        self.hashes = hashes
        self.fees = fees
        self.inclusion = inclusion
        self.currentSignedAt = currentSignedAt
        self.lastSentAt = lastSentAt
    }

    public var currentHash: [UInt8] { hashes[hashes.count - 1] }
}

/// What the worker read from the chain for one transaction.
public struct ChainObservation: Sendable, Hashable {
    public struct Receipt: Sendable, Hashable {
        public var blockNumber: UInt64
        public var blockHash: [UInt8]
        public var succeeded: Bool

        public init(blockNumber: UInt64, blockHash: [UInt8], succeeded: Bool) {
            self.blockNumber = blockNumber
            self.blockHash = blockHash
            self.succeeded = succeeded
        }
    }

    public var head: UInt64
    public var now: Double
    /// The signer's nonce at the head (`eth_getTransactionCount(latest)`),
    /// read BEFORE the receipts: a nonce below it was used by a mined
    /// transaction, whose receipt the later read must then show.
    public var minedNonce: UInt64?
    /// Receipts the node returned, by transaction hash.
    public var receipts: [[UInt8]: Receipt]
    /// The canonical block hash at the heights of those receipts.
    public var canonicalBlockHashes: [UInt64: [UInt8]]

    public init(head: UInt64, now: Double, minedNonce: UInt64? = nil, receipts: [[UInt8]: Receipt],
                canonicalBlockHashes: [UInt64: [UInt8]]) {
        self.head = head
        self.now = now
        self.minedNonce = minedNonce
        self.receipts = receipts
        self.canonicalBlockHashes = canonicalBlockHashes
    }
}

public struct TrackingPolicy: Sendable, Hashable {
    /// Blocks on top of and including the inclusion block before we trust it.
    public var confirmations: UInt64
    /// Seconds without a receipt before the transaction is replaced.
    public var replaceAfter: Double
    /// Seconds between re-sends of the same bytes (a node may have dropped them).
    public var rebroadcastAfter: Double
    public var fees: FeePolicy

    public init(confirmations: UInt64, replaceAfter: Double, rebroadcastAfter: Double, fees: FeePolicy) {
        self.confirmations = max(1, confirmations)
        self.replaceAfter = replaceAfter
        self.rebroadcastAfter = rebroadcastAfter
        self.fees = fees
    }
}

public enum TrackingAction: Sendable, Hashable {
    /// Send the stored bytes of this hash (first send, re-send, after a reorg).
    case broadcast(hash: [UInt8])
    case recordMined(TrackedTransaction.Inclusion, confirmations: UInt64)
    case recordConfirmed(TrackedTransaction.Inclusion, confirmations: UInt64)
    /// Mined at final depth but reverted: the batch fails with the reason.
    case recordReverted(TrackedTransaction.Inclusion)
    /// The block that held it is no longer canonical.
    case recordReorg(previous: TrackedTransaction.Inclusion)
    /// Sign the same call at the same nonce with these fees.
    case replace(Fees)
    /// Stuck, and a valid bump would cross the fee ceiling.
    case stuckAtCeiling
    /// The nonce was used by a transaction that is none of ours (the key is
    /// shared, or our bytes were lost): the batch must be signed anew.
    case nonceUsedElsewhere
}

extension TrackedTransaction {
    /// The inclusion of any of our hashes in a block that is still canonical.
    func canonicalInclusion(in observation: ChainObservation) -> Inclusion? {
        for hash in hashes.reversed() {
            guard let receipt = observation.receipts[hash],
                  observation.canonicalBlockHashes[receipt.blockNumber] == receipt.blockHash
            else { continue }
            return Inclusion(hash: hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash,
                             succeeded: receipt.succeeded)
        }
        return nil
    }

    /// What to do now. Final phases need nothing.
    public func next(_ observation: ChainObservation, policy: TrackingPolicy) -> [TrackingAction] {
        switch phase {
        case .confirmed, .failed:
            return []
        case .signed, .submitted, .mined:
            break
        }
        if let included = canonicalInclusion(in: observation) {
            let depth = observation.head >= included.blockNumber ? observation.head - included.blockNumber + 1 : 0
            if depth >= policy.confirmations {
                return [included.succeeded ? .recordConfirmed(included, confirmations: depth) : .recordReverted(included)]
            }
            if phase != .mined || inclusion != included {
                return [.recordMined(included, confirmations: depth)]
            }
            return []
        }
        if phase == .mined, let inclusion {
            // Reorged out: back to submitted and send the same bytes again.
            return [.recordReorg(previous: inclusion), .broadcast(hash: inclusion.hash)]
        }
        if let minedNonce = observation.minedNonce, minedNonce > nonce {
            return [.nonceUsedElsewhere]
        }
        if phase == .signed || lastSentAt == nil {
            return [.broadcast(hash: currentHash)]
        }
        if observation.now - currentSignedAt >= policy.replaceAfter {
            if let bumped = policy.fees.bumped(fees) {
                return [.replace(bumped)]
            }
            if observation.now - (lastSentAt ?? 0) >= policy.rebroadcastAfter {
                return [.stuckAtCeiling, .broadcast(hash: currentHash)]
            }
            return [.stuckAtCeiling]
        }
        if observation.now - (lastSentAt ?? 0) >= policy.rebroadcastAfter {
            return [.broadcast(hash: currentHash)]
        }
        return []
    }
}
