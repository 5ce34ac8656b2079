import Ethereum
import Foundation

/// The daily spending budget and the spacing of anchors: the one place that
/// decides whether a NEW anchor may be signed now (docs/spending-budget.md).
/// Everything already sent (tracking, replacements, re-sends, confirmation)
/// goes on regardless: a held-back replacement would leave its nonce stuck
/// and every later anchor behind it.
///
/// What counts against a UTC day: the fee of every transaction of the
/// signer's key mined that day (`gasUsed x effectiveGasPrice` from its
/// receipt: anchors, cancels and operator transactions alike), plus the
/// worst case of every transaction still in flight (signed, not yet mined:
/// gas limit x its highest max fee). The hashes of a replacement set share a
/// nonce, so only one is ever mined: the set counts once, at the newest
/// (highest) price. A new anchor is signed only if the day's count plus its
/// own worst case stays within the limit, so new anchors never take the day
/// over the budget; a replacement raising the price of one in flight may.
public struct SpendingBudget: Sendable, Hashable {
    /// Wei per UTC day; nil or zero: no limit.
    public var limitPerDay: UInt256?
    /// Seconds that must pass between two new anchors; 0: no spacing.
    public var minimumInterval: Double
    /// TEST ONLY (CASEATTEST_TEST_CLOCK_OFFSET): seconds added to the clock
    /// when finding the UTC day, so a test reaches midnight without waiting a
    /// day. 0 in every deployment.
    public var clockOffset: Double

    public init(limitPerDay: UInt256? = nil, minimumInterval: Double = 0, clockOffset: Double = 0) {
        self.limitPerDay = limitPerDay == .zero ? nil : limitPerDay
        self.minimumInterval = max(0, minimumInterval)
        self.clockOffset = clockOffset
    }

    /// What the day has used so far, as the database tells it.
    public struct Ledger: Sendable, Hashable {
        /// Fees of the signer's transactions mined this UTC day.
        public var mined: UInt256
        /// Worst case of the signer's transactions signed and not yet mined.
        public var inFlight: UInt256
        /// When the last new anchor was signed (seconds since the epoch).
        public var lastAnchorAt: Double?

        public init(mined: UInt256 = .zero, inFlight: UInt256 = .zero, lastAnchorAt: Double? = nil) {
            self.mined = mined
            self.inFlight = inFlight
            self.lastAnchorAt = lastAnchorAt
        }

        public var committed: UInt256 { mined.saturatingPlus(inFlight) }
    }

    public enum Reason: String, Sendable, Hashable {
        /// The day's spend plus the next anchor's worst case would pass the limit.
        case budget
        /// One anchor's worst case alone is above the whole daily limit.
        case anchorAboveBudget = "anchor_above_budget"
        /// The last anchor was signed less than the minimum interval ago.
        case interval
    }

    public enum Decision: Sendable, Hashable {
        case sign
        /// Not before `until` (for the budget: midnight at the latest; sooner
        /// when transactions in flight are mined for less than their worst case).
        case wait(until: Double, reason: Reason)
    }

    /// Whether a budget or a spacing applies at all.
    public var isActive: Bool { limitPerDay != nil || minimumInterval > 0 }

    /// The UTC day holding `now`, as real seconds since the epoch.
    public func day(containing now: Double) -> Range<Double> {
        let start = ((now + clockOffset) / 86_400).rounded(.down) * 86_400 - clockOffset
        return start..<(start + 86_400)
    }

    /// The most a transaction can cost: every unit of its gas limit at its max fee (or gas price).
    public static func worstCase(gasLimit: UInt64, maxFeePerGas: UInt256) -> UInt256 {
        UInt256(gasLimit).saturatingTimes(maxFeePerGas)
    }

    /// May a new anchor costing at most `nextAnchor` be signed now? nil:
    /// not priced yet (checked before asking the node; any anchor costs
    /// something, so a day already at its limit waits without a price).
    public func decide(_ ledger: Ledger, nextAnchor: UInt256?, now: Double) -> Decision {
        if let limit = limitPerDay {
            let midnight = day(containing: now).upperBound
            let cost = nextAnchor ?? UInt256(1)
            if cost > limit { return .wait(until: midnight, reason: .anchorAboveBudget) }
            if ledger.committed.saturatingPlus(cost) > limit { return .wait(until: midnight, reason: .budget) }
        }
        if minimumInterval > 0, let last = ledger.lastAnchorAt, now < last + minimumInterval {
            return .wait(until: last + minimumInterval, reason: .interval)
        }
        return .sign
    }
}

// MARK: - Amounts as operators write them

extension SpendingBudget {
    /// "0.05", "1", "12.000000000000000001": a decimal amount of the chain's
    /// native unit (18 decimals) in wei, exactly; nil for anything else
    /// (negative, exponent, more than 18 decimals, above 2^256).
    public static func parseAmount(_ text: String, decimals: Int = 18) -> UInt256? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first else { return nil }
        let fraction = parts.count == 2 ? parts[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), fraction.count <= decimals,
            (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber })
        else { return nil }
        let digits =
            (whole.isEmpty ? "0" : String(whole)) + fraction + String(repeating: "0", count: decimals - fraction.count)
        return try? UInt256(decimal: digits)
    }

    /// Wei as a decimal amount of the native unit, exact, without trailing zeros ("0.05", "1", "0").
    public static func formatAmount(_ wei: UInt256, decimals: Int = 18) -> String {
        let digits = wei.description
        let padded = String(repeating: "0", count: max(0, decimals + 1 - digits.count)) + digits
        let whole = padded.dropLast(decimals)
        var fraction = padded.suffix(decimals)
        while fraction.last == "0" { fraction = fraction.dropLast() }
        return fraction.isEmpty ? String(whole) : "\(whole).\(fraction)"
    }
}
