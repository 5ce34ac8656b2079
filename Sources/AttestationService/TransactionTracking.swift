import Attestation

/// The on-chain half of the pipeline as a value: one transaction (every hash
/// ever signed at its nonce) and what to do next given what the chain shows.
/// No I/O: the worker gathers a `ChainObservation`, asks `next`, performs the
/// actions and stores the new state.
public struct TrackedTransaction: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable {
        case signed, submitted, mined, confirmed, final, failed
    }

    /// The node's last refusal of this transaction's bytes.
    public struct Refusal: Sendable, Hashable {
        public var kind: RefusalKind
        /// Refusals in a row.
        public var count: Int
        public var at: Double

        public init(kind: RefusalKind, count: Int, at: Double) {
            self.kind = kind
            self.count = count
            self.at = at
        }
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
    /// Set while the node refuses the current bytes; cleared when it takes them.
    public var refusal: Refusal?

    public init(
        phase: Phase, nonce: UInt64 = 0, hashes: [[UInt8]], fees: Fees, inclusion: Inclusion? = nil,
        currentSignedAt: Double, lastSentAt: Double? = nil, refusal: Refusal? = nil
    ) {
        self.phase = phase
        self.nonce = nonce
        self.hashes = hashes
        self.fees = fees
        self.inclusion = inclusion
        self.currentSignedAt = currentSignedAt
        self.lastSentAt = lastSentAt
        self.refusal = refusal
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
    /// What a new transaction would pay now, when it could be priced
    /// (a refused transaction is re-signed at least at this).
    public var market: Fees?
    /// The number of the block the finality's tag names (`safe`/`finalized`),
    /// read with the head; nil for a depth finality or when not served.
    public var taggedBlock: UInt64?

    public init(
        head: UInt64, now: Double, minedNonce: UInt64? = nil, receipts: [[UInt8]: Receipt],
        canonicalBlockHashes: [UInt64: [UInt8]], market: Fees? = nil, taggedBlock: UInt64? = nil
    ) {
        self.head = head
        self.now = now
        self.minedNonce = minedNonce
        self.receipts = receipts
        self.canonicalBlockHashes = canonicalBlockHashes
        self.market = market
        self.taggedBlock = taggedBlock
    }
}

public struct TrackingPolicy: Sendable, Hashable {
    /// Blocks on top of and including the inclusion block before we trust it
    /// (with a tag finality, still the depth behind nonce evidence).
    public var confirmations: UInt64
    /// When an attestation is confirmed: `blocks:confirmations` unless set.
    public var finality: Finality
    /// Seconds without a receipt before the transaction is replaced.
    public var replaceAfter: Double
    /// Seconds between re-sends of the same bytes (a node may have dropped them).
    public var rebroadcastAfter: Double
    public var fees: FeePolicy
    /// Blocks before a confirmed transaction is no longer watched for reorgs.
    public var finalityDepth: UInt64
    /// Refusals of the same bytes before they are signed anew (for refusals
    /// that are not about the fee, which are re-priced at once).
    public var resignAfterRefusals = 3

    public init(
        confirmations: UInt64, replaceAfter: Double, rebroadcastAfter: Double, fees: FeePolicy,
        finalityDepth: UInt64? = nil, finality: Finality? = nil
    ) {
        self.confirmations = max(1, confirmations)
        self.finality = finality ?? .blocks(max(1, confirmations))
        self.finalityDepth = max(self.confirmations, finalityDepth ?? max(64, 4 * self.confirmations))
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
    /// Deep enough that no reorg is expected: watching stops.
    case recordFinal(TrackedTransaction.Inclusion)
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
            return Inclusion(
                hash: hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash,
                succeeded: receipt.succeeded)
        }
        return nil
    }

    /// What to do now. Final phases need nothing; a confirmed transaction is
    /// still watched until `finalityDepth`, so a deep reorg is seen.
    public func next(_ observation: ChainObservation, policy: TrackingPolicy) -> [TrackingAction] {
        switch phase {
        case .final, .failed:
            return []
        case .signed, .submitted, .mined, .confirmed:
            break
        }
        if let included = canonicalInclusion(in: observation) {
            let depth = observation.head >= included.blockNumber ? observation.head - included.blockNumber + 1 : 0
            if phase == .confirmed, inclusion == included {
                // A finalized block is final by consensus; otherwise by depth.
                let finalized =
                    policy.finality == .finalized
                    && policy.finality.confirms(
                        blockNumber: included.blockNumber, head: observation.head,
                        taggedBlock: observation.taggedBlock)
                return depth >= policy.finalityDepth || finalized ? [.recordFinal(included)] : []
            }
            if policy.finality.confirms(
                blockNumber: included.blockNumber, head: observation.head,
                taggedBlock: observation.taggedBlock)
            {
                return [
                    included.succeeded ? .recordConfirmed(included, confirmations: depth) : .recordReverted(included)
                ]
            }
            if phase != .mined || inclusion != included {
                return [.recordMined(included, confirmations: depth)]
            }
            return []
        }
        if phase == .mined || phase == .confirmed, let inclusion {
            // Reorged out (deeper than the confirmations, for a confirmed
            // one): back to submitted and send the same bytes again.
            return [.recordReorg(previous: inclusion), .broadcast(hash: inclusion.hash)]
        }
        if phase == .confirmed { return [] }  // no inclusion known: nothing to watch
        if let minedNonce = observation.minedNonce, minedNonce > nonce {
            return [.nonceUsedElsewhere]
        }
        if let refusal {
            return afterRefusal(refusal, observation, policy: policy)
        }
        if phase == .signed || lastSentAt == nil {
            return [.broadcast(hash: currentHash)]
        }
        if observation.now - currentSignedAt >= policy.replaceAfter {
            if let bumped = policy.fees.bumped(fees, market: observation.market) {
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

    /// The node refused the current bytes. A fee refusal is re-priced at
    /// once (at least the market, at least a valid bump); other refusals are
    /// retried a few times, then the transaction is signed anew; funds and
    /// nonce refusals wait (the balance is an operator's matter, the nonce
    /// the tracker's).
    private func afterRefusal(
        _ refusal: Refusal, _ observation: ChainObservation,
        policy: TrackingPolicy
    ) -> [TrackingAction] {
        let resign: Bool
        switch refusal.kind {
        case .feeTooLow: resign = true
        case .other: resign = refusal.count >= policy.resignAfterRefusals
        case .insufficientFunds, .nonceTooLow: resign = false
        }
        if resign {
            guard let repriced = policy.fees.bumped(fees, market: observation.market) else { return [.stuckAtCeiling] }
            return [.replace(repriced)]
        }
        guard observation.now - refusal.at >= policy.rebroadcastAfter else { return [] }
        return [.broadcast(hash: currentHash)]
    }
}

/// Why a node refused a transaction, as far as the tracker cares.
public enum RefusalKind: String, Sendable, Hashable {
    /// Below the base fee, underpriced, under a minimum tip.
    case feeTooLow = "fee-too-low"
    case insufficientFunds = "insufficient-funds"
    case nonceTooLow = "nonce-too-low"
    case other

    /// From a node's error message (geth's, Erigon's, Nethermind's wording).
    public init(message: String) {
        let text = message.lowercased()
        if text.contains("nonce too low") {
            self = .nonceTooLow
        } else if text.contains("insufficient funds") {
            self = .insufficientFunds
        } else if [
            "less than block base fee", "underpriced", "fee too low", "fee cap", "feecap", "tip too low",
            "gas price too low", "below minimum", "max fee per gas less than",
        ].contains(where: text.contains) {
            self = .feeTooLow
        } else {
            self = .other
        }
    }
}
