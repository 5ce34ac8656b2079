import Ethereum
import Foundation
import Postgres

/// Every move of a transaction, and with it its batch and the batch's
/// attestations, in one place: `apply` writes the tables in the caller's
/// (fenced) transaction, binding each status as a value. Signed, sent,
/// mined and confirmed are the batch's and the transaction's states, written
/// once per batch; the case rows stay `batched` and the view shows each
/// case's state (migrations 0011 and 0017). A confirmation writes one
/// published row per case in the backend's table.
enum PipelineTransition: Sendable {
    /// The node took the bytes (or knew them): signed -> submitted.
    case sent
    /// The node refused the current bytes.
    case refused(RefusalKind, message: String)
    /// How deep it is shows through the view (the signer's newest head).
    case mined(TrackedTransaction.Inclusion)
    /// The block that held it left the canonical chain: back to submitted.
    case reorged
    /// Deep enough: the block's time recorded, the batch confirmed and its
    /// attestations published.
    case confirmed(TrackedTransaction.Inclusion, blockTime: Date)
    /// Deep enough: watching stops.
    case final
    /// Mined but reverted (nonce used, nothing anchored): the batch fails and
    /// its attestations are retried at `retryAt` (nil: not by themselves).
    case reverted(TrackedTransaction.Inclusion, reason: String, retryAt: Date?)
    /// Mined and reverted, but its batch was anchored by another transaction
    /// of ours (adopted): only this transaction is closed.
    case superseded(TrackedTransaction.Inclusion)
    /// A new signature at the same nonce, stored before it is sent.
    case replaced(SignedTransaction, Fees)
    /// Another transaction took the nonce: the batch goes back to be signed.
    case nonceReleased

    func apply(to transaction: PipelineStore.OpenTransaction, now: Date, on connection: PostgresConnection) throws {
        let id = transaction.id, batchID = transaction.batchID
        switch self {
        case .sent:
            try connection.query(
                """
                UPDATE attestation_transaction SET
                    status = CASE WHEN status = \(TransactionStatus.signed) THEN \(TransactionStatus.submitted) ELSE \
                status END,
                    first_sent_at = coalesce(first_sent_at, \(now)), last_sent_at = \(now), last_error = NULL,
                    refusal = NULL, refusals = 0, refused_at = NULL, updated_at = \(now)
                WHERE id = \(id)
                """)
            try Self.move(batchID, from: [.signed], to: .submitted, now: now, on: connection)
        case .refused(let kind, let message):
            try connection.query(
                """
                UPDATE attestation_transaction SET refusal = \(kind.rawValue), refusals = refusals + 1, refused_at = \
                \(now),
                    last_error = \(message), last_sent_at = \(now), updated_at = \(now)
                WHERE id = \(id)
                """)
        case .mined(let inclusion):
            try Self.setInclusion(id, inclusion, status: .mined, now: now, on: connection)
            try Self.move(batchID, to: .mined, now: now, on: connection)
        case .reorged:
            try connection.query(
                """
                UPDATE attestation_transaction SET status = \(TransactionStatus.submitted), mined_hash = NULL, \
                block_number = NULL,
                    block_hash = NULL, block_time = NULL, receipt_status = NULL, gas_used = NULL,
                    effective_gas_price = NULL, mined_at = NULL, updated_at = \(now)
                WHERE id = \(id)
                """)
            try Self.move(batchID, to: .submitted, now: now, on: connection)
            guard let batchID else { return }
            try SeedRecord.withdraw(batch: batchID, on: connection)
            // Rows confirmed before migration 0017 had their confirmation
            // written on them: those go back to `batched`, and the batch's
            // state shows through again, as it does for every later row.
            try connection.query(
                """
                UPDATE attestation SET status = \(AttestationStatus.batched), tx_hash = NULL, block_number = NULL,
                    block_hash = NULL, confirmations = NULL, attested_at = NULL, updated_at = \(now)
                WHERE batch_id = \(batchID) AND status = \(AttestationStatus.confirmed)
                  AND \(unescaped: PipelineStore.notErased)
                """)
        case .confirmed(let inclusion, let blockTime):
            try Self.setInclusion(id, inclusion, status: .confirmed, now: now, on: connection)
            try connection.query("UPDATE attestation_transaction SET block_time = \(blockTime) WHERE id = \(id)")
            try Self.move(batchID, to: .confirmed, now: now, on: connection)
            if let batchID {
                try SeedRecord.confirm(batch: batchID, inclusion, attestedAt: blockTime, on: connection)
            }
        case .final:
            try connection.query(
                """
                UPDATE attestation_transaction SET status = \(TransactionStatus.final), updated_at = \(now) WHERE id = \
                \(id)
                """)
        case .reverted(let inclusion, let reason, let retryAt):
            try Self.setInclusion(id, inclusion, status: .failed, now: now, on: connection)
            try connection.query("UPDATE attestation_transaction SET last_error = \(reason) WHERE id = \(id)")
            guard let batchID else { return }
            try SeedRecord.withdraw(batch: batchID, on: connection)
            try PipelineStore.failBatch(batchID, reason: reason, retryAt: retryAt, now: now, on: connection)
        case .superseded(let inclusion):
            try Self.setInclusion(id, inclusion, status: .failed, now: now, on: connection)
            try connection.query(
                """
                UPDATE attestation_transaction SET batch_id = NULL, last_error = \
                'reverted: the root was anchored by another of our transactions'
                WHERE id = \(id)
                """)
        case .replaced(let signed, let fees):
            try PipelineStore.insertHash(signed, transactionID: id, fees: fees, now: now, on: connection)
            try connection.query(
                """
                UPDATE attestation_transaction SET raw = \(signed.rawBytes), tx_hash = \
                \(Hex.encodePrefixed(signed.hash)),
                    max_fee_per_gas = \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                    max_priority_fee_per_gas = \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)),
                    replacements = replacements + 1, current_signed_at = \(now), refusal = NULL, refusals = 0,
                    refused_at = NULL, updated_at = \(now)
                WHERE id = \(id)
                """)
        case .nonceReleased:
            try connection.query(
                """
                UPDATE attestation_transaction SET status = \(TransactionStatus.failed),
                    last_error = 'the nonce was used by another transaction', updated_at = \(now)
                WHERE id = \(id)
                """)
            guard let batchID else { return }
            try connection.query(
                """
                UPDATE attestation_batch SET status = \(BatchStatus.batched), transaction_id = NULL,
                    last_error = 'the nonce was used by another transaction; signing again', updated_at = \(now)
                WHERE id = \(batchID)
                """)
            // Its case rows never left `batched`.
            try SeedRecord.withdraw(batch: batchID, on: connection)
        }
    }

    /// What the mined hash cost (its receipt: gas used x effective gas
    /// price; a node that sends no effective price: the hash's own max fee,
    /// exact for legacy, an upper bound else). The first sighting dates it.
    static func recordFee(
        _ id: Int64, hash: [UInt8], gasUsed: UInt64, effectiveGasPrice: UInt256?, now: Date,
        on connection: PostgresConnection
    ) throws {
        let hashText = Hex.encodePrefixed(hash)
        try connection.query(
            """
            UPDATE attestation_transaction SET gas_used = \(Int64(clamping: gasUsed)),
                effective_gas_price = coalesce(\(effectiveGasPrice.map { PostgresValue.numeric($0.description) }),
                    (SELECT max_fee_per_gas FROM attestation_transaction_hash WHERE tx_hash = \(hashText))),
                mined_at = coalesce(mined_at, \(now))
            WHERE id = \(id) AND mined_hash = \(hashText)
            """)
    }

    private static func setInclusion(
        _ id: Int64, _ inclusion: TrackedTransaction.Inclusion, status: TransactionStatus,
        now: Date, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            UPDATE attestation_transaction SET status = \(status), mined_hash = \(Hex.encodePrefixed(inclusion.hash)),
                block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                receipt_status = \(Int16(inclusion.succeeded ? 1 : 0)), updated_at = \(now)
            WHERE id = \(id)
            """)
    }

    /// The batch to a new status; its case rows stay as they are.
    static func move(
        _ batchID: Int64?, from: [BatchStatus]? = nil, to status: BatchStatus, now: Date,
        on connection: PostgresConnection
    ) throws {
        guard let batchID else { return }
        let from = StatusList(from ?? BatchStatus.allCases)
        let clearsError = status == .confirmed
        try connection.query(
            """
            UPDATE attestation_batch SET status = \(status), updated_at = \(now),
                last_error = CASE WHEN \(clearsError) THEN NULL ELSE last_error END
            WHERE id = \(batchID) AND status = ANY(\(from)::text[])
            """)
    }
}
