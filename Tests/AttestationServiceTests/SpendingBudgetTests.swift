import Ethereum
import Testing

@testable import AttestationService

/// The budget as a value: a ledger, the next anchor's worst case and the time in, a decision out.
struct SpendingBudgetTests {
    static let ether = UInt256(1_000_000_000_000_000_000)
    /// 2026-11-28 12:00:00 UTC.
    static let noon: Double = 1_795_867_200
    static let midnight = noon + 43_200

    func budget(_ limit: UInt256?, interval: Double = 0, offset: Double = 0) -> SpendingBudget {
        SpendingBudget(limitPerDay: limit, minimumInterval: interval, clockOffset: offset)
    }

    @Test func underTheLimitSigns() {
        let ledger = SpendingBudget.Ledger(mined: UInt256(40), inFlight: UInt256(20))
        #expect(budget(100).decide(ledger, nextAnchor: UInt256(39), now: Self.noon) == .sign)
    }

    @Test func exactlyAtTheLimitSignsAndOneWeiMoreWaitsUntilMidnight() {
        let ledger = SpendingBudget.Ledger(mined: UInt256(40), inFlight: UInt256(20))
        #expect(budget(100).decide(ledger, nextAnchor: UInt256(40), now: Self.noon) == .sign)
        #expect(
            budget(100).decide(ledger, nextAnchor: UInt256(41), now: Self.noon)
                == .wait(until: Self.midnight, reason: .budget))
    }

    @Test func theWorstCaseInFlightCountsLikeSpend() {
        // Nothing mined yet, but what is in flight may cost up to 90.
        let ledger = SpendingBudget.Ledger(mined: .zero, inFlight: UInt256(90))
        #expect(
            budget(100).decide(ledger, nextAnchor: UInt256(11), now: Self.noon)
                == .wait(until: Self.midnight, reason: .budget))
        // Once mined for less than its worst case, the rest of the room is free again.
        let mined = SpendingBudget.Ledger(mined: UInt256(30), inFlight: .zero)
        #expect(budget(100).decide(mined, nextAnchor: UInt256(11), now: Self.noon) == .sign)
    }

    @Test func aDayAlreadyFullWaitsBeforeAnyPrice() {
        let full = SpendingBudget.Ledger(mined: UInt256(100), inFlight: .zero)
        #expect(
            budget(100).decide(full, nextAnchor: nil, now: Self.noon) == .wait(until: Self.midnight, reason: .budget))
        let room = SpendingBudget.Ledger(mined: UInt256(99), inFlight: .zero)
        #expect(budget(100).decide(room, nextAnchor: nil, now: Self.noon) == .sign)
    }

    @Test func anAnchorAboveTheWholeBudgetSaysSo() {
        #expect(
            budget(100).decide(SpendingBudget.Ledger(), nextAnchor: UInt256(101), now: Self.noon)
                == .wait(until: Self.midnight, reason: .anchorAboveBudget))
    }

    @Test func theWorstCaseIsGasLimitTimesMaxFeeAndAReplacementSetCountsOnce() {
        // Three hashes at one nonce (20, 22.5, 25.3 gwei): only one is mined, so the
        // ledger holds the set once, at the newest (highest) max fee.
        let gwei = UInt256(1_000_000_000)
        let newest = UInt256(25_312_500_000)
        #expect(SpendingBudget.worstCase(gasLimit: 110_000, maxFeePerGas: newest) == UInt256(110_000) * newest)
        let ledger = SpendingBudget.Ledger(inFlight: SpendingBudget.worstCase(gasLimit: 110_000, maxFeePerGas: newest))
        let limit = UInt256(110_000) * newest + UInt256(110_000) * UInt256(20) * gwei
        #expect(
            budget(limit).decide(
                ledger, nextAnchor: SpendingBudget.worstCase(gasLimit: 110_000, maxFeePerGas: UInt256(20) * gwei),
                now: Self.noon) == .sign)
    }

    @Test func atMidnightTheNewDayStartsEmpty() {
        let budget = budget(100)
        #expect(budget.day(containing: Self.noon) == (Self.midnight - 86_400)..<Self.midnight)
        #expect(budget.day(containing: Self.midnight - 0.001).upperBound == Self.midnight)
        #expect(budget.day(containing: Self.midnight).lowerBound == Self.midnight)
        // Yesterday's mined fees are not in the new day's ledger; what is still in flight is.
        let newDay = SpendingBudget.Ledger(mined: .zero, inFlight: UInt256(30))
        #expect(budget.decide(newDay, nextAnchor: UInt256(70), now: Self.midnight) == .sign)
    }

    @Test func aClockOffsetMovesOnlyWhereMidnightFalls() {
        // The test clock runs 11 h 59 min ahead: its midnight is one minute after real noon.
        let offset = budget(100, offset: 43_140)
        #expect(offset.day(containing: Self.noon).upperBound == Self.noon + 60)
        #expect(
            offset.decide(SpendingBudget.Ledger(mined: UInt256(100)), nextAnchor: UInt256(1), now: Self.noon)
                == .wait(until: Self.noon + 60, reason: .budget))
    }

    @Test func theMinimumIntervalSpacesNewAnchors() {
        let spaced = budget(nil, interval: 600)
        let ledger = SpendingBudget.Ledger(lastAnchorAt: Self.noon - 100)
        #expect(
            spaced.decide(ledger, nextAnchor: UInt256(5), now: Self.noon)
                == .wait(until: Self.noon + 500, reason: .interval))
        #expect(spaced.decide(ledger, nextAnchor: UInt256(5), now: Self.noon + 500) == .sign)
        #expect(spaced.decide(SpendingBudget.Ledger(), nextAnchor: UInt256(5), now: Self.noon) == .sign)
    }

    @Test func zeroOrNoBudgetIsNoLimit() {
        let huge = SpendingBudget.Ledger(mined: UInt256.max, inFlight: UInt256.max)
        for none in [budget(nil), budget(.zero)] {
            #expect(!none.isActive)
            #expect(none.limitPerDay == nil)
            #expect(none.decide(huge, nextAnchor: UInt256.max, now: Self.noon) == .sign)
        }
    }

    @Test func amountsParseExactlyToWei() {
        #expect(SpendingBudget.parseAmount("0.05") == UInt256(50_000_000_000_000_000))
        #expect(SpendingBudget.parseAmount("1") == Self.ether)
        #expect(SpendingBudget.parseAmount("2.") == UInt256(2) * Self.ether)
        #expect(SpendingBudget.parseAmount(".5") == Self.ether / UInt256(2))
        #expect(SpendingBudget.parseAmount("0.000000000000000001") == UInt256(1))
        #expect(SpendingBudget.parseAmount("0") == .zero)
        for bad in ["", ".", "-1", "1e18", "0.0000000000000000001", "1.2.3", "0x10", "1,5", " ", "+1", "١"] {
            #expect(SpendingBudget.parseAmount(bad) == nil, "\(bad) should be refused")
        }
        #expect(SpendingBudget.formatAmount(UInt256(50_000_000_000_000_000)) == "0.05")
        #expect(SpendingBudget.formatAmount(Self.ether * UInt256(3)) == "3")
        #expect(SpendingBudget.formatAmount(UInt256(1)) == "0.000000000000000001")
        #expect(SpendingBudget.formatAmount(.zero) == "0")
    }
}
