import Ethereum

/// A self-contained proof that one case document was anchored: everything an
/// auditor needs to recompute canonical bytes -> content hash -> leaf -> root
/// and to check the root on chain, with no access to our database.
/// Format "caseattest-receipt/v1" (see docs in `caseattest receipt --help`).
public struct PortableReceipt: Sendable, Hashable {
    public static let format = "caseattest-receipt/v1"

    /// The case document object, salt included, exactly as it was hashed.
    public var document: JSONValue
    public var contentHash: ContentHash
    public var leaf: [UInt8]
    public var proof: [[UInt8]]
    public var root: [UInt8]
    public var chainID: UInt64
    public var contract: Address
    public var txHash: [UInt8]
    public var blockNumber: UInt64
    public var blockHash: [UInt8]
    public var leafIndex: Int
    /// The anchoring block's time.
    public var attestedAt: Timestamp
    /// Explorer pages, informational only (see `ReceiptLinks`); nil: none
    /// (the member is then left out, and the receipt reads as before links).
    public var links: ReceiptLinks?

    public init(
        document: JSONValue, contentHash: ContentHash, leaf: [UInt8], proof: [[UInt8]], root: [UInt8],
        chainID: UInt64, contract: Address, txHash: [UInt8], blockNumber: UInt64, blockHash: [UInt8],
        leafIndex: Int, attestedAt: Timestamp, links: ReceiptLinks? = nil
    ) {
        self.document = document
        self.contentHash = contentHash
        self.leaf = leaf
        self.proof = proof
        self.root = root
        self.chainID = chainID
        self.contract = contract
        self.txHash = txHash
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.leafIndex = leafIndex
        self.attestedAt = attestedAt
        self.links = links
    }

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("format", .string(Self.format)),
            ("document", document),
            ("contentHash", .string(contentHash.hex)),
            ("leaf", .string(Hex.encodePrefixed(leaf))),
            ("proof", .array(proof.map { .string(Hex.encodePrefixed($0)) })),
            ("root", .string(Hex.encodePrefixed(root))),
            ("chainId", .number(Double(chainID))),
            ("contract", .string(contract.lowercased)),
            ("txHash", .string(Hex.encodePrefixed(txHash))),
            ("blockNumber", .number(Double(blockNumber))),
            ("blockHash", .string(Hex.encodePrefixed(blockHash))),
            ("leafIndex", .number(Double(leafIndex))),
            ("attestedAt", .string(attestedAt.description)),
        ]
        if let links { members.append(("links", links.json)) }
        return .object(members)
    }

    static let fields: Set<String> = [
        "format", "document", "contentHash", "leaf", "proof", "root", "chainId", "contract", "txHash",
        "blockNumber", "blockHash", "leafIndex", "attestedAt", "links",
    ]

    public init(bytes: [UInt8]) throws(ReceiptError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            throw ReceiptError(.malformed, "the receipt is not valid JSON: \(error)")
        }
        try self.init(json: value)
    }

    public init(json value: JSONValue) throws(ReceiptError) {
        guard case .object(let members) = value else {
            throw ReceiptError(.malformed, "the receipt is not a JSON object")
        }
        for member in members where !Self.fields.contains(member.key) {
            throw ReceiptError(.malformed, "unexpected field \"\(member.key.prefix(40))\"")
        }
        guard let format = value["format"]?.stringValue else { throw ReceiptError(.malformed, "format: missing") }
        guard format == Self.format else {
            throw ReceiptError(.unsupportedFormat, "format: \"\(format.prefix(40))\" is not \(Self.format)")
        }
        guard let document = value["document"], case .object = document else {
            throw ReceiptError(.malformed, "document: missing or not an object")
        }
        self.document = document
        contentHash = try Self.field("contentHash", value) { text throws(AttestationError) in try ContentHash(hex: text)
        }
        leaf = try Self.bytes32("leaf", value)
        guard case .array(let siblings)? = value["proof"] else {
            throw ReceiptError(.malformed, "proof: missing or not an array")
        }
        var proof: [[UInt8]] = []
        for (index, sibling) in siblings.enumerated() {
            guard let text = sibling.stringValue, let bytes = try? ContentHash(hex: text).bytes else {
                throw ReceiptError(.malformed, "proof[\(index)]: expected 0x and 64 hex digits")
            }
            proof.append(bytes)
        }
        self.proof = proof
        root = try Self.bytes32("root", value)
        chainID = UInt64(try Self.integer("chainId", value))
        contract = try Self.field("contract", value) { text throws(Address.ParseError) in
            try Address(hex: text.lowercased())
        }
        txHash = try Self.bytes32("txHash", value)
        blockNumber = UInt64(try Self.integer("blockNumber", value))
        blockHash = try Self.bytes32("blockHash", value)
        leafIndex = Int(try Self.integer("leafIndex", value))
        attestedAt = try Self.field("attestedAt", value) { text throws(AttestationError) in try Timestamp(rfc3339: text)
        }
        if let member = value["links"] {
            links = try ReceiptLinks(json: member, txHash: txHash, contract: contract)
        } else {
            links = nil
        }
    }

    /// The off-chain half: document -> content hash -> leaf -> root.
    /// nil when consistent; otherwise the verdict, naming the field.
    public func localCheck() -> VerificationOutcome? {
        guard let schema = document["schema"]?.stringValue, CaseDocument.Schema(rawValue: schema) != nil else {
            return VerificationOutcome(
                .recordChanged,
                "document: schema is not \(CaseDocument.schemaV1) or \(CaseDocument.schemaV2)")
        }
        if ContentHash(of: document) != contentHash {
            return VerificationOutcome(
                .recordChanged, "document/contentHash: the document does not hash to contentHash \(contentHash.hex)")
        }
        if MerkleTree.leafHash(contentHash) != leaf {
            return VerificationOutcome(.proofInvalid, "leaf: not keccak256(keccak256(contentHash))")
        }
        if !MerkleTree.verify(leaf: leaf, proof: proof, root: root) {
            return VerificationOutcome(
                .proofInvalid, "proof/root: the proof does not lead from the leaf to root \(Hex.encodePrefixed(root))")
        }
        return nil
    }

    /// What the receipt claims about the chain, for `AnchorCheck`.
    public var claim: AnchorClaim {
        AnchorClaim(
            root: root, txHash: txHash, chainID: chainID, contract: contract, blockNumber: blockNumber,
            blockHash: blockHash, attestedAt: attestedAt.microsecondsSinceEpoch / 1_000_000,
            leafIndex: leafIndex, proofLength: proof.count)
    }

    // MARK: - Field readers

    private static func field<T, E: Error>(
        _ name: String, _ value: JSONValue,
        _ parse: (String) throws(E) -> T
    ) throws(ReceiptError) -> T {
        guard let text = value[name]?.stringValue else {
            throw ReceiptError(.malformed, "\(name): missing or not a string")
        }
        do {
            return try parse(text)
        } catch {
            throw ReceiptError(.malformed, "\(name): \(error)")
        }
    }

    private static func bytes32(_ name: String, _ value: JSONValue) throws(ReceiptError) -> [UInt8] {
        try field(name, value) { text throws(AttestationError) in try ContentHash(hex: text).bytes }
    }

    private static func integer(_ name: String, _ value: JSONValue) throws(ReceiptError) -> Int64 {
        guard let number = value[name]?.numberValue, number >= 0, number.rounded() == number,
            number <= 9_007_199_254_740_992
        else { throw ReceiptError(.malformed, "\(name): missing or not a non-negative integer") }
        return Int64(number)
    }
}

/// A receipt that cannot be read. The message names the field.
public struct ReceiptError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let malformed = Code("malformed-receipt")
        public static let unsupportedFormat = Code("unsupported-format")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "receipt \(code): \(message)" }
}
