import Ethereum
import EthereumRPC
import Testing

@testable import AttestationService

struct FeePolicyTests {
    let gwei = UInt256(1_000_000_000)

    private func history(nextBase: UInt256, tips: [UInt256]) -> FeeHistory {
        FeeHistory(
            oldestBlock: 1, baseFeePerGas: Array(repeating: nextBase, count: tips.count) + [nextBase],
            gasUsedRatio: tips.map { _ in 0.5 }, reward: tips.map { [$0] })
    }

    @Test func newFeesAreTwiceTheNextBaseFeePlusTheMedianTip() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500))
        let fees = try policy.fees(
            from: history(nextBase: gwei * UInt256(10), tips: [gwei, gwei * UInt256(3), gwei * UInt256(2)]))
        #expect(fees.maxPriorityFeePerGas == gwei * UInt256(2))
        #expect(fees.maxFeePerGas == gwei * UInt256(22))
    }

    @Test func tipsBelowTheMinimumAreRaised() throws {
        let fees = try FeePolicy(ceiling: gwei * UInt256(500)).fees(from: history(nextBase: gwei, tips: [UInt256(1)]))
        #expect(fees.maxPriorityFeePerGas == gwei)
    }

    @Test func theCeilingLimitsHeadroomAndRefusesWhenEvenTheBaseFeeIsAbove() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(15))
        let fees = try policy.fees(from: history(nextBase: gwei * UInt256(10), tips: [gwei]))
        #expect(fees.maxFeePerGas == gwei * UInt256(15))
        #expect(throws: FeePolicy.CeilingTooLow.self) {
            try policy.fees(from: history(nextBase: gwei * UInt256(20), tips: [gwei]))
        }
    }

    @Test func hostileBaseFeesSaturateInsteadOfTrapping() {
        #expect(throws: FeePolicy.CeilingTooLow.self) {
            try FeePolicy(ceiling: gwei).fees(from: history(nextBase: .max, tips: [.max]))
        }
    }

    @Test func replacementsRaiseBothFeesByAtLeastTwelveAndAHalfPercent() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500))
        let old = Fees(maxFeePerGas: UInt256(1_000_000_001), maxPriorityFeePerGas: UInt256(7))
        let new = try #require(policy.bumped(old))
        #expect(new.maxFeePerGas * UInt256(1000) >= old.maxFeePerGas * UInt256(1125))
        #expect(new.maxPriorityFeePerGas * UInt256(1000) >= old.maxPriorityFeePerGas * UInt256(1125))
        #expect(new.maxPriorityFeePerGas == UInt256(8))  // 7 * 1.125 = 7.875, rounded up
    }

    @Test func aBumpPastTheCeilingIsRefused() {
        let policy = FeePolicy(ceiling: gwei * UInt256(100))
        #expect(policy.bumped(Fees(maxFeePerGas: gwei * UInt256(95), maxPriorityFeePerGas: gwei)) == nil)
        #expect(policy.bumped(Fees(maxFeePerGas: gwei * UInt256(88), maxPriorityFeePerGas: gwei)) != nil)
    }

    @Test func aBumpFollowsAHigherMarket() throws {
        let policy = FeePolicy(ceiling: gwei * UInt256(500))
        let old = Fees(maxFeePerGas: gwei * UInt256(10), maxPriorityFeePerGas: gwei)
        let market = Fees(maxFeePerGas: gwei * UInt256(40), maxPriorityFeePerGas: gwei * UInt256(3))
        let new = try #require(policy.bumped(old, market: market))
        #expect(new == Fees(maxFeePerGas: gwei * UInt256(40), maxPriorityFeePerGas: gwei * UInt256(3)))
    }
}
