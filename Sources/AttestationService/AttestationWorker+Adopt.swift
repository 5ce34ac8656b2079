import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry

extension AttestationWorker {
    /// The batch's root is already anchored on chain by our signer, through
    /// a transaction this database knows (one given up on too early, say on
    /// a lagging node's word): the batch is linked to it again and followed
    /// to confirmation like any other. False when the anchor is not ours.
    func adoptAnchor(batchID: Int64, root: [UInt8]?, fence: SignerFence) async throws -> Bool {
        let row = try await database.query("SELECT root, leaf_count FROM attestation_batch WHERE id = \(batchID)").rows[
            0]
        let root = try root ?? Hex.decode(try row.decode(String.self, "root"))
        let leafCount = try row.decode(Int.self, "leaf_count")
        let anchor = try RegistryCalls.decodeAnchor(
            try await ethereum.call(
                CallRequest(
                    to: configuration.contract, data: try RegistryCalls.anchorOf(root: root))))
        guard let anchor, anchor.attester == signer, Int(anchor.leafCount) == leafCount else { return false }
        let logs = try await ethereum.logs(
            LogFilter(
                fromBlock: .number(anchor.blockNumber), toBlock: .number(anchor.blockNumber),
                addresses: [configuration.contract],
                topics: [[RegistryEvents.anchored.topic], [root]]))
        guard let log = logs.first(where: { $0.address == configuration.contract && !$0.removed }),
            let hash = log.transactionHash
        else { return false }
        let adopted = try await database.fenced(fence) { connection -> Int64? in
            guard
                let found = try connection.query(
                    """
                    SELECT transaction_id FROM attestation_transaction_hash WHERE tx_hash = \(Hex.encodePrefixed(hash))
                    """
                ).rows.first
            else { return nil }
            let transactionID = try found.decode(Int64.self, "transaction_id")
            let now = Date()
            // Followed again from `submitted`: the tracker finds its receipt.
            // The failed case rows go back to `batched`; the batch's state shows through.
            try connection.query(
                """
                UPDATE attestation_transaction SET status = \(TransactionStatus.submitted), batch_id = \(batchID),
                    last_error = NULL, updated_at = \(now)
                WHERE id = \(transactionID)
                """)
            try connection.query(
                """
                UPDATE attestation_batch SET status = \(BatchStatus.submitted), transaction_id = \(transactionID),
                    last_error = NULL, updated_at = \(now)
                WHERE id = \(batchID)
                """)
            try connection.query(
                """
                UPDATE attestation SET status = \(AttestationStatus.batched), last_error = NULL, retry_at = NULL,
                    updated_at = \(now)
                WHERE batch_id = \(batchID) AND \(unescaped: PipelineStore.notErased)
                """)
            return transactionID
        }
        guard let adopted else { return false }
        machine.withLock { $0.batchSigned(batchID) }
        logger.warning(
            "root was already anchored by a transaction of ours; following that one",
            metadata: [
                "batch_id": "\(batchID)", "transaction_id": "\(adopted)",
            ])
        return true
    }

    var chain: ChainReads { ChainReads(ethereum: ethereum, metrics: metrics) }
}

/// Batched chain reads of the tracker.
struct ChainReads {
    let ethereum: EthereumClient
    let metrics: WorkerMetrics

    func receipts(for hashes: [[UInt8]]) async throws -> [[UInt8]: TransactionReceipt] {
        var found: [[UInt8]: TransactionReceipt] = [:]
        for start in stride(from: 0, to: hashes.count, by: 100) {
            let chunk = Array(hashes[start..<min(start + 100, hashes.count)])
            let results = try await counted("eth_getTransactionReceipt") {
                try await ethereum.rpc.batch(chunk.map(EthereumBatchCalls.transactionReceipt))
            }
            for (hash, result) in zip(chunk, results) {
                found[hash] = try EthereumBatchCalls.decodeReceipt(try result.get(), for: hash)
            }
        }
        return found
    }

    func canonicalHashes(at heights: Set<UInt64>) async throws -> [UInt64: [UInt8]] {
        guard !heights.isEmpty else { return [:] }
        let ordered = heights.sorted()
        var hashes: [UInt64: [UInt8]] = [:]
        for start in stride(from: 0, to: ordered.count, by: 100) {
            let chunk = Array(ordered[start..<min(start + 100, ordered.count)])
            let results = try await counted("eth_getBlockByNumber") {
                try await ethereum.rpc.batch(chunk.map { EthereumBatchCalls.block(.number($0)) })
            }
            for (height, result) in zip(chunk, results) {
                hashes[height] = try EthereumBatchCalls.decodeBlock(try result.get(), number: height)?.hash
            }
        }
        return hashes
    }

    private func counted<T>(_ method: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            metrics.rpcError(method: method)
            throw error
        }
    }
}
