/// The machine's decisions on the signer's side: the pricing gate, batches
/// on hold, evidence that a nonce was used elsewhere, ceiling warnings.
extension WorkerMachine {
    /// Pricing for new transactions: nil when signing may go on.
    public mutating func signingBlocked(_ block: SigningBlock?) -> Bool {
        let changed = block != signingBlock
        signingBlock = block
        return changed
    }

    /// An anchor's gas estimate reverted (paused registry, signer not an
    /// attester): that batch waits, with a growing back-off; others go on.
    public mutating func anchorWouldRevert(batchID: Int64, now: Double) {
        let failures = (heldBatches[batchID]?.failures ?? 0) + 1
        heldBatches[batchID] = HeldBatch(
            until: now + settings.revertBackoff.delay(afterFailures: failures), failures: failures)
    }

    /// The batch was signed (or left the queue): forget its hold.
    public mutating func batchSigned(_ batchID: Int64) {
        heldBatches[batchID] = nil
    }

    public func batchesOnHold(now: Double) -> Set<Int64> {
        Set(heldBatches.filter { $0.value.until > now }.keys)
    }

    /// The tracker says another transaction used this one's nonce. True only
    /// on consistent evidence: seen on several passes, over several new
    /// blocks and some seconds (one answer of a lagging failover node, or a
    /// look that straddles a reorg, is not enough).
    public mutating func nonceUsedElsewhere(transactionID: Int64, head: UInt64, now: Double) -> Bool {
        var evidence = nonceEvidence[transactionID] ?? NonceEvidence(firstSeenAt: now, firstHead: head)
        evidence.sightings += 1
        evidence.lastHead = max(evidence.lastHead, head)
        nonceEvidence[transactionID] = evidence
        guard evidence.isConsistent(settings.nonceEvidence, now: now) else { return false }
        nonceEvidence[transactionID] = nil
        return true
    }

    /// The transaction was seen mined, replaced or sent: earlier sightings
    /// of "nonce used elsewhere" no longer count.
    public mutating func transactionSeen(_ transactionID: Int64) {
        nonceEvidence[transactionID] = nil
    }

    /// True at most once per `ceilingWarningEvery` seconds per transaction.
    public mutating func shouldWarnAtCeiling(transactionID: Int64, now: Double) -> Bool {
        if let last = ceilingWarnedAt[transactionID], now - last < settings.ceilingWarningEvery { return false }
        ceilingWarnedAt[transactionID] = now
        return true
    }
}

/// Sightings of "the signer's mined nonce is past this transaction's, and
/// none of its hashes has a receipt".
public struct NonceEvidence: Sendable, Hashable {
    public struct Policy: Sendable, Hashable {
        public var sightings = 3
        public var blocks: UInt64 = 2
        public var seconds: Double = 5

        public init() {}
    }

    var firstSeenAt: Double
    var firstHead: UInt64
    var lastHead: UInt64
    var sightings = 0

    init(firstSeenAt: Double, firstHead: UInt64) {
        self.firstSeenAt = firstSeenAt
        self.firstHead = firstHead
        lastHead = firstHead
    }

    func isConsistent(_ policy: Policy, now: Double) -> Bool {
        sightings >= policy.sightings && lastHead >= firstHead + policy.blocks && now - firstSeenAt >= policy.seconds
    }
}
