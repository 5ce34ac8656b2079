import Attestation
import Ethereum

/// What one judging task keeps from case to case: the Merkle nodes it has
/// proven, and the anchor fields it parsed last. A batch's cases are
/// neighbours and spell the same root, transaction, block and contract, so
/// each is parsed once per run of equal text rather than once per case.
/// Not thread-safe: one per task.
final class JudgingMemo {
    let proofs = MerkleProofCache()
    @exclusivity(unchecked) private var roots = LastParsed<[UInt8]>()
    @exclusivity(unchecked) private var transactions = LastParsed<[UInt8]>()
    @exclusivity(unchecked) private var blocks = LastParsed<[UInt8]>()
    @exclusivity(unchecked) private var contracts = LastParsed<Address>()

    /// A 32-byte hash (`0x` and 64 hex digits); nil when malformed.
    func root(_ text: String) -> [UInt8]? { roots.value(of: text, Self.hash) }
    func transaction(_ text: String) -> [UInt8]? { transactions.value(of: text, Self.hash) }
    func block(_ text: String) -> [UInt8]? { blocks.value(of: text, Self.hash) }

    /// An address in either case; nil when malformed.
    func contract(_ text: String) -> Address? { contracts.value(of: text) { try? Address(hex: $0.lowercased()) } }

    private static func hash(_ text: String) -> [UInt8]? { try? ContentHash(hex: text).bytes }
}

/// The value parsed from the last text asked about.
private struct LastParsed<Value> {
    private var text: String?
    private var value: Value?

    mutating func value(of text: String, _ parse: (String) -> Value?) -> Value? {
        if text == self.text { return value }
        let parsed = parse(text)
        (self.text, value) = (text, parsed)
        return parsed
    }
}
