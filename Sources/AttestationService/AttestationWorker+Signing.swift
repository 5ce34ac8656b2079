import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry

/// The signer-lease holder's work before sending: the lease, nonces, fees, signing.
extension AttestationWorker {
    func checkLease() async {
        let fence = await lease.check()
        machine.withLock { $0.leaseObserved(epoch: fence?.epoch, now: now()) }
    }

    /// On a new lease epoch: the node's pending nonce vs ours. A higher node
    /// nonce means someone else used the key (we move on); a nonce we
    /// allocated but never stored cannot exist (allocation and storage share
    /// a transaction), so a gap below ours is filled with a cancel at that nonce.
    func reconcileNonces() async throws {
        guard machine.withLock({ $0.holdsLease }) else { return }
        let fence = try fence()
        let pending = try await rpc("eth_getTransactionCount") {
            try await ethereum.transactionCount(of: signer, at: .pending)
        }
        let (chainID, address) = (configuration.chainID, signer)
        let (before, after, gaps) = try await database.fenced(fence) { connection in
            try PipelineStore.reconcileNonces(pending: pending, chainID: chainID, signer: address, on: connection)
        }
        if before != after {
            logger.warning(
                "signer nonce moved forward to the node's pending nonce",
                metadata: ["from": "\(before)", "to": "\(after)"])
        }
        for nonce in gaps { try await cancel(nonce: UInt64(nonce), fence: fence) }
        machine.withLock { $0.noncesReconciled(now: now()) }
        logger.info(
            "signer nonces reconciled",
            metadata: ["next_nonce": "\(after)", "node_pending": "\(pending)", "gaps": "\(gaps.count)"])
    }

    /// A zero-value self-transfer that uses up `nonce`, so later nonces can be mined.
    private func cancel(nonce: UInt64, fence: SignerFence) async throws {
        let fees = try await currentFees()
        let key = configuration.signer, chainID = configuration.chainID, address = signer
        // Signed on the pool's thread: a token-held key blocks while it signs.
        try await database.fenced(fence) { connection in
            let signed = try PipelineStore.sign(
                nonce: nonce, to: address, data: [], gasLimit: 21_000, fees: fees,
                chainID: chainID, key: key)
            _ = try PipelineStore.insertTransaction(
                signed, purpose: "cancel", batchID: nil, chainID: chainID, signer: address,
                nonce: nonce, gasLimit: 21_000, fees: fees, now: Date(), on: connection)
        }
        logger.warning("cancelling an unused nonce with a self-transfer", metadata: ["nonce": "\(nonce)"])
    }

    /// What a new transaction pays now, of the kind the fee model chooses;
    /// throws `CeilingTooLow` above the ceiling, `ModelMismatch` when the
    /// model cannot work on this chain.
    func currentFees() async throws -> Fees {
        let policy = configuration.tracking.fees
        let latest = try await rpc("eth_getBlockByNumber") { try await ethereum.block(.latest) }
        switch try policy.source(chainHasBaseFee: latest?.baseFeePerGas != nil) {
        case .gasPrice:
            return try policy.legacy(gasPrice: try await rpc("eth_gasPrice") { try await ethereum.gasPrice() })
        case .feeHistory:
            let history = try await rpc("eth_feeHistory") {
                try await ethereum.feeHistory(blockCount: 5, rewardPercentiles: [policy.priorityPercentile])
            }
            return try policy.fees(from: history)
        }
    }

    /// Signs the batches that wait, except those on hold. A fee ceiling below
    /// the market, or the spending budget, stops only this step (and says
    /// so); the batches wait and tracking goes on.
    func signBatches(onHold: Set<Int64>) async throws {
        let fence = try fence()
        let configuration = configuration
        let batches = try await database.transaction { connection in
            try PipelineStore.batchesToSign(
                chainID: configuration.chainID, contract: configuration.contract, limit: 64,
                on: connection)
        }.filter { !onHold.contains($0.id) }
        guard !batches.isEmpty else {
            setSigningBlock(nil)
            nothingToAnchor()
            return completed(.sign)
        }
        // A day already at its limit (or an anchor too recent) waits without asking the node for prices.
        var ledger = try await readLedger()
        guard mayAnchor(ledger, nextAnchor: nil) else { return completed(.sign) }
        let fees: Fees
        do {
            fees = try await currentFees()
        } catch let error as FeePolicy.CeilingTooLow {
            setSigningBlock(.aboveCeiling(error.description))
            return completed(.sign)
        }
        setSigningBlock(nil)
        var signedAny = false
        // One estimate per pass: anchors cost the same whatever the root, and
        // a batch-specific revert still surfaces through its receipt.
        var estimate: UInt64?
        for batch in batches {
            let data = try RegistryCalls.anchor(root: batch.root, leafCount: UInt32(batch.leafCount))
            if estimate == nil {
                switch await estimateAnchor(data) {
                case .success(let gas):
                    estimate = gas
                case .failure(let error):
                    metrics.rpcError(method: "eth_estimateGas")
                    guard error.nodeErrorKind == .executionReverted else { throw error }
                    try await anchorWouldRevert(batch, reason: OneShotSender.reason(of: error), fence: fence)
                    continue
                }
            }
            guard let estimate else { continue }
            let gasLimit = estimate + estimate / 5 + 20_000
            let worstCase = SpendingBudget.worstCase(gasLimit: gasLimit, maxFeePerGas: fees.maxFeePerGas)
            guard mayAnchor(ledger, nextAnchor: worstCase) else { break }
            let key = configuration.signer
            let transactionID = try await database.fenced(fence) { connection in
                try PipelineStore.signBatch(
                    batch, signer: key, chainID: configuration.chainID, contract: configuration.contract,
                    fees: fees, gasLimit: gasLimit, now: Date(), on: connection)
            }
            machine.withLock { $0.batchSigned(batch.id) }
            if let transactionID {
                signedAny = true
                ledger.inFlight = ledger.inFlight.saturatingPlus(worstCase)
                ledger.lastAnchorAt = now()
                logger.info(
                    "batch signed",
                    metadata: ["batch_id": "\(batch.id)", "transaction_id": "\(transactionID)", "fees": "\(fees)"])
            }
        }
        completed(.sign, progressed: signedAny)
    }

    private func estimateAnchor(_ data: [UInt8]) async -> Result<UInt64, RPCError> {
        do {
            return .success(
                try await ethereum.estimateGas(CallRequest(from: signer, to: configuration.contract, data: data)))
        } catch {
            return .failure(error)
        }
    }

    private func setSigningBlock(_ block: WorkerMachine.SigningBlock?) {
        let changed = machine.withLock { $0.signingBlocked(block) }
        metrics.feeCeilingReached.record(block.map { if case .aboveCeiling = $0 { 1 } else { 0 } } ?? 0)
        guard changed else { return }
        switch block {
        case .aboveCeiling(let detail)?:
            logger.error(
                "new anchors wait: fees are above the ceiling; transactions in flight are still followed",
                metadata: ["detail": "\(detail)"])
        case .insufficientFunds(let detail)?:
            logger.error("new anchors wait: the signer cannot pay", metadata: ["detail": "\(detail)"])
        case nil:
            logger.info("signing resumed")
        }
    }

    /// The anchor would revert. "root already anchored" by our signer means a
    /// transaction of ours did it (one we gave up on too early): adopt it.
    /// Otherwise (paused, not an attester) the batch waits with a back-off.
    private func anchorWouldRevert(_ batch: PipelineStore.PendingBatch, reason: String, fence: SignerFence) async throws
    {
        if reason.contains("root already anchored"),
            try await adoptAnchor(batchID: batch.id, root: batch.root, fence: fence)
        {
            return
        }
        machine.withLock { $0.anchorWouldRevert(batchID: batch.id, now: now()) }
        logger.error(
            "anchor would revert; batch kept for later", metadata: ["batch_id": "\(batch.id)", "reason": "\(reason)"])
        try await database.transaction { connection in
            try PipelineStore.recordBatchError(
                batch.id, error: "anchor would revert: \(reason)", now: Date(), on: connection)
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
