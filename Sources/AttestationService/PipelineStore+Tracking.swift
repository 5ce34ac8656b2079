import Ethereum
import Foundation
import Postgres

/// The tracking half of the pipeline store: open transactions, and the
/// transitions the tracker decides on.
extension PipelineStore {
    struct OpenTransaction: Sendable {
        let id: Int64
        let nonce: UInt64
        let purpose: String
        let batchID: Int64?
        let gasLimit: UInt64
        let state: TrackedTransaction
        /// Raw signed bytes by hash, for (re)broadcasts.
        let raw: [[UInt8]: [UInt8]]
    }

    static func openTransactions(chainID: UInt64, signer: Address, on connection: PostgresConnection) throws -> [OpenTransaction] {
        let rows = try connection.query("""
            SELECT id, nonce, purpose, batch_id, status, tx_hash, gas_limit, max_fee_per_gas::text AS max_fee,
                max_priority_fee_per_gas::text AS tip, mined_hash, block_number, block_hash, receipt_status,
                current_signed_at, last_sent_at
            FROM attestation_transaction
            WHERE chain_id = \(Int64(chainID)) AND signer = \(Hex.encodePrefixed(signer.bytes))
              AND status IN ('signed', 'submitted', 'mined')
            ORDER BY nonce
            """).rows
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(Int64.self, "id") }
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        var hashes: [Int64: [(hash: [UInt8], raw: [UInt8])]] = [:]
        for row in try connection.query("""
            SELECT h.transaction_id, h.tx_hash, h.raw
            FROM unnest(\(idArray)::bigint[]) AS open(id) JOIN attestation_transaction_hash h ON h.transaction_id = open.id
            ORDER BY h.created_at, h.tx_hash
            """).rows {
            hashes[try row.decode(Int64.self, "transaction_id"), default: []].append(
                (try Hex.decode(try row.decode(String.self, "tx_hash")), try row.decode([UInt8].self, "raw")))
        }
        return try rows.map { row in
            let id = try row.decode(Int64.self, "id")
            let current = try Hex.decode(try row.decode(String.self, "tx_hash"))
            // Oldest first, the current hash last.
            var ordered = (hashes[id] ?? []).map(\.hash).filter { $0 != current }
            ordered.append(current)
            let fees = Fees(maxFeePerGas: try UInt256(decimal: try row.decode(String.self, "max_fee")),
                            maxPriorityFeePerGas: try UInt256(decimal: try row.decode(String.self, "tip")))
            var inclusion: TrackedTransaction.Inclusion?
            if let mined = try row.decode(String?.self, "mined_hash"), let block = try row.decode(Int64?.self, "block_number"),
               let blockHash = try row.decode(String?.self, "block_hash") {
                inclusion = .init(hash: try Hex.decode(mined), blockNumber: UInt64(block), blockHash: try Hex.decode(blockHash),
                                  succeeded: try row.decode(Int16?.self, "receipt_status") == 1)
            }
            let phase = TrackedTransaction.Phase(rawValue: try row.decode(String.self, "status")) ?? .submitted
            let state = TrackedTransaction(
                phase: phase, nonce: UInt64(try row.decode(Int64.self, "nonce")), hashes: ordered, fees: fees, inclusion: inclusion,
                currentSignedAt: try row.decode(Date.self, "current_signed_at").timeIntervalSince1970,
                lastSentAt: try row.decode(Date?.self, "last_sent_at")?.timeIntervalSince1970)
            var raw: [[UInt8]: [UInt8]] = [:]
            for entry in hashes[id] ?? [] { raw[entry.hash] = entry.raw }
            return OpenTransaction(id: id, nonce: UInt64(try row.decode(Int64.self, "nonce")),
                                   purpose: try row.decode(String.self, "purpose"), batchID: try row.decode(Int64?.self, "batch_id"),
                                   gasLimit: UInt64(try row.decode(Int64.self, "gas_limit")), state: state, raw: raw)
        }
    }

    /// A broadcast reached the node (accepted, or it knew the bytes already).
    static func markSent(_ transaction: OpenTransaction, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET
                status = CASE WHEN status = 'signed' THEN 'submitted' ELSE status END,
                first_sent_at = coalesce(first_sent_at, \(now)), last_sent_at = \(now), last_error = NULL, updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        try setCaseStatus(batchID: transaction.batchID, from: ["signed"], to: "submitted", now: now, on: connection)
    }

    static func recordSendError(_ transaction: OpenTransaction, error: String, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET last_error = \(error), last_sent_at = \(now), updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
    }

    static func recordMined(_ transaction: OpenTransaction, _ inclusion: TrackedTransaction.Inclusion, confirmations: UInt64,
                            now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET status = 'mined', mined_hash = \(Hex.encodePrefixed(inclusion.hash)),
                block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                receipt_status = \(Int16(inclusion.succeeded ? 1 : 0)), updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        if let batchID = transaction.batchID {
            try connection.query("UPDATE attestation_batch SET status = 'mined', updated_at = \(now) WHERE id = \(batchID)")
            try connection.query("""
                UPDATE caseattestation SET status = 'mined', tx_hash = \(Hex.encodePrefixed(inclusion.hash)),
                    block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                    confirmations = \(Int(confirmations)), updated_at = \(now)
                WHERE batch_id = \(batchID)
                """)
        }
    }

    /// The mined block left the canonical chain: back to submitted.
    static func recordReorg(_ transaction: OpenTransaction, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET status = 'submitted', mined_hash = NULL, block_number = NULL,
                block_hash = NULL, receipt_status = NULL, updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        if let batchID = transaction.batchID {
            try connection.query("UPDATE attestation_batch SET status = 'submitted', updated_at = \(now) WHERE id = \(batchID)")
            try connection.query("""
                UPDATE caseattestation SET status = 'submitted', tx_hash = NULL, block_number = NULL, block_hash = NULL,
                    confirmations = NULL, updated_at = \(now)
                WHERE batch_id = \(batchID)
                """)
        }
    }

    /// Final: `tx_hash`, block and `attested_at` (the block's time) written.
    static func recordConfirmed(_ transaction: OpenTransaction, _ inclusion: TrackedTransaction.Inclusion,
                                confirmations: UInt64, blockTime: Date, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET status = 'confirmed', mined_hash = \(Hex.encodePrefixed(inclusion.hash)),
                block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                block_time = \(blockTime), receipt_status = 1, updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        guard let batchID = transaction.batchID else { return }
        try connection.query("""
            UPDATE attestation_batch SET status = 'confirmed', last_error = NULL, updated_at = \(now) WHERE id = \(batchID)
            """)
        try connection.query("""
            UPDATE caseattestation SET status = 'confirmed', tx_hash = \(Hex.encodePrefixed(inclusion.hash)),
                block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                confirmations = \(Int(confirmations)), attested_at = \(blockTime), last_error = NULL, updated_at = \(now)
            WHERE batch_id = \(batchID)
            """)
    }

    /// Mined but reverted (nonce consumed, nothing anchored): the batch fails.
    static func recordReverted(_ transaction: OpenTransaction, _ inclusion: TrackedTransaction.Inclusion, reason: String,
                               now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET status = 'confirmed', mined_hash = \(Hex.encodePrefixed(inclusion.hash)),
                block_number = \(Int64(inclusion.blockNumber)), block_hash = \(Hex.encodePrefixed(inclusion.blockHash)),
                receipt_status = 0, last_error = \(reason), updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        guard let batchID = transaction.batchID else { return }
        try failBatch(batchID, reason: reason, now: now, on: connection)
    }

    static func failBatch(_ batchID: Int64, reason: String, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_batch SET status = 'failed', last_error = \(reason), updated_at = \(now) WHERE id = \(batchID)
            """)
        try connection.query("""
            UPDATE caseattestation SET status = 'failed', last_error = \(reason), updated_at = \(now) WHERE batch_id = \(batchID)
            """)
    }

    /// A replacement at the same nonce: stored (hash and bytes) before it is sent.
    static func recordReplacement(_ transaction: OpenTransaction, _ signed: SignedTransaction, fees: Fees, now: Date,
                                  on connection: PostgresConnection) throws {
        try insertHash(signed, transactionID: transaction.id, fees: fees, now: now, on: connection)
        try connection.query("""
            UPDATE attestation_transaction SET raw = \(signed.rawBytes), tx_hash = \(Hex.encodePrefixed(signed.hash)),
                max_fee_per_gas = \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                max_priority_fee_per_gas = \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)),
                replacements = replacements + 1, current_signed_at = \(now), updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
    }

    /// Another transaction took this nonce: this one can never be mined, and
    /// its batch goes back to `batched` to be signed with a fresh nonce.
    static func releaseNonce(_ transaction: OpenTransaction, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_transaction SET status = 'failed', last_error = 'the nonce was used by another transaction',
                updated_at = \(now)
            WHERE id = \(transaction.id)
            """)
        guard let batchID = transaction.batchID else { return }
        try connection.query("""
            UPDATE attestation_batch SET status = 'batched', transaction_id = NULL,
                last_error = 'the nonce was used by another transaction; signing again', updated_at = \(now)
            WHERE id = \(batchID)
            """)
        try connection.query("""
            UPDATE caseattestation SET status = 'batched', updated_at = \(now) WHERE batch_id = \(batchID)
            """)
    }

    static func setCaseStatus(batchID: Int64?, from: [String], to: String, now: Date, on connection: PostgresConnection) throws {
        guard let batchID else { return }
        let fromArray = "{" + from.joined(separator: ",") + "}"
        try connection.query("""
            UPDATE caseattestation SET status = \(to), updated_at = \(now)
            WHERE batch_id = \(batchID) AND status = ANY(\(fromArray)::text[])
            """)
        try connection.query("""
            UPDATE attestation_batch SET status = \(to), updated_at = \(now)
            WHERE id = \(batchID) AND status = ANY(\(fromArray)::text[])
            """)
    }
}
