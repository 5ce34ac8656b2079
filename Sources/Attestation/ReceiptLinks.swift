import Ethereum

/// A receipt's explorer pages (the transaction, the registry), from the
/// issuer's chain profile, for the people who read the file.
///
/// Informational, never evidence: no hash covers them and no verdict depends
/// on them. An explorer is a third party's view of the chain, and whoever
/// wrote the receipt chose the link (as with its `contract`), so a verifier
/// asks its own node, and shows its own profile's links if any. A receipt's
/// links are held to one rule only: each names this receipt's own
/// transaction or contract, so an edited receipt cannot send its reader to
/// another anchor's page. Receipts without links (older ones, chains whose
/// profile names no explorer) are as valid as before.
public struct ReceiptLinks: Sendable, Hashable {
    public static let fields: Set<String> = ["transaction", "contract"]
    static let maximumLength = 2048

    public var transaction: String?
    public var contract: String?

    public init(transaction: String? = nil, contract: String? = nil) {
        self.transaction = transaction
        self.contract = contract
    }

    /// The profile's pages for this transaction and registry; nil when the
    /// profile (or its absence) names no explorer.
    /// A link a reader would refuse (an operator's template making an odd
    /// URL) is left out rather than written.
    public init?(profile: ChainProfile?, txHash: [UInt8], contract: Address) {
        let tx = Hex.encodePrefixed(txHash)
        let transaction = profile?.transactionURL(tx).flatMap { Self.problem($0, naming: tx) == nil ? $0 : nil }
        let address = contract.lowercased
        let contract = profile?.addressURL(address).flatMap { Self.problem($0, naming: address) == nil ? $0 : nil }
        guard transaction != nil || contract != nil else { return nil }
        self.init(transaction: transaction, contract: contract)
    }

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let transaction { members.append(("transaction", .string(transaction))) }
        if let contract { members.append(("contract", .string(contract))) }
        return .object(members)
    }

    /// Reads `links` and holds each link to the receipt's own transaction and contract.
    init(json value: JSONValue, txHash: [UInt8], contract: Address) throws(ReceiptError) {
        guard case .object(let members) = value else {
            throw ReceiptError(.malformed, "links: not an object")
        }
        for member in members where !Self.fields.contains(member.key) {
            throw ReceiptError(.malformed, "links: unexpected field \"\(member.key.prefix(40))\"")
        }
        transaction = try Self.link("transaction", value, naming: Hex.encodePrefixed(txHash), "txHash")
        self.contract = try Self.link("contract", value, naming: contract.lowercased, "contract")
        guard transaction != nil || self.contract != nil else {
            throw ReceiptError(.malformed, "links: empty (leave it out instead)")
        }
    }

    private static func link(
        _ name: String, _ value: JSONValue, naming subject: String, _ field: String
    ) throws(ReceiptError) -> String? {
        guard let member = value[name] else { return nil }
        guard let text = member.stringValue else { throw ReceiptError(.malformed, "links.\(name): not a string") }
        if let problem = problem(text, naming: subject) {
            throw ReceiptError(.malformed, "links.\(name): \(problem.replacing("{field}", with: field))")
        }
        return text
    }

    /// Why a link is refused; nil when it is an http(s) URL naming `subject`.
    private static func problem(_ text: String, naming subject: String) -> String? {
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.utf8.count <= maximumLength,
            !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
        else { return "not an http(s) URL" }
        guard text.lowercased().contains(subject) else { return "does not name this receipt's {field} \(subject)" }
        return nil
    }
}
