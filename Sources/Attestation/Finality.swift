/// The point at which an anchor counts as confirmed: a number of blocks on
/// top of it (including its own), or the node's `safe` or `finalized` block
/// (proof-of-stake chains: the honest answer is the consensus layer's).
public enum Finality: Sendable, Hashable, CustomStringConvertible {
    case blocks(UInt64)
    case safe
    case finalized

    public struct ParseError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The finality a command uses: `--finality`, else an explicit
    /// `--confirmations N` (blocks:N), else the chain profile's, else blocks:2.
    /// The daemon, `verify` and `verify-receipt` all choose by this rule.
    public static func resolved(explicit: Finality?, confirmations: UInt64?, profile: ChainProfile?) -> Finality {
        explicit ?? confirmations.map { .blocks($0) } ?? profile?.finality ?? .blocks(2)
    }

    /// `blocks:N` (N >= 1), `safe` or `finalized`.
    public init(parsing text: String) throws(ParseError) {
        switch text {
        case "safe": self = .safe
        case "finalized": self = .finalized
        default:
            guard text.hasPrefix("blocks:"), let count = UInt64(text.dropFirst("blocks:".count)), count >= 1 else {
                throw ParseError(description: "finality must be blocks:N (N >= 1), safe or finalized")
            }
            self = .blocks(count)
        }
    }

    public var description: String {
        switch self {
        case .blocks(let count): "blocks:\(count)"
        case .safe: "safe"
        case .finalized: "finalized"
        }
    }

    /// The block tag whose number must be read from the node; nil for a depth.
    public var tag: String? {
        switch self {
        case .blocks: nil
        case .safe: "safe"
        case .finalized: "finalized"
        }
    }

    /// Whether a block at `blockNumber` is confirmed: `blocks:N` counts from
    /// `head`; a tag needs the block at or below the tag's block
    /// (`taggedBlock`; nil, not read or not served, confirms nothing).
    public func confirms(blockNumber: UInt64, head: UInt64, taggedBlock: UInt64?) -> Bool {
        switch self {
        case .blocks(let count):
            return head >= blockNumber && head - blockNumber + 1 >= count
        case .safe, .finalized:
            guard let taggedBlock else { return false }
            return blockNumber <= taggedBlock
        }
    }

    /// Why a block is not confirmed yet, for a verdict's reason.
    public func shortfall(blockNumber: UInt64, head: UInt64, taggedBlock: UInt64?) -> String {
        switch self {
        case .blocks(let count):
            let depth = head >= blockNumber ? head - blockNumber + 1 : 0
            return "block \(blockNumber) has \(depth) of \(count) confirmations"
        case .safe, .finalized:
            let at = taggedBlock.map { "block \($0)" } ?? "no block"
            return "block \(blockNumber) is not \(self) yet (the node's \(self) block is \(at))"
        }
    }
}
