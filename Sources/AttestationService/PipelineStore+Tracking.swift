import Ethereum
import Foundation
import Postgres

/// The tracking half of the pipeline store: the transactions the tracker follows.
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

    /// Every transaction of the signer not yet final, oldest nonce first.
    static func openTransactions(
        chainID: UInt64, signer: Address, on connection: PostgresConnection
    ) throws -> [OpenTransaction] {
        let rows = try connection.query(
            """
            SELECT id, nonce, purpose, batch_id, status, tx_hash, gas_limit, max_fee_per_gas::text AS max_fee,
                max_priority_fee_per_gas::text AS tip, mined_hash, block_number, block_hash, receipt_status,
                current_signed_at, last_sent_at, refusal, refusals, refused_at
            FROM attestation_transaction
            WHERE chain_id = \(Int64(chainID)) AND signer = \(Hex.encodePrefixed(signer.bytes))
              AND status = ANY(\(StatusList(TransactionStatus.open))::text[])
            ORDER BY nonce
            """
        ).rows
        guard !rows.isEmpty else { return [] }
        let ids = try rows.map { try $0.decode(Int64.self, "id") }
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        var hashes: [Int64: [(hash: [UInt8], raw: [UInt8])]] = [:]
        for row in try connection.query(
            """
            SELECT h.transaction_id, h.tx_hash, h.raw
            FROM unnest(\(idArray)::bigint[]) AS open(id) JOIN attestation_transaction_hash h ON h.transaction_id = \
            open.id
            ORDER BY h.created_at, h.tx_hash
            """
        ).rows {
            hashes[try row.decode(Int64.self, "transaction_id"), default: []].append(
                (try Hex.decode(try row.decode(String.self, "tx_hash")), try row.decode([UInt8].self, "raw")))
        }
        return try rows.map { row in try openTransaction(row, hashes: hashes) }
    }

    private static func openTransaction(
        _ row: PostgresRow,
        hashes: [Int64: [(hash: [UInt8], raw: [UInt8])]]
    ) throws -> OpenTransaction {
        let id = try row.decode(Int64.self, "id")
        let current = try Hex.decode(try row.decode(String.self, "tx_hash"))
        // Oldest first, the current hash last.
        var ordered = (hashes[id] ?? []).map(\.hash).filter { $0 != current }
        ordered.append(current)
        var raw: [[UInt8]: [UInt8]] = [:]
        for entry in hashes[id] ?? [] { raw[entry.hash] = entry.raw }
        // A legacy transaction's first byte is an RLP list prefix (>= 0xc0);
        // a typed one starts with its type.
        let legacy = (raw[current]?.first ?? 0xc0) >= 0xc0
        let fees = Fees(
            maxFeePerGas: try UInt256(decimal: try row.decode(String.self, "max_fee")),
            maxPriorityFeePerGas: try UInt256(decimal: try row.decode(String.self, "tip")), legacy: legacy)
        var inclusion: TrackedTransaction.Inclusion?
        if let mined = try row.decode(String?.self, "mined_hash"),
            let block = try row.decode(Int64?.self, "block_number"),
            let blockHash = try row.decode(String?.self, "block_hash")
        {
            inclusion = .init(
                hash: try Hex.decode(mined), blockNumber: UInt64(block), blockHash: try Hex.decode(blockHash),
                succeeded: try row.decode(Int16?.self, "receipt_status") == 1)
        }
        var refusal: TrackedTransaction.Refusal?
        if let kind = try row.decode(String?.self, "refusal"), let at = try row.decode(Date?.self, "refused_at") {
            refusal = .init(
                kind: RefusalKind(rawValue: kind) ?? .other, count: try row.decode(Int.self, "refusals"),
                at: at.timeIntervalSince1970)
        }
        let status = try row.decodeStatus(TransactionStatus.self, "status")
        let phase = TrackedTransaction.Phase(rawValue: status.rawValue) ?? .submitted
        let nonce = UInt64(try row.decode(Int64.self, "nonce"))
        let state = TrackedTransaction(
            phase: phase, nonce: nonce, hashes: ordered, fees: fees, inclusion: inclusion,
            currentSignedAt: try row.decode(Date.self, "current_signed_at").timeIntervalSince1970,
            lastSentAt: try row.decode(Date?.self, "last_sent_at")?.timeIntervalSince1970, refusal: refusal)
        return OpenTransaction(
            id: id, nonce: nonce, purpose: try row.decode(String.self, "purpose"),
            batchID: try row.decode(Int64?.self, "batch_id"),
            gasLimit: UInt64(try row.decode(Int64.self, "gas_limit")), state: state, raw: raw)
    }
}
