import Attestation
import Ethereum
import Testing

@testable import AttestationService

/// Finality in the tracker: with `safe` or `finalized` a transaction is
/// confirmed only once the node's tagged block reaches it, however deep it is.
struct FinalityTrackingTests {
    let first: [UInt8] = Array(repeating: 0x01, count: 32)
    let blockA: [UInt8] = Array(repeating: 0xAA, count: 32)
    let fees = Fees(maxFeePerGas: UInt256(10_000_000_000), maxPriorityFeePerGas: UInt256(1_000_000_000))

    private func policy(_ finality: Finality?) -> TrackingPolicy {
        TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15,
            fees: FeePolicy(ceiling: UInt256(100_000_000_000)), finality: finality)
    }

    private var inclusion: TrackedTransaction.Inclusion {
        TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
    }

    private func tx(_ phase: TrackedTransaction.Phase) -> TrackedTransaction {
        TrackedTransaction(
            phase: phase, hashes: [first], fees: fees, inclusion: phase == .submitted ? nil : inclusion,
            currentSignedAt: 1000, lastSentAt: 1000)
    }

    private func observe(head: UInt64, tagged: UInt64?) -> ChainObservation {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        return ChainObservation(
            head: head, now: 1001, receipts: [first: receipt], canonicalBlockHashes: [10: blockA],
            taggedBlock: tagged)
    }

    @Test func theDefaultFinalityIsTheConfirmationDepth() {
        #expect(policy(nil).finality == .blocks(2))
        #expect(
            tx(.mined).next(observe(head: 11, tagged: nil), policy: policy(nil))
                == [.recordConfirmed(inclusion, confirmations: 2)])
    }

    @Test func finalizedWaitsForTheTaggedBlockHoweverDeep() {
        let finalized = policy(.finalized)
        // 20 blocks deep, but the finalized block is below it: mined, not confirmed.
        #expect(
            tx(.submitted).next(observe(head: 29, tagged: 9), policy: finalized)
                == [.recordMined(inclusion, confirmations: 20)])
        #expect(tx(.mined).next(observe(head: 29, tagged: 9), policy: finalized).isEmpty)
        // No tagged block read (or none served): nothing is confirmed.
        #expect(tx(.mined).next(observe(head: 29, tagged: nil), policy: finalized).isEmpty)
        #expect(
            tx(.mined).next(observe(head: 18, tagged: 10), policy: finalized)
                == [.recordConfirmed(inclusion, confirmations: 9)])
    }

    @Test func aFinalizedConfirmationIsFinalAtOnce() {
        let finalized = policy(.finalized)
        #expect(tx(.confirmed).next(observe(head: 18, tagged: 10), policy: finalized) == [.recordFinal(inclusion)])
    }

    @Test func aSafeConfirmationIsStillWatchedUntilTheFinalDepth() {
        let safe = policy(.safe)
        #expect(
            tx(.mined).next(observe(head: 12, tagged: 10), policy: safe)
                == [.recordConfirmed(inclusion, confirmations: 3)])
        #expect(tx(.confirmed).next(observe(head: 12, tagged: 10), policy: safe).isEmpty)
        #expect(tx(.confirmed).next(observe(head: 73, tagged: 70), policy: safe) == [.recordFinal(inclusion)])
    }
}
