import Ethereum
import Testing
@testable import AttestationService

/// The tracking state machine with no I/O: observations in, actions out.
struct TransactionTrackingTests {
    let policy = TrackingPolicy(confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15,
                                fees: FeePolicy(ceiling: UInt256(100_000_000_000)))
    let first: [UInt8] = Array(repeating: 0x01, count: 32)
    let second: [UInt8] = Array(repeating: 0x02, count: 32)
    let blockA: [UInt8] = Array(repeating: 0xAA, count: 32)
    let blockB: [UInt8] = Array(repeating: 0xBB, count: 32)
    let fees = Fees(maxFeePerGas: UInt256(10_000_000_000), maxPriorityFeePerGas: UInt256(1_000_000_000))

    private func tx(_ phase: TrackedTransaction.Phase, hashes: [[UInt8]]? = nil, inclusion: TrackedTransaction.Inclusion? = nil,
                    signedAt: Double = 1000, sentAt: Double? = 1000) -> TrackedTransaction {
        TrackedTransaction(phase: phase, hashes: hashes ?? [first], fees: fees, inclusion: inclusion,
                           currentSignedAt: signedAt, lastSentAt: sentAt)
    }

    private func observe(head: UInt64, now: Double = 1001, receipts: [[UInt8]: ChainObservation.Receipt] = [:],
                         canonical: [UInt64: [UInt8]] = [:]) -> ChainObservation {
        ChainObservation(head: head, now: now, receipts: receipts, canonicalBlockHashes: canonical)
    }

    @Test func aSignedTransactionIsBroadcastFirst() {
        #expect(tx(.signed, sentAt: nil).next(observe(head: 10), policy: policy) == [.broadcast(hash: first)])
    }

    @Test func aReceiptInACanonicalBlockIsMinedThenConfirmedAtDepth() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let inclusion = TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
        let atOne = tx(.submitted).next(observe(head: 10, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
        #expect(atOne == [.recordMined(inclusion, confirmations: 1)])
        let mined = tx(.mined, inclusion: inclusion)
        #expect(mined.next(observe(head: 10, receipts: [first: receipt], canonical: [10: blockA]), policy: policy).isEmpty)
        #expect(mined.next(observe(head: 11, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
            == [.recordConfirmed(inclusion, confirmations: 2)])
    }

    @Test func aReceiptFromABlockNoLongerCanonicalDoesNotCount() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let actions = tx(.submitted, sentAt: 1000).next(observe(head: 12, receipts: [first: receipt], canonical: [10: blockB]), policy: policy)
        #expect(actions.isEmpty)
    }

    @Test func aReorgGoesBackToSubmittedAndResendsTheMinedBytes() {
        let inclusion = TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
        let actions = tx(.mined, hashes: [first, second], inclusion: inclusion).next(observe(head: 11), policy: policy)
        #expect(actions == [.recordReorg(previous: inclusion), .broadcast(hash: first)])
    }

    @Test func anyOfTheHashesMayBeTheOneMined() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let actions = tx(.submitted, hashes: [first, second]).next(
            observe(head: 11, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
        #expect(actions == [.recordConfirmed(.init(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true), confirmations: 2)])
    }

    @Test func aStuckTransactionIsReplacedWithHigherFees() throws {
        let actions = tx(.submitted, signedAt: 1000, sentAt: 1050).next(observe(head: 20, now: 1061), policy: policy)
        let bumped = try #require(policy.fees.bumped(fees))
        #expect(actions == [.replace(bumped)])
    }

    @Test func atTheCeilingItWaitsAndResendsInsteadOfReplacing() {
        let tight = TrackingPolicy(confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15, fees: FeePolicy(ceiling: UInt256(10_000_000_000)))
        #expect(tx(.submitted, signedAt: 1000, sentAt: 1000).next(observe(head: 20, now: 1100), policy: tight)
            == [.stuckAtCeiling, .broadcast(hash: first)])
        #expect(tx(.submitted, signedAt: 1000, sentAt: 1095).next(observe(head: 20, now: 1100), policy: tight) == [.stuckAtCeiling])
    }

    @Test func unminedBytesAreResentPeriodically() {
        #expect(tx(.submitted, signedAt: 1000, sentAt: 1000).next(observe(head: 20, now: 1016), policy: policy) == [.broadcast(hash: first)])
        #expect(tx(.submitted, signedAt: 1000, sentAt: 1010).next(observe(head: 20, now: 1016), policy: policy).isEmpty)
    }

    @Test func aRevertAtDepthIsRecordedAsSuch() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: false)
        let actions = tx(.submitted).next(observe(head: 11, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
        #expect(actions == [.recordReverted(.init(hash: first, blockNumber: 10, blockHash: blockA, succeeded: false))])
    }

    @Test func aNonceTakenByAnotherTransactionIsReported() {
        var waiting = tx(.submitted)
        waiting.nonce = 7
        let taken = ChainObservation(head: 20, now: 1001, minedNonce: 8, receipts: [:], canonicalBlockHashes: [:])
        #expect(waiting.next(taken, policy: policy) == [.nonceUsedElsewhere])
        let notYet = ChainObservation(head: 20, now: 1001, minedNonce: 7, receipts: [:], canonicalBlockHashes: [:])
        #expect(waiting.next(notYet, policy: policy).isEmpty)
        // Our own receipt explains a higher nonce: no alarm.
        let receipt = ChainObservation.Receipt(blockNumber: 19, blockHash: blockA, succeeded: true)
        let ours = ChainObservation(head: 20, now: 1001, minedNonce: 8, receipts: [first: receipt], canonicalBlockHashes: [19: blockA])
        #expect(waiting.next(ours, policy: policy)
            == [.recordConfirmed(.init(hash: first, blockNumber: 19, blockHash: blockA, succeeded: true), confirmations: 2)])
    }

    @Test func finalPhasesNeedNothing() {
        #expect(tx(.confirmed).next(observe(head: 100, now: 99_999), policy: policy).isEmpty)
        #expect(tx(.failed).next(observe(head: 100, now: 99_999), policy: policy).isEmpty)
    }
}
