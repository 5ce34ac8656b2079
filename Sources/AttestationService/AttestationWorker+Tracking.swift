import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Metrics
import Postgres
import Registry

/// Following the signer's transactions until final: the tracker
/// (`TrackedTransaction.next`) decides, this runs its actions.
extension AttestationWorker {
    func track() async throws {
        let fence = try fence()
        let configuration = configuration
        let open = try await database.transaction { connection in
            try PipelineStore.openTransactions(
                chainID: configuration.chainID, signer: configuration.signer.address, on: connection)
        }
        let head = try await rpc("eth_blockNumber") { try await ethereum.blockNumber() }
        metrics.chainHead.record(Int(clamping: head))
        _ = try await database.fenced(fence) { connection in
            try connection.query(
                """
                UPDATE attestation_signer SET last_block = \(Int64(head)), last_seen_at = \(Date())
                WHERE chain_id = \(Int64(configuration.chainID)) AND signer = \
                \(Hex.encodePrefixed(configuration.signer.address.bytes))
                """)
        }
        guard !open.isEmpty else { return completed(.track) }
        // Read before the receipts (see ChainObservation.minedNonce).
        let minedNonce = try await rpc("eth_getTransactionCount") {
            try await ethereum.transactionCount(of: signer, at: .latest)
        }
        let receipts = try await chain.receipts(for: open.flatMap(\.state.hashes))
        let canonical = try await chain.canonicalHashes(at: Set(receipts.values.map(\.blockNumber)))
        let taggedBlock = try await taggedBlockNumber()
        // Priced only when something may need re-signing; a ceiling below the
        // market leaves it nil (replacements then stop at the ceiling).
        let time = now()
        let needsMarket = open.contains {
            $0.state.refusal != nil
                || ($0.state.phase == .submitted
                    && time - $0.state.currentSignedAt >= configuration.tracking.replaceAfter)
        }
        let market = needsMarket ? try? await currentFees() : nil
        let observation = ChainObservation(
            head: head, now: time, minedNonce: minedNonce,
            receipts: receipts.mapValues { $0.summary }, canonicalBlockHashes: canonical,
            market: market, taggedBlock: taggedBlock)
        var progressed = false
        // One transaction's trouble never stops the others being followed.
        for transaction in open {
            for action in transaction.state.next(observation, policy: configuration.tracking) {
                do {
                    progressed =
                        try await perform(action, on: transaction, head: head, receipts: receipts, fence: fence)
                        || progressed
                } catch let error as LeaseLost {
                    throw error
                } catch {
                    logger.warning(
                        "tracking one transaction failed; the others go on",
                        metadata: [
                            "transaction_id": "\(transaction.id)", "error": "\(error)",
                        ])
                    break
                }
            }
        }
        completed(.track, progressed: progressed)
    }

    /// The number of the block the finality's tag names; nil for a depth
    /// finality (and when the node serves no such block: nothing confirms).
    private func taggedBlockNumber() async throws -> UInt64? {
        guard let tag = configuration.tracking.finality.blockTag else { return nil }
        return try await rpc("eth_getBlockByNumber") { try await ethereum.block(tag)?.number }
    }

    /// True when the action moved the pipeline forward.
    private func perform(
        _ action: TrackingAction, on transaction: PipelineStore.OpenTransaction, head: UInt64,
        receipts: [[UInt8]: TransactionReceipt], fence: SignerFence
    ) async throws -> Bool {
        switch action {
        case .broadcast(let hash):
            return try await broadcast(hash: hash, of: transaction, fence: fence)
        case .recordMined(let inclusion, _):
            machine.withLock { $0.transactionSeen(transaction.id) }
            try await apply(.mined(inclusion), to: transaction, fence: fence, receipt: receipts[inclusion.hash])
            return true
        case .recordConfirmed(let inclusion, _):
            return try await confirm(transaction, inclusion, receipt: receipts[inclusion.hash], fence: fence)
        case .recordFinal:
            try await apply(.final, to: transaction, fence: fence)
            return false
        case .recordReverted(let inclusion):
            try await handleRevert(inclusion, of: transaction, receipt: receipts[inclusion.hash], fence: fence)
            return true
        case .recordReorg(let previous):
            metrics.reorgs.increment()
            logger.warning(
                "anchor reorged out; sending the same bytes again",
                metadata: [
                    "transaction_id": "\(transaction.id)", "block": "\(previous.blockNumber)",
                    "was": "\(transaction.state.phase)",
                ])
            try await apply(.reorged, to: transaction, fence: fence)
            return false
        case .replace(let fees):
            try await replace(transaction, fees: fees, fence: fence)
            return false
        case .nonceUsedElsewhere:
            guard machine.withLock({ $0.nonceUsedElsewhere(transactionID: transaction.id, head: head, now: now()) })
            else {
                return false
            }
            if let batchID = transaction.batchID, try await adoptAnchor(batchID: batchID, root: nil, fence: fence) {
                return true
            }
            logger.error(
                "another transaction used our nonce; the batch will be signed again",
                metadata: [
                    "transaction_id": "\(transaction.id)", "nonce": "\(transaction.nonce)",
                ])
            try await apply(.nonceReleased, to: transaction, fence: fence)
            return false
        case .stuckAtCeiling:
            if machine.withLock({ $0.shouldWarnAtCeiling(transactionID: transaction.id, now: now()) }) {
                logger.warning(
                    "transaction stuck and its fees are at the ceiling",
                    metadata: [
                        "transaction_id": "\(transaction.id)", "fees": "\(transaction.state.fees)",
                        "ceiling_wei": "\(configuration.tracking.fees.ceiling)",
                    ])
            }
            return false
        }
    }

    /// `receipt`: the mined hash's, whose fee is recorded with the move (the spending budget counts it).
    func apply(
        _ transition: PipelineTransition, to transaction: PipelineStore.OpenTransaction, fence: SignerFence,
        receipt: TransactionReceipt? = nil
    ) async throws {
        try await database.fenced(fence) { connection in
            let now = Date()
            try transition.apply(to: transaction, now: now, on: connection)
            guard let receipt else { return }
            try PipelineTransition.recordFee(
                transaction.id, hash: receipt.transactionHash, gasUsed: receipt.gasUsed,
                effectiveGasPrice: receipt.effectiveGasPrice, now: now, on: connection)
        }
    }

    private func confirm(
        _ transaction: PipelineStore.OpenTransaction, _ inclusion: TrackedTransaction.Inclusion,
        receipt: TransactionReceipt?, fence: SignerFence
    ) async throws -> Bool {
        guard
            let block = try await rpc(
                "eth_getBlockByNumber", { try await ethereum.block(.number(inclusion.blockNumber)) }),
            block.hash == inclusion.blockHash
        else { return false }  // moved under us: the next pass sees the reorg
        let blockTime = Date(timeIntervalSince1970: TimeInterval(block.timestamp))
        try await apply(
            .confirmed(inclusion, blockTime: blockTime), to: transaction, fence: fence,
            receipt: receipt)
        machine.withLock { $0.transactionSeen(transaction.id) }
        guard transaction.state.phase != .confirmed else { return true }  // re-confirmed after a deep reorg
        metrics.anchorLatency.recordInterval(since: transaction.state.currentSignedAt)
        if let batchID = transaction.batchID {
            let count = try await database.query(
                """
                SELECT count(*) AS n FROM attestation WHERE batch_id = \(batchID) AND \
                \(unescaped: PipelineStore.notErased)
                """
            ).rows[0].decode(Int.self, "n")
            metrics.confirmed.increment(by: count)
            logger.info(
                "batch confirmed",
                metadata: [
                    "batch_id": "\(batchID)", "tx_hash": "\(Hex.encodePrefixed(inclusion.hash))",
                    "block": "\(inclusion.blockNumber)", "cases": "\(count)",
                ])
        }
        return true
    }

    /// Sends stored bytes. A refusal is recorded with its kind; the tracker
    /// re-prices or re-signs on a later pass (never the same refused bytes forever).
    private func broadcast(
        hash: [UInt8], of transaction: PipelineStore.OpenTransaction, fence: SignerFence
    ) async throws -> Bool {
        guard let raw = transaction.raw[hash] else { return false }
        if let error = await send(raw) {
            metrics.rpcError(method: "eth_sendRawTransaction")
            // Transport trouble: the next pass sends again.
            guard error.code == .node else { throw error }
            guard error.nodeErrorKind != .alreadyKnown else {
                // The node has these bytes: as good as sent.
                try await apply(.sent, to: transaction, fence: fence)
                return false
            }
            let kind = RefusalKind(message: error.message)
            if transaction.state.refusal == nil {
                logger.warning(
                    "node refused the transaction",
                    metadata: [
                        "transaction_id": "\(transaction.id)", "refusal": "\(kind.rawValue)",
                    ])
            }
            try await apply(.refused(kind, message: "node refused: \(kind.rawValue)"), to: transaction, fence: fence)
            if kind == .insufficientFunds {
                _ = machine.withLock { $0.signingBlocked(.insufficientFunds("the node says the signer cannot pay")) }
            }
            return false
        }
        try await apply(.sent, to: transaction, fence: fence)
        machine.withLock { $0.transactionSeen(transaction.id) }
        return transaction.state.phase == .signed
    }

    /// nil when the node took the bytes.
    private func send(_ raw: [UInt8]) async -> RPCError? {
        do {
            _ = try await ethereum.sendRawTransaction(raw)
            return nil
        } catch {
            return error
        }
    }

    private func replace(_ transaction: PipelineStore.OpenTransaction, fees: Fees, fence: SignerFence) async throws {
        guard let raw = transaction.raw[transaction.state.currentHash],
            let previous = try? SignedTransaction.decode(raw: raw), let to = previous.transaction.to
        else { return }
        let (key, chainID, data) = (configuration.signer, configuration.chainID, previous.transaction.data)
        // Signed on the pool's thread (a token-held key blocks while it signs),
        // and stored in the same fenced transaction before it is sent.
        let signed = try await database.fenced(fence) { connection in
            let signed = try PipelineStore.sign(
                nonce: transaction.nonce, to: to, data: data, gasLimit: transaction.gasLimit,
                fees: fees, chainID: chainID, key: key)
            try PipelineTransition.replaced(signed, fees).apply(to: transaction, now: Date(), on: connection)
            return signed
        }
        metrics.replacements.increment()
        logger.warning(
            "re-signing a stuck or refused transaction with new fees",
            metadata: [
                "transaction_id": "\(transaction.id)", "nonce": "\(transaction.nonce)", "fees": "\(fees)",
                "hash": "\(Hex.encodePrefixed(signed.hash))",
            ])
        var updated = transaction.raw
        updated[signed.hash] = signed.rawBytes
        var state = transaction.state
        state.refusal = nil
        let replaced = PipelineStore.OpenTransaction(
            id: transaction.id, nonce: transaction.nonce, purpose: transaction.purpose,
            batchID: transaction.batchID, gasLimit: transaction.gasLimit,
            state: state, raw: updated)
        _ = try await broadcast(hash: signed.hash, of: replaced, fence: fence)
    }

    /// A reverted anchor. "root already anchored" is accepted only when the
    /// registry's record of the root is ours and a transaction of ours
    /// anchored it; anything else fails the batch, and its attestations are
    /// retried on the retry schedule.
    private func handleRevert(
        _ inclusion: TrackedTransaction.Inclusion, of transaction: PipelineStore.OpenTransaction,
        receipt: TransactionReceipt?, fence: SignerFence
    ) async throws {
        var reason = "reverted"
        if let raw = transaction.raw[inclusion.hash], let decoded = try? SignedTransaction.decode(raw: raw) {
            do {
                _ = try await ethereum.call(
                    CallRequest(from: signer, to: decoded.transaction.to, data: decoded.transaction.data),
                    at: .number(inclusion.blockNumber > 0 ? inclusion.blockNumber - 1 : 0))
            } catch {
                reason = OneShotSender.reason(of: error)
            }
        }
        if reason.contains("root already anchored"), let batchID = transaction.batchID,
            try await adoptAnchor(batchID: batchID, root: nil, fence: fence)
        {
            try await apply(.superseded(inclusion), to: transaction, fence: fence, receipt: receipt)
            return
        }
        metrics.failed.increment()
        let retryAt = configuration.retry.delay(afterAttempts: 1).map { Date().addingTimeInterval($0) }
        logger.error(
            "anchor transaction reverted; its cases will be retried",
            metadata: [
                "transaction_id": "\(transaction.id)", "reason": "\(reason)",
            ])
        try await apply(
            .reverted(inclusion, reason: "anchor reverted: \(reason)", retryAt: retryAt), to: transaction, fence: fence,
            receipt: receipt)
    }

    func checkBalance() async throws {
        let balance = try await rpc("eth_getBalance") { try await ethereum.balance(of: signer) }
        metrics.signerBalanceWei.record(Double((balance / UInt256(1_000_000_000)).uint64Value ?? .max))
        // An anchor costs at most ~75,000 gas at the fee ceiling.
        let perAnchor = configuration.tracking.fees.ceiling.saturatingTimes(UInt256(75_000))
        let left = perAnchor == .zero ? UInt256.max : balance / perAnchor
        metrics.signerAnchorsLeft.record(Double(left.uint64Value ?? .max))
        if left < UInt256(configuration.balanceWarningAnchors) {
            logger.warning(
                "the signer's balance may not pay for the next anchors",
                metadata: [
                    "balance_wei": "\(balance)", "anchors_left": "\(left)",
                ])
        }
        completed(.balance)
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
