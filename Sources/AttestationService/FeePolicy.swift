import Ethereum
import EthereumRPC

/// Fees of one signed transaction. `legacy` chains (no base fee) take a
/// single gas price, kept in `maxFeePerGas`.
public struct Fees: Sendable, Hashable, CustomStringConvertible {
    public var maxFeePerGas: UInt256
    public var maxPriorityFeePerGas: UInt256
    public var legacy: Bool

    public init(maxFeePerGas: UInt256, maxPriorityFeePerGas: UInt256, legacy: Bool = false) {
        self.maxFeePerGas = maxFeePerGas
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.legacy = legacy
    }

    public var description: String {
        legacy ? "gasPrice=\(maxFeePerGas)" : "maxFee=\(maxFeePerGas) tip=\(maxPriorityFeePerGas)"
    }
}

/// How the daemon prices its transactions: EIP-1559 from `eth_feeHistory`
/// (the next block's base fee with headroom, a percentile of recent tips),
/// a ceiling that is never exceeded, and replacement bumps nodes accept.
public struct FeePolicy: Sendable, Hashable {
    /// Wei per gas that no transaction of ours ever offers.
    public var ceiling: UInt256
    /// Multiplier on the next base fee: 2 survives six full blocks of growth.
    public var baseFeeHeadroom: UInt64 = 2
    /// Which reward percentile of recent blocks sets the tip.
    public var priorityPercentile: Double = 50
    public var minimumPriorityFee: UInt256 = UInt256(1_000_000_000)
    /// Replacements raise both fees by at least this much (nodes require 10%).
    public var bumpNumerator: UInt64 = 1125
    public var bumpDenominator: UInt64 = 1000

    public init(ceiling: UInt256) {
        self.ceiling = ceiling
    }

    public struct CeilingTooLow: Error, CustomStringConvertible {
        public let needed: UInt256
        public let ceiling: UInt256
        public var description: String { "the network needs \(needed) wei/gas, above the ceiling of \(ceiling) wei/gas" }
    }

    /// Fees for a new transaction, from fee history (one reward percentile).
    public func fees(from history: FeeHistory) throws(CeilingTooLow) -> Fees {
        guard let nextBase = history.baseFeePerGas.last else {
            return try legacy(gasPrice: minimumPriorityFee)
        }
        let tips = history.reward.compactMap(\.first).sorted()
        let tip = Swift.max(tips.isEmpty ? minimumPriorityFee : tips[tips.count / 2], minimumPriorityFee)
        let wanted = nextBase.saturatingTimes(UInt256(baseFeeHeadroom)).saturatingPlus(tip)
        if wanted <= ceiling {
            return Fees(maxFeePerGas: wanted, maxPriorityFeePerGas: tip)
        }
        // Less headroom is still includable while base fee + tip fits.
        guard nextBase.saturatingPlus(tip) <= ceiling else { throw CeilingTooLow(needed: nextBase.saturatingPlus(tip), ceiling: ceiling) }
        return Fees(maxFeePerGas: ceiling, maxPriorityFeePerGas: tip)
    }

    /// Fees for a chain without a base fee: one gas price.
    public func legacy(gasPrice: UInt256) throws(CeilingTooLow) -> Fees {
        guard gasPrice <= ceiling else { throw CeilingTooLow(needed: gasPrice, ceiling: ceiling) }
        return Fees(maxFeePerGas: gasPrice, maxPriorityFeePerGas: gasPrice, legacy: true)
    }

    /// The replacement for a stuck transaction: both fees up by at least
    /// 12.5% (rounded up) and at least the market's; nil when that would
    /// cross the ceiling, because the ceiling is never exceeded.
    public func bumped(_ old: Fees, market: Fees? = nil) -> Fees? {
        func bump(_ value: UInt256) -> UInt256 {
            let scaled = value.saturatingTimes(UInt256(bumpNumerator)).saturatingPlus(UInt256(bumpDenominator - 1))
            return Swift.max(scaled / UInt256(bumpDenominator), value.saturatingPlus(UInt256(1)))
        }
        var maxFee = bump(old.maxFeePerGas)
        var tip = old.legacy ? maxFee : bump(old.maxPriorityFeePerGas)
        if let market, market.legacy == old.legacy {
            maxFee = Swift.max(maxFee, market.maxFeePerGas)
            tip = Swift.max(tip, old.legacy ? maxFee : market.maxPriorityFeePerGas)
        }
        guard maxFee <= ceiling else { return nil }
        return Fees(maxFeePerGas: maxFee, maxPriorityFeePerGas: Swift.min(tip, maxFee), legacy: old.legacy)
    }
}

extension UInt256 {
    /// Fee arithmetic on numbers a node sent: saturate instead of trapping,
    /// so a hostile answer is refused by the ceiling, not a crash.
    func saturatingTimes(_ other: UInt256) -> UInt256 {
        let (value, overflow) = multipliedReportingOverflow(by: other)
        return overflow ? .max : value
    }

    func saturatingPlus(_ other: UInt256) -> UInt256 {
        let (value, overflow) = addingReportingOverflow(other)
        return overflow ? .max : value
    }
}
