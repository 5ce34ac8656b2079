import Attestation
import Ethereum
import EthereumRPC
import Testing

@testable import AttestationService

/// The fee choice per model: which market reading prices a transaction,
/// legacy prices against the floor and the ceiling, and the same +12.5%
/// replacement rule for legacy transactions.
struct FeeModelTests {
    let gwei = UInt256(1_000_000_000)

    @Test func autoFollowsTheChainsBaseFee() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500))
        #expect(policy.model == .auto)
        #expect(try policy.source(chainHasBaseFee: true) == .feeHistory)
        #expect(try policy.source(chainHasBaseFee: false) == .gasPrice)
    }

    @Test func legacyIsForcedEvenWhereABaseFeeExists() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500), model: .legacy)
        #expect(try policy.source(chainHasBaseFee: true) == .gasPrice)
        #expect(try policy.source(chainHasBaseFee: false) == .gasPrice)
    }

    @Test func eip1559OnAChainWithoutABaseFeeIsRefused() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500), model: .eip1559)
        #expect(try policy.source(chainHasBaseFee: true) == .feeHistory)
        #expect(throws: FeePolicy.ModelMismatch.self) { try policy.source(chainHasBaseFee: false) }
    }

    @Test func everyModelHasACommandLineName() {
        #expect(FeeModel.allCases.map(\.rawValue) == ["auto", "eip1559", "legacy"])
        #expect(FeeModel(rawValue: "legacy") == .legacy)
        #expect(FeeModel(rawValue: "1559") == nil)
    }

    @Test func aLegacyPriceIsTheNodesSuggestionAsOneFee() throws {
        let fees = try FeePolicy(ceiling: gwei * UInt256(500)).legacy(gasPrice: gwei * UInt256(3))
        #expect(fees == Fees(maxFeePerGas: gwei * UInt256(3), maxPriorityFeePerGas: gwei * UInt256(3), legacy: true))
        #expect(fees.description == "gasPrice=3000000000")
    }

    @Test func aLegacyPriceBelowTheFloorIsRaisedToIt() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500), model: .legacy, minimumPriorityFee: gwei * UInt256(30))
        let fees = try policy.legacy(gasPrice: gwei * UInt256(5))
        #expect(fees.maxFeePerGas == gwei * UInt256(30) && fees.legacy)
    }

    @Test func aLegacyPriceAboveTheCeilingIsRefused() {
        let policy = FeePolicy(ceiling: gwei * UInt256(10))
        #expect(throws: FeePolicy.CeilingTooLow.self) { try policy.legacy(gasPrice: gwei * UInt256(10) + UInt256(1)) }
        // A floor above the ceiling refuses too: the ceiling is never crossed.
        let floored = FeePolicy(ceiling: gwei * UInt256(10), minimumPriorityFee: gwei * UInt256(11))
        #expect(throws: FeePolicy.CeilingTooLow.self) { try floored.legacy(gasPrice: gwei) }
    }

    @Test func aDynamicTipBelowTheFloorIsRaisedToIt() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500), minimumPriorityFee: gwei * UInt256(30))
        let history = FeeHistory(
            oldestBlock: 1, baseFeePerGas: [gwei, gwei], gasUsedRatio: [0.5],
            reward: [[gwei * UInt256(2)]])
        let fees = try policy.fees(from: history)
        #expect(fees.maxPriorityFeePerGas == gwei * UInt256(30))
        #expect(fees.maxFeePerGas == gwei * UInt256(32) && !fees.legacy)
    }

    @Test func aLegacyReplacementRaisesTheGasPriceByTwelveAndAHalfPercent() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500), model: .legacy)
        let old = try policy.legacy(gasPrice: UInt256(1_000_000_001))
        let new = try #require(policy.bumped(old))
        #expect(new.legacy)
        #expect(new.maxFeePerGas == UInt256(1_125_000_002))  // 1,125,000,001.125 rounded up
        #expect(new.maxPriorityFeePerGas == new.maxFeePerGas)
    }

    @Test func aLegacyReplacementFollowsAHigherLegacyMarketButNotADynamicOne() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500))
        let old = try policy.legacy(gasPrice: gwei * UInt256(10))
        let market = try policy.legacy(gasPrice: gwei * UInt256(40))
        #expect(policy.bumped(old, market: market)?.maxFeePerGas == gwei * UInt256(40))
        let dynamic = Fees(maxFeePerGas: gwei * UInt256(90), maxPriorityFeePerGas: gwei * UInt256(9))
        let bumped = Fees(
            maxFeePerGas: UInt256(11_250_000_000), maxPriorityFeePerGas: UInt256(11_250_000_000),
            legacy: true)
        #expect(policy.bumped(old, market: dynamic) == bumped)
    }

    @Test func aLegacyReplacementPastTheCeilingIsRefused() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(100), model: .legacy)
        #expect(policy.bumped(try policy.legacy(gasPrice: gwei * UInt256(89))) == nil)
        #expect(policy.bumped(try policy.legacy(gasPrice: gwei * UInt256(88)))?.maxFeePerGas == UInt256(99_000_000_000))
    }

    /// The tracker replaces a stuck legacy transaction with a legacy one.
    @Test func theTrackerReplacesAStuckLegacyTransactionWithALegacyOne() throws {
        let policy = TrackingPolicy(
            confirmations: 2, replaceAfter: 60, rebroadcastAfter: 15,
            fees: FeePolicy(ceiling: gwei * UInt256(500), model: .legacy))
        let fees = try policy.fees.legacy(gasPrice: gwei * UInt256(8))
        let stuck = TrackedTransaction(
            phase: .submitted, nonce: 4, hashes: [[1]], fees: fees, currentSignedAt: 0,
            lastSentAt: 50)
        let observation = ChainObservation(
            head: 10, now: 61, minedNonce: 4, receipts: [:], canonicalBlockHashes: [:],
            market: try policy.fees.legacy(gasPrice: gwei * UInt256(8)))
        let actions = stuck.next(observation, policy: policy)
        #expect(
            actions == [
                .replace(
                    Fees(
                        maxFeePerGas: gwei * UInt256(9), maxPriorityFeePerGas: gwei * UInt256(9),
                        legacy: true))
            ])
    }
}
