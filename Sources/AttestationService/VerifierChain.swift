import Attestation
import Ethereum
import EthereumRPC
import Registry

/// One anchoring to look up: a batch root and the transaction said to anchor it.
struct AnchorKey: Hashable, Sendable {
    let root: [UInt8]
    let txHash: [UInt8]
}

/// Asks the chain about many anchors in a few batched JSON-RPC requests:
/// the chain id and head once, `anchorOf` and the receipt per anchor, then
/// the canonical block at each receipt's height.
struct VerifierChain: Sendable {
    let rpc: JSONRPCClient
    let registry: Address
    /// Requests per HTTP batch (nodes cap batches; the dev chain at 1000).
    var batchLimit = 500
    /// The block tag a tag finality (`safe`, `finalized`) reads with the head.
    var finalityTag: BlockTag?

    struct Answers: Sendable {
        let chainID: UInt64
        let head: UInt64
        let evidence: [AnchorKey: AnchorEvidence]
    }

    func chainID() async throws -> UInt64 {
        try EthereumBatchCalls.decodeQuantity(try await rpc.call("eth_chainId"), "eth_chainId")
    }

    func fetch(_ keys: [AnchorKey]) async throws -> Answers {
        var first = [EthereumBatchCalls.chainID(), .init("eth_blockNumber")]
        if let finalityTag { first.append(EthereumBatchCalls.block(finalityTag)) }
        let head = try await rpc.batch(first)
        let chainID = try EthereumBatchCalls.decodeQuantity(try head[0].get(), "eth_chainId")
        let headNumber = try EthereumBatchCalls.decodeQuantity(try head[1].get(), "eth_blockNumber")
        // Read after the head: the tagged block is never above the head used.
        var taggedBlock: UInt64?
        if finalityTag != nil { taggedBlock = try EthereumBatchCalls.decodeBlock(try head[2].get())?.number }

        var anchors: [AnchorKey: AnchorEvidence.Anchored?] = [:]
        var receipts: [AnchorKey: TransactionReceipt?] = [:]
        let perChunk = max(1, batchLimit / 2)
        for start in stride(from: 0, to: keys.count, by: perChunk) {
            let chunk = Array(keys[start..<min(start + perChunk, keys.count)])
            var requests: [JSONRPCClient.Request] = []
            for key in chunk {
                requests.append(
                    EthereumBatchCalls.call(CallRequest(to: registry, data: try RegistryCalls.anchorOf(root: key.root)))
                )
                requests.append(EthereumBatchCalls.transactionReceipt(key.txHash))
            }
            let answers = try await rpc.batch(requests)
            for (index, key) in chunk.enumerated() {
                anchors[key] = try Self.anchored(answers[2 * index])
                receipts[key] = try EthereumBatchCalls.decodeReceipt(try answers[2 * index + 1].get(), for: key.txHash)
            }
        }

        let heights = Array(Set(receipts.values.compactMap { $0?.blockNumber })).sorted()
        var blocks: [UInt64: AnchorEvidence.Block] = [:]
        for start in stride(from: 0, to: heights.count, by: batchLimit) {
            let chunk = Array(heights[start..<min(start + batchLimit, heights.count)])
            let answers = try await rpc.batch(chunk.map { EthereumBatchCalls.block(.number($0)) })
            for (height, answer) in zip(chunk, answers) {
                if let header = try EthereumBatchCalls.decodeBlock(try answer.get(), number: height) {
                    blocks[height] = AnchorEvidence.Block(hash: header.hash, timestamp: header.timestamp)
                }
            }
        }

        var evidence: [AnchorKey: AnchorEvidence] = [:]
        for key in keys {
            let receipt = receipts[key] ?? nil
            evidence[key] = AnchorEvidence(
                anchored: anchors[key] ?? nil,
                receipt: receipt.map(Self.facts),
                canonicalBlock: receipt.flatMap { blocks[$0.blockNumber] },
                head: max(headNumber, heights.last ?? 0), taggedBlock: taggedBlock)
        }
        return Answers(chainID: chainID, head: headNumber, evidence: evidence)
    }

    /// `anchorOf` answers zeros for an unknown root; no code at the address
    /// answers empty data: both mean "not anchored here".
    private static func anchored(_ answer: Result<JSON, RPCError>) throws -> AnchorEvidence.Anchored? {
        let data: [UInt8]
        switch answer {
        case .success(let json): data = try EthereumBatchCalls.decodeData(json, "eth_call")
        case .failure(let error):
            if error.nodeErrorKind == .executionReverted { return nil }
            throw VerifierError(.rpc, "anchorOf failed: \(error)")
        }
        if data.isEmpty { return nil }
        guard let anchor = try RegistryCalls.decodeAnchor(data) else { return nil }
        return AnchorEvidence.Anchored(blockNumber: anchor.blockNumber, leafCount: anchor.leafCount)
    }

    static func facts(_ receipt: TransactionReceipt) -> AnchorEvidence.Receipt {
        AnchorEvidence.Receipt(
            status: receipt.status, to: receipt.to, blockNumber: receipt.blockNumber,
            blockHash: receipt.blockHash,
            logs: receipt.logs.filter { !$0.removed }.map { .init(address: $0.address, topics: $0.topics) })
    }
}

extension Finality {
    /// The tag to read from the node; nil for a depth.
    var blockTag: BlockTag? {
        switch self {
        case .blocks: nil
        case .safe: .safe
        case .finalized: .finalized
        }
    }
}
