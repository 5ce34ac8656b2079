import Ethereum
import Testing

@testable import AttestationService

/// The tracking state machine with no I/O: observations in, actions out.
struct TransactionTrackingTests {
    let policy = TrackingPolicy(
        confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15,
        fees: FeePolicy(ceiling: UInt256(100_000_000_000)))
    let first: [UInt8] = Array(repeating: 0x01, count: 32)
    let second: [UInt8] = Array(repeating: 0x02, count: 32)
    let blockA: [UInt8] = Array(repeating: 0xAA, count: 32)
    let blockB: [UInt8] = Array(repeating: 0xBB, count: 32)
    let fees = Fees(maxFeePerGas: UInt256(10_000_000_000), maxPriorityFeePerGas: UInt256(1_000_000_000))

    private func tx(
        _ phase: TrackedTransaction.Phase, hashes: [[UInt8]]? = nil, inclusion: TrackedTransaction.Inclusion? = nil,
        signedAt: Double = 1000, sentAt: Double? = 1000
    ) -> TrackedTransaction {
        TrackedTransaction(
            phase: phase, hashes: hashes ?? [first], fees: fees, inclusion: inclusion,
            currentSignedAt: signedAt, lastSentAt: sentAt)
    }

    private func observe(
        head: UInt64, now: Double = 1001, receipts: [[UInt8]: ChainObservation.Receipt] = [:],
        canonical: [UInt64: [UInt8]] = [:]
    ) -> ChainObservation {
        ChainObservation(head: head, now: now, receipts: receipts, canonicalBlockHashes: canonical)
    }

    @Test func aSignedTransactionIsBroadcastFirst() {
        #expect(tx(.signed, sentAt: nil).next(observe(head: 10), policy: policy) == [.broadcast(hash: first)])
    }

    @Test func aReceiptInACanonicalBlockIsMinedThenConfirmedAtDepth() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let inclusion = TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
        let atOne = tx(.submitted).next(
            observe(head: 10, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
        #expect(atOne == [.recordMined(inclusion, confirmations: 1)])
        let mined = tx(.mined, inclusion: inclusion)
        #expect(
            mined.next(observe(head: 10, receipts: [first: receipt], canonical: [10: blockA]), policy: policy).isEmpty)
        #expect(
            mined.next(observe(head: 11, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
                == [.recordConfirmed(inclusion, confirmations: 2)])
    }

    @Test func aReceiptFromABlockNoLongerCanonicalDoesNotCount() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let actions = tx(.submitted, sentAt: 1000).next(
            observe(head: 12, receipts: [first: receipt], canonical: [10: blockB]), policy: policy)
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
        #expect(
            actions == [
                .recordConfirmed(
                    .init(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true), confirmations: 2)
            ])
    }

    @Test func aStuckTransactionIsReplacedWithHigherFees() throws {
        let actions = tx(.submitted, signedAt: 1000, sentAt: 1050).next(observe(head: 20, now: 1061), policy: policy)
        let bumped = try #require(policy.fees.bumped(fees))
        #expect(actions == [.replace(bumped)])
    }

    @Test func atTheCeilingItWaitsAndResendsInsteadOfReplacing() {
        let tight = TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15, fees: FeePolicy(ceiling: UInt256(10_000_000_000)))
        #expect(
            tx(.submitted, signedAt: 1000, sentAt: 1000).next(observe(head: 20, now: 1100), policy: tight)
                == [.stuckAtCeiling, .broadcast(hash: first)])
        #expect(
            tx(.submitted, signedAt: 1000, sentAt: 1095).next(observe(head: 20, now: 1100), policy: tight) == [
                .stuckAtCeiling
            ])
    }

    @Test func unminedBytesAreResentPeriodically() {
        #expect(
            tx(.submitted, signedAt: 1000, sentAt: 1000).next(observe(head: 20, now: 1016), policy: policy) == [
                .broadcast(hash: first)
            ])
        #expect(tx(.submitted, signedAt: 1000, sentAt: 1010).next(observe(head: 20, now: 1016), policy: policy).isEmpty)
    }

    @Test func aRevertAtDepthIsRecordedAsSuch() {
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: false)
        let actions = tx(.submitted).next(
            observe(head: 11, receipts: [first: receipt], canonical: [10: blockA]), policy: policy)
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
        let ours = ChainObservation(
            head: 20, now: 1001, minedNonce: 8, receipts: [first: receipt], canonicalBlockHashes: [19: blockA])
        #expect(
            waiting.next(ours, policy: policy)
                == [
                    .recordConfirmed(
                        .init(hash: first, blockNumber: 19, blockHash: blockA, succeeded: true), confirmations: 2)
                ])
    }

    @Test func finalPhasesNeedNothing() {
        #expect(tx(.final).next(observe(head: 100, now: 99_999), policy: policy).isEmpty)
        #expect(tx(.failed).next(observe(head: 100, now: 99_999), policy: policy).isEmpty)
    }

    // MARK: - Followed until final

    @Test func aConfirmedTransactionIsWatchedUntilTheFinalityDepth() {
        let deep = TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15, fees: policy.fees, finalityDepth: 10)
        let receipt = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let inclusion = TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
        let confirmed = tx(.confirmed, inclusion: inclusion)
        #expect(
            confirmed.next(observe(head: 18, receipts: [first: receipt], canonical: [10: blockA]), policy: deep).isEmpty
        )
        #expect(
            confirmed.next(observe(head: 19, receipts: [first: receipt], canonical: [10: blockA]), policy: deep)
                == [.recordFinal(inclusion)])
    }

    @Test func aReorgDeeperThanTheConfirmationsIsSeenAndReanchored() {
        let inclusion = TrackedTransaction.Inclusion(hash: first, blockNumber: 10, blockHash: blockA, succeeded: true)
        // The block at 10 is now another one and our receipt is gone.
        let actions = tx(.confirmed, inclusion: inclusion).next(
            observe(head: 14, canonical: [10: blockB]), policy: policy)
        #expect(actions == [.recordReorg(previous: inclusion), .broadcast(hash: first)])
        // Mined again elsewhere: confirmed again with the new block.
        let again = ChainObservation.Receipt(blockNumber: 12, blockHash: blockB, succeeded: true)
        let moved = TrackedTransaction.Inclusion(hash: first, blockNumber: 12, blockHash: blockB, succeeded: true)
        #expect(
            tx(.confirmed, inclusion: inclusion).next(
                observe(head: 14, receipts: [first: again], canonical: [12: blockB]),
                policy: policy) == [.recordConfirmed(moved, confirmations: 3)])
    }

    // MARK: - Refusals

    private func refused(_ kind: RefusalKind, count: Int = 1, at: Double = 1000) -> TrackedTransaction {
        var transaction = tx(.signed, sentAt: at)
        transaction.refusal = .init(kind: kind, count: count, at: at)
        return transaction
    }

    @Test func aFeeRefusalOnTheFirstSendIsRepricedAtLeastAtTheMarket() throws {
        let market = Fees(maxFeePerGas: UInt256(30_000_000_000), maxPriorityFeePerGas: UInt256(2_000_000_000))
        let observation = ChainObservation(
            head: 20, now: 1001, receipts: [:], canonicalBlockHashes: [:], market: market)
        let actions = refused(.feeTooLow).next(observation, policy: policy)
        let repriced = try #require(policy.fees.bumped(fees, market: market))
        #expect(actions == [.replace(repriced)])
        #expect(
            repriced.maxFeePerGas >= market.maxFeePerGas && repriced.maxPriorityFeePerGas >= market.maxPriorityFeePerGas
        )
    }

    @Test func aFeeRefusalAboveTheCeilingWaitsAtTheCeiling() {
        let tight = TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15, fees: FeePolicy(ceiling: UInt256(10_000_000_000)))
        #expect(refused(.feeTooLow).next(observe(head: 20), policy: tight) == [.stuckAtCeiling])
    }

    @Test func otherRefusalsAreRetriedThenSignedAnew() throws {
        #expect(refused(.other, count: 1, at: 1000).next(observe(head: 20, now: 1005), policy: policy).isEmpty)
        #expect(
            refused(.other, count: 1, at: 1000).next(observe(head: 20, now: 1016), policy: policy) == [
                .broadcast(hash: first)
            ])
        let resigned = refused(.other, count: 3).next(observe(head: 20, now: 1016), policy: policy)
        #expect(resigned == [.replace(try #require(policy.fees.bumped(fees)))])
    }

    @Test func fundsRefusalsWaitAndResendWithoutReSigning() {
        #expect(
            refused(.insufficientFunds, count: 9).next(observe(head: 20, now: 1016), policy: policy) == [
                .broadcast(hash: first)
            ])
    }

    @Test func refusalsAreClassifiedFromNodeMessages() {
        #expect(
            RefusalKind(message: "max fee per gas less than block base fee: address 0x.., maxFeePerGas: 1")
                == .feeTooLow)
        #expect(RefusalKind(message: "transaction underpriced") == .feeTooLow)
        #expect(RefusalKind(message: "insufficient funds for gas * price + value") == .insufficientFunds)
        #expect(RefusalKind(message: "nonce too low: next nonce 5, tx nonce 4") == .nonceTooLow)
        #expect(RefusalKind(message: "invalid sender") == .other)
    }

    /// One transaction's whole life: refused, re-priced, sent, mined,
    /// confirmed, reorged out after confirmation, mined again, final.
    @Test func theSequenceOfStatesOfATransactionThatMeetsEveryFault() throws {
        let deep = TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15, fees: policy.fees, finalityDepth: 6)
        var state = tx(.signed, sentAt: nil)
        #expect(state.next(observe(head: 5), policy: deep) == [.broadcast(hash: first)])
        state.refusal = .init(kind: .feeTooLow, count: 1, at: 1001)
        guard case .replace(let repriced)? = state.next(observe(head: 5), policy: deep).first else {
            Issue.record("a refused first send must be re-priced")
            return
        }
        state.hashes.append(second)
        state.fees = repriced
        state.refusal = nil
        state.currentSignedAt = 1002
        #expect(state.next(observe(head: 5, now: 1002), policy: deep) == [.broadcast(hash: second)])
        state.phase = .submitted
        state.lastSentAt = 1002
        let minedAt10 = ChainObservation.Receipt(blockNumber: 10, blockHash: blockA, succeeded: true)
        let inclusion = TrackedTransaction.Inclusion(hash: second, blockNumber: 10, blockHash: blockA, succeeded: true)
        #expect(
            state.next(observe(head: 10, receipts: [second: minedAt10], canonical: [10: blockA]), policy: deep)
                == [.recordMined(inclusion, confirmations: 1)])
        state.phase = .mined
        state.inclusion = inclusion
        #expect(
            state.next(observe(head: 11, receipts: [second: minedAt10], canonical: [10: blockA]), policy: deep)
                == [.recordConfirmed(inclusion, confirmations: 2)])
        state.phase = .confirmed
        #expect(
            state.next(observe(head: 13, canonical: [10: blockB]), policy: deep)
                == [.recordReorg(previous: inclusion), .broadcast(hash: second)])
        state.phase = .submitted
        state.inclusion = nil
        let minedAt14 = ChainObservation.Receipt(blockNumber: 14, blockHash: blockB, succeeded: true)
        let again = TrackedTransaction.Inclusion(hash: second, blockNumber: 14, blockHash: blockB, succeeded: true)
        #expect(
            state.next(observe(head: 15, receipts: [second: minedAt14], canonical: [14: blockB]), policy: deep)
                == [.recordConfirmed(again, confirmations: 2)])
        state.phase = .confirmed
        state.inclusion = again
        #expect(
            state.next(observe(head: 19, receipts: [second: minedAt14], canonical: [14: blockB]), policy: deep)
                == [.recordFinal(again)])
    }
}
