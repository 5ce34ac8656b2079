import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Metrics
import Registry

/// The signer-lease holder's work: nonces, signing, sending, following.
extension AttestationWorker {
    // MARK: - Nonces

    /// On start: the node's pending nonce vs ours. A higher node nonce means
    /// someone else used the key (we move on); a nonce we allocated but never
    /// stored cannot exist (allocation and storage share a transaction), so a
    /// gap below ours is filled with a cancel at that nonce.
    func reconcileNonces() async throws {
        let pending = try await rpc("eth_getTransactionCount") { try await ethereum.transactionCount(of: signer, at: .pending) }
        let chainID = configuration.chainID, signerText = Hex.encodePrefixed(signer.bytes)
        let (before, after, gaps) = try await database.transaction { connection -> (Int64, Int64, [Int64]) in
            try connection.query("""
                INSERT INTO attestation_signer (chain_id, signer, next_nonce) VALUES (\(Int64(chainID)), \(signerText), \(Int64(pending)))
                ON CONFLICT (chain_id, signer) DO NOTHING
                """)
            let stored = try connection.query("""
                SELECT next_nonce FROM attestation_signer WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText) FOR UPDATE
                """).rows[0].decode(Int64.self, "next_nonce")
            let next = max(stored, Int64(pending))
            try connection.query("""
                UPDATE attestation_signer SET next_nonce = \(next) WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                """)
            let used = Set(try connection.query("""
                SELECT nonce FROM attestation_transaction WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                  AND nonce >= \(Int64(pending))
                """).rows.map { try $0.decode(Int64.self, "nonce") })
            let gaps = (Int64(pending)..<next).filter { !used.contains($0) }
            return (stored, next, gaps)
        }
        if before != after {
            logger.warning("signer nonce moved forward to the node's pending nonce", metadata: ["from": "\(before)", "to": "\(after)"])
        }
        for nonce in gaps { try await cancel(nonce: UInt64(nonce)) }
        logger.info("signer nonces reconciled", metadata: ["next_nonce": "\(after)", "node_pending": "\(pending)", "gaps": "\(gaps.count)"])
    }

    /// A zero-value self-transfer that uses up `nonce`, so later nonces can be mined.
    func cancel(nonce: UInt64) async throws {
        let fees = try await currentFees()
        let key = configuration.signer, chainID = configuration.chainID, address = signer
        let signed = PipelineStore.sign(nonce: nonce, to: address, data: [], gasLimit: 21_000, fees: fees, chainID: chainID, key: key)
        try await database.transaction { connection in
            _ = try PipelineStore.insertTransaction(signed, purpose: "cancel", batchID: nil, chainID: chainID, signer: address,
                                                    nonce: nonce, gasLimit: 21_000, fees: fees, now: Date(), on: connection)
        }
        logger.warning("cancelling an unused nonce with a self-transfer", metadata: ["nonce": "\(nonce)"])
    }

    // MARK: - Signing

    func currentFees() async throws -> Fees {
        let policy = configuration.tracking.fees
        let latest = try await rpc("eth_getBlockByNumber") { try await ethereum.block(.latest) }
        guard latest?.baseFeePerGas != nil else {
            return try policy.legacy(gasPrice: try await rpc("eth_gasPrice") { try await ethereum.gasPrice() })
        }
        let history = try await rpc("eth_feeHistory") {
            try await ethereum.feeHistory(blockCount: 5, rewardPercentiles: [policy.priorityPercentile])
        }
        return try policy.fees(from: history)
    }

    func signBatches() async throws {
        let configuration = configuration
        let batches = try await database.transaction { connection in
            try PipelineStore.batchesToSign(chainID: configuration.chainID, contract: configuration.contract, limit: 64, on: connection)
        }
        guard !batches.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        let fees = try await currentFees()
        // One estimate per pass: anchors cost the same whatever the root, and
        // a batch-specific revert still surfaces through its receipt.
        var estimate: UInt64?
        for batch in batches where (memory.retryBatchAt[batch.id] ?? 0) <= now {
            let data = try RegistryCalls.anchor(root: batch.root, leafCount: UInt32(batch.leafCount))
            do {
                if estimate == nil {
                    estimate = try await ethereum.estimateGas(CallRequest(from: signer, to: configuration.contract, data: data))
                }
            } catch {
                metrics.rpcError(method: "eth_estimateGas")
                guard error.nodeErrorKind == .executionReverted else { throw error }
                // Paused, not an attester, ...: keep the batch, say why, try again later.
                let reason = OneShotSender.reason(of: error)
                memory.retryBatchAt[batch.id] = now + 30
                logger.error("anchor would revert; batch kept for later", metadata: ["batch_id": "\(batch.id)", "reason": "\(reason)"])
                try await database.transaction { connection in
                    try PipelineStore.recordBatchError(batch.id, error: "anchor would revert: \(reason)", now: Date(), on: connection)
                }
                continue
            }
            guard let estimate else { continue }
            let gasLimit = estimate + estimate / 5 + 20_000
            let key = configuration.signer
            let transactionID = try await database.transaction { connection in
                try PipelineStore.signBatch(batch, signer: key, chainID: configuration.chainID, contract: configuration.contract,
                                            fees: fees, gasLimit: gasLimit, now: Date(), on: connection)
            }
            if let transactionID {
                logger.info("batch signed", metadata: ["batch_id": "\(batch.id)", "transaction_id": "\(transactionID)", "fees": "\(fees)"])
            }
        }
    }

    // MARK: - Following

    func track() async throws {
        let configuration = configuration
        let open = try await database.transaction { connection in
            try PipelineStore.openTransactions(chainID: configuration.chainID, signer: configuration.signer.address, on: connection)
        }
        let head = try await rpc("eth_blockNumber") { try await ethereum.blockNumber() }
        metrics.chainHead.record(Int(clamping: head))
        try await database.query("""
            UPDATE attestation_signer SET last_block = \(Int64(head)), last_seen_at = \(Date())
            WHERE chain_id = \(Int64(configuration.chainID)) AND signer = \(Hex.encodePrefixed(configuration.signer.address.bytes))
            """)
        guard !open.isEmpty else { return }
        // Read before the receipts (see ChainObservation.minedNonce).
        let minedNonce = try await rpc("eth_getTransactionCount") { try await ethereum.transactionCount(of: signer, at: .latest) }
        let hashes = open.flatMap(\.state.hashes)
        let receipts = try await receipts(for: hashes)
        let heights = Set(receipts.values.map(\.blockNumber))
        let canonical = try await canonicalHashes(at: heights)
        let observation = ChainObservation(head: head, now: Date().timeIntervalSince1970, minedNonce: minedNonce,
                                           receipts: receipts.mapValues { $0.summary }, canonicalBlockHashes: canonical)
        for transaction in open {
            for action in transaction.state.next(observation, policy: configuration.tracking) {
                try await perform(action, on: transaction, receipts: receipts)
            }
        }
    }

    private func perform(_ action: TrackingAction, on transaction: PipelineStore.OpenTransaction,
                         receipts: [[UInt8]: TransactionReceipt]) async throws {
        switch action {
        case .broadcast(let hash):
            try await broadcast(hash: hash, of: transaction)
        case .recordMined(let inclusion, let confirmations):
            try await database.transaction { connection in
                try PipelineStore.recordMined(transaction, inclusion, confirmations: confirmations, now: Date(), on: connection)
            }
        case .recordConfirmed(let inclusion, let confirmations):
            guard let block = try await rpc("eth_getBlockByNumber", { try await ethereum.block(.number(inclusion.blockNumber)) }),
                  block.hash == inclusion.blockHash
            else { return }  // moved under us: the next pass sees the reorg
            let blockTime = Date(timeIntervalSince1970: TimeInterval(block.timestamp))
            try await database.transaction { connection in
                try PipelineStore.recordConfirmed(transaction, inclusion, confirmations: confirmations, blockTime: blockTime,
                                                  now: Date(), on: connection)
            }
            metrics.anchorLatency.recordInterval(since: transaction.state.currentSignedAt)
            if let batchID = transaction.batchID {
                let count = try await database.query("SELECT count(*) AS n FROM caseattestation WHERE batch_id = \(batchID)")
                    .rows[0].decode(Int.self, "n")
                metrics.confirmed.increment(by: count)
                logger.info("batch confirmed", metadata: [
                    "batch_id": "\(batchID)", "tx_hash": "\(Hex.encodePrefixed(inclusion.hash))",
                    "block": "\(inclusion.blockNumber)", "cases": "\(count)",
                ])
            }
        case .recordReverted(let inclusion):
            try await handleRevert(inclusion, of: transaction, receipt: receipts[inclusion.hash])
        case .recordReorg(let previous):
            metrics.reorgs.increment()
            logger.warning("anchor reorged out; sending the same bytes again", metadata: [
                "transaction_id": "\(transaction.id)", "block": "\(previous.blockNumber)",
            ])
            try await database.transaction { connection in try PipelineStore.recordReorg(transaction, now: Date(), on: connection) }
        case .replace(let fees):
            try await replace(transaction, fees: fees)
        case .nonceUsedElsewhere:
            // Seen twice in a row before acting: one look could straddle a reorg.
            let sightings = memory.nonceElsewhereSightings[transaction.id, default: 0] + 1
            memory.nonceElsewhereSightings[transaction.id] = sightings
            guard sightings >= 2 else { return }
            memory.nonceElsewhereSightings[transaction.id] = nil
            logger.error("another transaction used our nonce; the batch will be signed again", metadata: [
                "transaction_id": "\(transaction.id)", "nonce": "\(transaction.nonce)",
            ])
            try await database.transaction { connection in try PipelineStore.releaseNonce(transaction, now: Date(), on: connection) }
        case .stuckAtCeiling:
            let now = Date().timeIntervalSince1970
            if now - (memory.lastCeilingWarning[transaction.id] ?? 0) > 60 {
                memory.lastCeilingWarning[transaction.id] = now
                logger.warning("transaction stuck and its fees are at the ceiling", metadata: [
                    "transaction_id": "\(transaction.id)", "fees": "\(transaction.state.fees)",
                    "ceiling_wei": "\(configuration.tracking.fees.ceiling)",
                ])
            }
        }
    }

    private func broadcast(hash: [UInt8], of transaction: PipelineStore.OpenTransaction) async throws {
        guard let raw = transaction.raw[hash] else { return }
        do {
            _ = try await ethereum.sendRawTransaction(raw)
        } catch {
            metrics.rpcError(method: "eth_sendRawTransaction")
            switch error.nodeErrorKind {
            case .alreadyKnown?:
                break  // the node has these bytes: as good as sent
            case .nonceTooLow?:
                // The nonce is used. If by one of our hashes, its receipt shows
                // up next pass; note it and let the tracker decide.
                try await database.transaction { connection in
                    try PipelineStore.recordSendError(transaction, error: "nonce too low", now: Date(), on: connection)
                }
                return
            case .some, nil:
                if !error.isRetryable {
                    logger.error("node refused the transaction", metadata: ["transaction_id": "\(transaction.id)", "error": "\(error)"])
                }
                try await database.transaction { connection in
                    try PipelineStore.recordSendError(transaction, error: error.description, now: Date(), on: connection)
                }
                return
            }
        }
        try await database.transaction { connection in try PipelineStore.markSent(transaction, now: Date(), on: connection) }
    }

    private func replace(_ transaction: PipelineStore.OpenTransaction, fees: Fees) async throws {
        guard let raw = transaction.raw[transaction.state.currentHash],
              let previous = try? SignedTransaction.decode(raw: raw) else { return }
        let to: Address? = previous.transaction.to
        guard let to else { return }
        let signed = PipelineStore.sign(nonce: transaction.nonce, to: to, data: previous.transaction.data,
                                        gasLimit: transaction.gasLimit, fees: fees, chainID: configuration.chainID,
                                        key: configuration.signer)
        try await database.transaction { connection in
            try PipelineStore.recordReplacement(transaction, signed, fees: fees, now: Date(), on: connection)
        }
        metrics.replacements.increment()
        logger.warning("replacing a stuck transaction with higher fees", metadata: [
            "transaction_id": "\(transaction.id)", "nonce": "\(transaction.nonce)", "fees": "\(fees)",
            "hash": "\(Hex.encodePrefixed(signed.hash))",
        ])
        var updated = transaction.raw
        updated[signed.hash] = signed.rawBytes
        let replaced = PipelineStore.OpenTransaction(id: transaction.id, nonce: transaction.nonce, purpose: transaction.purpose,
                                                     batchID: transaction.batchID, gasLimit: transaction.gasLimit,
                                                     state: transaction.state, raw: updated)
        try await broadcast(hash: signed.hash, of: replaced)
    }

    /// A reverted anchor. "root already anchored" is accepted only when the
    /// registry's record of the root is ours (same leaf count, our signer)
    /// and its Anchored log comes from the registry itself.
    private func handleRevert(_ inclusion: TrackedTransaction.Inclusion, of transaction: PipelineStore.OpenTransaction,
                              receipt: TransactionReceipt?) async throws {
        var reason = "reverted"
        if let raw = transaction.raw[inclusion.hash], let decoded = try? SignedTransaction.decode(raw: raw) {
            do {
                _ = try await ethereum.call(CallRequest(from: signer, to: decoded.transaction.to, data: decoded.transaction.data),
                                            at: .number(inclusion.blockNumber > 0 ? inclusion.blockNumber - 1 : 0))
            } catch {
                reason = OneShotSender.reason(of: error)
            }
        }
        if reason.contains("root already anchored"), let batchID = transaction.batchID,
           try await adoptExistingAnchor(batchID: batchID, transaction: transaction) {
            return
        }
        metrics.failed.increment()
        let message = "anchor reverted: \(reason)"
        logger.error("anchor transaction reverted", metadata: ["transaction_id": "\(transaction.id)", "reason": "\(reason)"])
        try await database.transaction { connection in
            try PipelineStore.recordReverted(transaction, inclusion, reason: message, now: Date(), on: connection)
        }
    }

    private func adoptExistingAnchor(batchID: Int64, transaction: PipelineStore.OpenTransaction) async throws -> Bool {
        let row = try await database.query("SELECT root, leaf_count FROM attestation_batch WHERE id = \(batchID)").rows[0]
        let root = try Hex.decode(try row.decode(String.self, "root"))
        let leafCount = try row.decode(Int.self, "leaf_count")
        let anchor = try RegistryCalls.decodeAnchor(try await ethereum.call(CallRequest(
            to: configuration.contract, data: try RegistryCalls.anchorOf(root: root))))
        guard let anchor, anchor.attester == signer, Int(anchor.leafCount) == leafCount else { return false }
        let logs = try await ethereum.logs(LogFilter(
            fromBlock: .number(anchor.blockNumber), toBlock: .number(anchor.blockNumber), addresses: [configuration.contract],
            topics: [[RegistryEvents.anchored.topic], [root]]))
        guard let log = logs.first(where: { $0.address == configuration.contract && !$0.removed }),
              let hash = log.transactionHash, let blockHash = log.blockHash, let number = log.blockNumber
        else { return false }
        let head = try await ethereum.blockNumber()
        let inclusion = TrackedTransaction.Inclusion(hash: hash, blockNumber: number, blockHash: blockHash, succeeded: true)
        guard let block = try await ethereum.block(.number(number)), block.hash == blockHash else { return false }
        try await database.transaction { connection in
            try PipelineStore.recordConfirmed(transaction, inclusion, confirmations: head - number + 1,
                                              blockTime: Date(timeIntervalSince1970: TimeInterval(block.timestamp)),
                                              now: Date(), on: connection)
        }
        logger.warning("root was already anchored by this signer; adopting that anchor", metadata: ["batch_id": "\(batchID)"])
        return true
    }

    // MARK: - Chain reads

    private func receipts(for hashes: [[UInt8]]) async throws -> [[UInt8]: TransactionReceipt] {
        var found: [[UInt8]: TransactionReceipt] = [:]
        for start in stride(from: 0, to: hashes.count, by: 100) {
            let chunk = Array(hashes[start..<min(start + 100, hashes.count)])
            let results = try await rpc("eth_getTransactionReceipt") {
                try await ethereum.rpc.batch(chunk.map(EthereumBatchCalls.transactionReceipt))
            }
            for (hash, result) in zip(chunk, results) {
                found[hash] = try EthereumBatchCalls.decodeReceipt(try result.get(), for: hash)
            }
        }
        return found
    }

    private func canonicalHashes(at heights: Set<UInt64>) async throws -> [UInt64: [UInt8]] {
        guard !heights.isEmpty else { return [:] }
        let ordered = heights.sorted()
        let results = try await rpc("eth_getBlockByNumber") {
            try await ethereum.rpc.batch(ordered.map { EthereumBatchCalls.block(.number($0)) })
        }
        var hashes: [UInt64: [UInt8]] = [:]
        for (height, result) in zip(ordered, results) {
            hashes[height] = try EthereumBatchCalls.decodeBlock(try result.get(), number: height)?.hash
        }
        return hashes
    }

    func checkBalance() async {
        let now = Date().timeIntervalSince1970
        guard now - memory.lastBalanceCheck >= 60 else { return }
        memory.lastBalanceCheck = now
        guard let balance = try? await ethereum.balance(of: signer) else { return }
        metrics.signerBalanceWei.record(Double((balance / UInt256(1_000_000_000)).uint64Value ?? .max))
        // An anchor costs at most ~75,000 gas at the fee ceiling.
        let perAnchor = configuration.tracking.fees.ceiling.saturatingTimes(UInt256(75_000))
        if balance < perAnchor.saturatingTimes(UInt256(configuration.balanceWarningAnchors)) {
            logger.warning("the signer's balance may not pay for the next anchors", metadata: [
                "balance_wei": "\(balance)", "anchors": "\(configuration.balanceWarningAnchors)",
            ])
        }
    }

    /// Counts RPC errors by method for metrics; rethrows.
    func rpc<T>(_ method: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            metrics.rpcError(method: method)
            throw error
        }
    }
}

extension TransactionReceipt {
    var summary: ChainObservation.Receipt {
        ChainObservation.Receipt(blockNumber: blockNumber, blockHash: blockHash, succeeded: succeeded)
    }
}

extension Metrics.Timer {
    func recordInterval(since start: Double) {
        let seconds = max(0, Date().timeIntervalSince1970 - start)
        recordNanoseconds(Int64(seconds * 1_000_000_000))
    }
}
