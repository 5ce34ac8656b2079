import Attestation
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

/// Which market reading prices a new transaction.
public enum FeeSource: Sendable, Hashable {
    /// `eth_feeHistory`: the next base fee and recent tips (EIP-1559).
    case feeHistory
    /// `eth_gasPrice`: one price (legacy).
    case gasPrice
}

/// How the daemon prices its transactions: EIP-1559 from `eth_feeHistory`
/// (the next block's base fee with headroom, a percentile of recent tips) or
/// legacy from `eth_gasPrice`, chosen by `model`; a ceiling that is never
/// exceeded, and replacement bumps nodes accept, the same for both kinds.
public struct FeePolicy: Sendable, Hashable {
    /// Wei per gas that no transaction of ours ever offers.
    public var ceiling: UInt256
    public var model: FeeModel = .auto
    /// Multiplier on the next base fee: 2 survives six full blocks of growth.
    public var baseFeeHeadroom: UInt64 = 2
    /// Which reward percentile of recent blocks sets the tip.
    public var priorityPercentile: Double = 50
    /// The chain's floor (Polygon PoS refuses tips under its own): no tip, and
    /// no legacy gas price, of ours is below it, whatever the node suggests.
    public var minimumPriorityFee: UInt256 = UInt256(1_000_000_000)
    /// Replacements raise both fees by at least this much (nodes require 10%).
    public var bumpNumerator: UInt64 = 1125
    public var bumpDenominator: UInt64 = 1000

    public init(ceiling: UInt256, model: FeeModel = .auto, minimumPriorityFee: UInt256? = nil) {
        self.ceiling = ceiling
        self.model = model
        if let minimumPriorityFee { self.minimumPriorityFee = minimumPriorityFee }
    }

    /// EIP-1559 forced on a chain whose blocks have no base fee: its nodes
    /// refuse every transaction we could sign, so nothing is signed.
    public struct ModelMismatch: Error, CustomStringConvertible {
        public var description: String {
            "the fee model is eip1559 but the chain's blocks have no base fee: use --fee-model legacy or auto"
        }
    }

    /// Where a new transaction's price comes from, given whether the latest
    /// block has a base fee (the one fact that tells the two kinds of chain).
    public func source(chainHasBaseFee: Bool) throws(ModelMismatch) -> FeeSource {
        switch model {
        case .auto: return chainHasBaseFee ? .feeHistory : .gasPrice
        case .legacy: return .gasPrice
        case .eip1559:
            guard chainHasBaseFee else { throw ModelMismatch() }
            return .feeHistory
        }
    }

    public struct CeilingTooLow: Error, CustomStringConvertible {
        public let needed: UInt256
        public let ceiling: UInt256
        public var description: String {
            "the network needs \(needed) wei/gas, above the ceiling of \(ceiling) wei/gas"
        }
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
        guard nextBase.saturatingPlus(tip) <= ceiling else {
            throw CeilingTooLow(needed: nextBase.saturatingPlus(tip), ceiling: ceiling)
        }
        return Fees(maxFeePerGas: ceiling, maxPriorityFeePerGas: tip)
    }

    /// Fees for a legacy transaction: the node's suggested gas price (never
    /// below the floor), one price that is both cap and tip.
    public func legacy(gasPrice suggested: UInt256) throws(CeilingTooLow) -> Fees {
        let gasPrice = Swift.max(suggested, minimumPriorityFee)
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
