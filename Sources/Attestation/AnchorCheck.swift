import Ethereum

/// Where an attestation claims to be anchored (from its row or a receipt).
public struct AnchorClaim: Sendable, Hashable {
    public var root: [UInt8]
    public var txHash: [UInt8]
    public var chainID: UInt64
    public var contract: Address
    public var blockNumber: UInt64?
    public var blockHash: [UInt8]?
    /// Seconds since 1970 of the anchoring block, when claimed.
    public var attestedAt: Int64?
    /// Position in the batch's input list, when claimed.
    public var leafIndex: Int?
    public var proofLength: Int

    public init(
        root: [UInt8], txHash: [UInt8], chainID: UInt64, contract: Address, blockNumber: UInt64?,
        blockHash: [UInt8]?, attestedAt: Int64?, leafIndex: Int?, proofLength: Int
    ) {
        self.root = root
        self.txHash = txHash
        self.chainID = chainID
        self.contract = contract
        self.blockNumber = blockNumber
        self.blockHash = blockHash
        self.attestedAt = attestedAt
        self.leafIndex = leafIndex
        self.proofLength = proofLength
    }
}

/// What the chain answered about one root and its transaction.
public struct AnchorEvidence: Sendable, Hashable {
    public struct Log: Sendable, Hashable {
        public let address: Address
        public let topics: [[UInt8]]
        public init(address: Address, topics: [[UInt8]]) {
            self.address = address
            self.topics = topics
        }
    }

    public struct Receipt: Sendable, Hashable {
        public let status: UInt64
        public let to: Address?
        public let blockNumber: UInt64
        public let blockHash: [UInt8]
        public let logs: [Log]
        public init(status: UInt64, to: Address?, blockNumber: UInt64, blockHash: [UInt8], logs: [Log]) {
            self.status = status
            self.to = to
            self.blockNumber = blockNumber
            self.blockHash = blockHash
            self.logs = logs
        }
    }

    public struct Anchored: Sendable, Hashable {
        public let blockNumber: UInt64
        public let leafCount: UInt32
        public init(blockNumber: UInt64, leafCount: UInt32) {
            self.blockNumber = blockNumber
            self.leafCount = leafCount
        }
    }

    public struct Block: Sendable, Hashable {
        public let hash: [UInt8]
        public let timestamp: UInt64
        public init(hash: [UInt8], timestamp: UInt64) {
            self.hash = hash
            self.timestamp = timestamp
        }
    }

    /// The registry's `anchorOf(root)`; nil when never anchored.
    public var anchored: Anchored?
    /// nil when the node does not know the transaction (dropped, reorged away).
    public var receipt: Receipt?
    /// The canonical block at the receipt's height.
    public var canonicalBlock: Block?
    public var head: UInt64
    /// The number of the block the expected finality's tag names (`safe`,
    /// `finalized`); nil for a depth, or when the node serves no such block.
    public var taggedBlock: UInt64?

    public init(
        anchored: Anchored?, receipt: Receipt?, canonicalBlock: Block?, head: UInt64,
        taggedBlock: UInt64? = nil
    ) {
        self.anchored = anchored
        self.receipt = receipt
        self.canonicalBlock = canonicalBlock
        self.head = head
        self.taggedBlock = taggedBlock
    }
}

/// What the verifier trusts: its own configuration, never the row's.
public struct AnchorExpectation: Sendable, Hashable {
    public var registry: Address
    public var chainID: UInt64
    public var confirmations: UInt64
    /// When an anchor counts as confirmed; `blocks:confirmations` unless given.
    public var finality: Finality
    /// topic0 of the registry's `Anchored(bytes32 indexed root, ...)` event.
    public var anchoredTopic: [UInt8]

    public init(
        registry: Address, chainID: UInt64, confirmations: UInt64, anchoredTopic: [UInt8],
        finality: Finality? = nil
    ) {
        self.registry = registry
        self.chainID = chainID
        self.confirmations = confirmations
        self.finality = finality ?? .blocks(confirmations)
        self.anchoredTopic = anchoredTopic
    }
}

/// The on-chain half of verification. Pure: the evidence is fetched elsewhere.
public enum AnchorCheck {
    public static func evaluate(
        _ claim: AnchorClaim, evidence: AnchorEvidence,
        expected: AnchorExpectation
    ) -> VerificationOutcome {
        // Spelled out only for a verdict that names them: most anchors verify.
        var tx: String { Hex.encodePrefixed(claim.txHash) }
        var root: String { Hex.encodePrefixed(claim.root) }
        if claim.chainID != expected.chainID {
            return VerificationOutcome(
                .wrongContract, "chainId: attested on chain \(claim.chainID), verifying chain \(expected.chainID)")
        }
        if claim.contract != expected.registry {
            return VerificationOutcome(
                .wrongContract,
                """
                contract: anchored through \(claim.contract.lowercased), not the registry \
                \(expected.registry.lowercased)
                """
            )
        }
        guard let receipt = evidence.receipt else {
            return VerificationOutcome(
                .notAnchored,
                "txHash: transaction \(tx) is not on the canonical chain (unknown, dropped or reorged away)")
        }
        if receipt.status != 1 {
            return VerificationOutcome(.txFailed, "transaction \(tx) reverted (receipt status \(receipt.status))")
        }
        if receipt.to != expected.registry {
            let target = receipt.to?.lowercased ?? "nobody (a contract creation)"
            return VerificationOutcome(
                .wrongContract,
                "transaction \(tx) was sent to \(target), not the registry \(expected.registry.lowercased)")
        }
        let rootLogs = receipt.logs.filter {
            $0.topics.count >= 2 && $0.topics[0] == expected.anchoredTopic && $0.topics[1] == claim.root
        }
        if !rootLogs.contains(where: { $0.address == expected.registry }) {
            if let lookAlike = rootLogs.first {
                return VerificationOutcome(
                    .wrongContract,
                    "the Anchored event for root \(root) came from \(lookAlike.address.lowercased), not the registry")
            }
            return VerificationOutcome(.notAnchored, "transaction \(tx) emitted no Anchored event for root \(root)")
        }
        guard let canonical = evidence.canonicalBlock, canonical.hash == receipt.blockHash else {
            return VerificationOutcome(
                .notAnchored, "block \(receipt.blockNumber) holding transaction \(tx) is not canonical")
        }
        if let number = claim.blockNumber, number != receipt.blockNumber {
            return VerificationOutcome(
                .notAnchored, "blockNumber: claimed \(number), the transaction is in block \(receipt.blockNumber)")
        }
        if let hash = claim.blockHash, hash != receipt.blockHash {
            return VerificationOutcome(
                .notAnchored,
                """
                blockHash: claimed \(Hex.encodePrefixed(hash)), the transaction is in \
                \(Hex.encodePrefixed(receipt.blockHash))
                """
            )
        }
        guard let anchored = evidence.anchored else {
            return VerificationOutcome(.notAnchored, "root: the registry has no anchor for \(root)")
        }
        if anchored.blockNumber != receipt.blockNumber {
            return VerificationOutcome(
                .notAnchored,
                "root: the registry records \(root) in block \(anchored.blockNumber), not \(receipt.blockNumber)")
        }
        if let index = claim.leafIndex, index < 0 || index >= Int(anchored.leafCount) {
            return VerificationOutcome(
                .proofInvalid, "leafIndex: \(index) is outside the batch of \(anchored.leafCount) leaves")
        }
        if claim.proofLength > maximumProofLength(leafCount: Int(anchored.leafCount)) {
            return VerificationOutcome(
                .proofInvalid,
                "proof: \(claim.proofLength) siblings is too long for a batch of \(anchored.leafCount) leaves")
        }
        if let claimed = claim.attestedAt, claimed != Int64(clamping: canonical.timestamp) {
            return VerificationOutcome(
                .notAnchored,
                "attestedAt: claimed \(claimed) s, block \(receipt.blockNumber) has time \(canonical.timestamp) s")
        }
        let confirmations = evidence.head >= receipt.blockNumber ? evidence.head - receipt.blockNumber + 1 : 0
        guard
            expected.finality.confirms(
                blockNumber: receipt.blockNumber, head: evidence.head,
                taggedBlock: evidence.taggedBlock)
        else {
            return VerificationOutcome(
                .unconfirmed,
                expected.finality.shortfall(
                    blockNumber: receipt.blockNumber, head: evidence.head, taggedBlock: evidence.taggedBlock))
        }
        return VerificationOutcome(
            .verified,
            "anchored in block \(receipt.blockNumber) by \(tx), \(confirmations) confirmations")
    }

    /// The deepest leaf of a StandardMerkleTree over n leaves is at depth ceil(log2 n).
    static func maximumProofLength(leafCount: Int) -> Int {
        var depth = 0
        while (1 << depth) < leafCount { depth += 1 }
        return depth
    }

    public static func confirmations(head: UInt64, blockNumber: UInt64) -> UInt64 {
        head >= blockNumber ? head - blockNumber + 1 : 0
    }
}
