import Ethereum
import Foundation
import Postgres
import Registry

/// The signer's half of the store: nonces, signed transactions, batches
/// waiting to be signed. Callers run these in fenced transactions.
extension PipelineStore {
    struct PendingBatch: Sendable {
        let id: Int64
        let root: [UInt8]
        let leafCount: Int
    }

    static func batchesToSign(
        chainID: UInt64, contract: Address, limit: Int,
        on connection: PostgresConnection
    ) throws -> [PendingBatch] {
        try connection.query(
            """
            SELECT id, root, leaf_count FROM attestation_batch
            WHERE status = \(BatchStatus.batched) AND chain_id = \(Int64(chainID))
              AND contract_address = \(Hex.encodePrefixed(contract.bytes))
            ORDER BY id LIMIT \(limit)
            """
        ).rows.map {
            PendingBatch(
                id: try $0.decode(Int64.self, "id"), root: try Hex.decode(try $0.decode(String.self, "root")),
                leafCount: try $0.decode(Int.self, "leaf_count"))
        }
    }

    /// Allocates the signer's next nonce (row lock: daemons queue here), signs
    /// with it and stores the bytes and hash BEFORE anything is sent.
    static func signBatch(
        _ batch: PendingBatch, signer: any TransactionSigner, chainID: UInt64, contract: Address, fees: Fees,
        gasLimit: UInt64, now: Date, on connection: PostgresConnection
    ) throws -> Int64? {
        // Re-check under lock: another daemon may have signed it meanwhile.
        let still = try connection.query(
            """
            SELECT 1 FROM attestation_batch WHERE id = \(batch.id) AND status = \(BatchStatus.batched) FOR UPDATE SKIP \
            LOCKED
            """)
        guard !still.rows.isEmpty else { return nil }
        let nonce = try allocateNonce(chainID: chainID, signer: signer.address, on: connection)
        let data = try RegistryCalls.anchor(root: batch.root, leafCount: UInt32(batch.leafCount))
        let signed = try sign(
            nonce: nonce, to: contract, data: data, gasLimit: gasLimit, fees: fees, chainID: chainID, key: signer)
        let transactionID = try insertTransaction(
            signed, purpose: "anchor", batchID: batch.id, chainID: chainID,
            signer: signer.address, nonce: nonce, gasLimit: gasLimit, fees: fees,
            now: now, on: connection)
        try connection.query(
            """
            UPDATE attestation_batch SET transaction_id = \(transactionID), last_error = NULL WHERE id = \(batch.id)
            """)
        try PipelineTransition.move(batch.id, from: [.batched], to: .signed, now: now, on: connection)
        return transactionID
    }

    /// The batch waits (it never fails for this): the reason is shown on it,
    /// and through the view on its attestations.
    static func recordBatchError(_ batchID: Int64, error: String, now: Date, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE attestation_batch SET last_error = \(error), updated_at = \(now) WHERE id = \(batchID)
            """)
    }

    static func allocateNonce(chainID: UInt64, signer: Address, on connection: PostgresConnection) throws -> UInt64 {
        let signerText = Hex.encodePrefixed(signer.bytes)
        let row = try connection.query(
            """
            SELECT next_nonce FROM attestation_signer WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText) \
            FOR UPDATE
            """
        ).rows.first
        guard let row else {
            throw PostgresError(.queryFailed, message: "the signer has no nonce record: reconcile first")
        }
        let nonce = try row.decode(Int64.self, "next_nonce")
        try connection.query(
            """
            UPDATE attestation_signer SET next_nonce = \(nonce + 1) WHERE chain_id = \(Int64(chainID)) AND signer = \
            \(signerText)
            """)
        return UInt64(nonce)
    }

    /// Moves the stored next nonce up to the node's pending one; returns the
    /// nonces below ours that no stored transaction uses (to be cancelled).
    static func reconcileNonces(
        pending: UInt64, chainID: UInt64, signer: Address,
        on connection: PostgresConnection
    ) throws -> (before: Int64, after: Int64, gaps: [Int64]) {
        let signerText = Hex.encodePrefixed(signer.bytes)
        let stored = try connection.query(
            """
            SELECT next_nonce FROM attestation_signer WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText) \
            FOR UPDATE
            """
        ).rows[0].decode(Int64.self, "next_nonce")
        let next = max(stored, Int64(pending))
        try connection.query(
            """
            UPDATE attestation_signer SET next_nonce = \(next) WHERE chain_id = \(Int64(chainID)) AND signer = \
            \(signerText)
            """)
        let used = Set(
            try connection.query(
                """
                SELECT nonce FROM attestation_transaction WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                  AND nonce >= \(Int64(pending))
                """
            ).rows.map { try $0.decode(Int64.self, "nonce") })
        return (stored, next, (Int64(pending)..<next).filter { !used.contains($0) })
    }

    static func sign(
        nonce: UInt64, to: Address, data: [UInt8], gasLimit: UInt64, fees: Fees, chainID: UInt64,
        key: any TransactionSigner
    ) throws -> SignedTransaction {
        if fees.legacy {
            return try UnsignedTransaction.legacy(
                UnsignedLegacyTransaction(
                    chainId: chainID, nonce: nonce, gasPrice: fees.maxFeePerGas, gasLimit: gasLimit, to: to,
                    value: .zero,
                    data: data)
            ).sign(with: key)
        }
        return try UnsignedTransaction.eip1559(
            UnsignedEIP1559Transaction(
                chainId: chainID, nonce: nonce, maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
                maxFeePerGas: fees.maxFeePerGas, gasLimit: gasLimit, to: to, value: .zero, data: data)
        ).sign(with: key)
    }

    static func insertTransaction(
        _ signed: SignedTransaction, purpose: String, batchID: Int64?, chainID: UInt64,
        signer: Address, nonce: UInt64, gasLimit: UInt64, fees: Fees, now: Date,
        on connection: PostgresConnection
    ) throws -> Int64 {
        let hash = Hex.encodePrefixed(signed.hash)
        let id = try connection.query(
            """
            INSERT INTO attestation_transaction (chain_id, signer, nonce, purpose, status, raw, tx_hash, gas_limit,
                max_fee_per_gas, max_priority_fee_per_gas, batch_id, current_signed_at, created_at, updated_at)
            VALUES (\(Int64(chainID)), \(Hex.encodePrefixed(signer.bytes)), \(Int64(nonce)), \(purpose), \
            \(TransactionStatus.signed),
                \(signed.rawBytes), \(hash), \(Int64(gasLimit)), \
            \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)), \(batchID), \(now), \(now), \(now))
            RETURNING id
            """
        ).rows[0].decode(Int64.self, "id")
        try insertHash(signed, transactionID: id, fees: fees, now: now, on: connection)
        return id
    }

    static func insertHash(
        _ signed: SignedTransaction, transactionID: Int64, fees: Fees, now: Date,
        on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            INSERT INTO attestation_transaction_hash (tx_hash, transaction_id, raw, max_fee_per_gas, \
            max_priority_fee_per_gas, created_at)
            VALUES (\(Hex.encodePrefixed(signed.hash)), \(transactionID), \(signed.rawBytes),
                \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)), \(now))
            """)
    }
}
