import Attestation
import Ethereum
import Foundation
import Postgres
import Registry

/// The pipeline's database steps. Each runs inside one transaction the
/// caller opens, and claims rows with FOR UPDATE SKIP LOCKED, so two daemons
/// never take the same row and a crash mid-step leaves the previous state.
enum PipelineStore {
    // MARK: requested -> committed

    /// Builds the document, salt and content hash of up to `limit` requests.
    static func commitRequested(limit: Int, key: PseudonymKey, now: Date, on connection: PostgresConnection) throws -> Int {
        let claimed = try connection.query("""
            SELECT id, case_id FROM caseattestation WHERE status = 'requested'
            ORDER BY id LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """).rows
        guard !claimed.isEmpty else { return 0 }
        let pairs = try claimed.map { (try $0.decode(Int64.self, "id"), try $0.decode(Int64.self, "case_id")) }
        let cases = try CaseRows.load(ids: pairs.map(\.1), on: connection)
        var committed: [[PostgresValue]] = []
        var failed: [Int64] = []
        for (id, caseID) in pairs {
            guard let snapshot = cases[caseID], ["resolved", "closed"].contains(snapshot.record.status) else {
                failed.append(id)
                continue
            }
            let salt = try Salt.random()
            let canonical = try snapshot.document(pseudonymKey: key, salt: salt).canonicalBytes()
            committed.append([.int(id), .bytea(salt.bytes), .bytea(canonical), .text(ContentHash(canonicalBytes: canonical).hex)])
        }
        if !committed.isEmpty {
            try connection.query(bulkUpdate(
                set: """
                    status = 'committed', salt = v.salt, attested_document = v.document, content_hash = v.content_hash,
                    schema_version = '\(CaseDocument.schemaV1)', updated_at = $1
                    """,
                columns: ["id::bigint", "salt::bytea", "document::bytea", "content_hash::text"], rows: committed, now: now))
        }
        for id in failed {
            try connection.query("""
                UPDATE caseattestation SET status = 'failed', updated_at = \(now),
                    last_error = 'the case is no longer resolved or closed'
                WHERE id = \(id)
                """)
        }
        return pairs.count
    }

    // MARK: committed -> batched

    struct BatchCreated: Sendable {
        let id: Int64
        let root: String
        let leafCount: Int
    }

    /// Closes a batch when `max` commitments wait or the oldest has waited
    /// `wait` seconds; returns nil when neither holds.
    static func closeBatch(max: Int, wait: Double, chainID: UInt64, contract: Address, now: Date,
                           on connection: PostgresConnection) throws -> BatchCreated? {
        let claimed = try connection.query("""
            SELECT id, content_hash, updated_at FROM caseattestation WHERE status = 'committed'
            ORDER BY id LIMIT \(max) FOR UPDATE SKIP LOCKED
            """).rows
        guard !claimed.isEmpty else { return nil }
        let oldest = try claimed.map { try $0.decode(Date.self, "updated_at") }.min() ?? now
        guard claimed.count >= max || now.timeIntervalSince(oldest) >= wait else { return nil }

        let ids = try claimed.map { try $0.decode(Int64.self, "id") }
        let hashes = try claimed.map { try ContentHash(hex: try $0.decode(String.self, "content_hash")) }
        let tree = try MerkleTree(contentHashes: hashes)
        let root = Hex.encodePrefixed(tree.root)
        let contractText = Hex.encodePrefixed(contract.bytes)
        let batchID = try connection.query("""
            INSERT INTO attestation_batch (root, leaf_count, status, chain_id, contract_address, created_at, updated_at)
            VALUES (\(root), \(ids.count), 'batched', \(Int64(chainID)), \(contractText), \(now), \(now))
            RETURNING id
            """).rows[0].decode(Int64.self, "id")
        var rows: [[PostgresValue]] = []
        for (index, id) in ids.enumerated() {
            let proof = try tree.proof(forValueAt: index).map { "\"\(Hex.encodePrefixed($0))\"" }
            rows.append([.int(id), .int(Int64(index)), .text(Hex.encodePrefixed(MerkleTree.leafHash(hashes[index]))),
                         .jsonb("[" + proof.joined(separator: ",") + "]")])
        }
        // PostgreSQL takes at most 65,535 binds a statement: 4 a row, in chunks.
        for start in stride(from: 0, to: rows.count, by: 4096) {
            let chunk = Array(rows[start..<min(start + 4096, rows.count)])
            try connection.query(bulkUpdate(
            set: """
                status = 'batched', batch_id = \(batchID), leaf_index = v.leaf_index, leaf = v.leaf, proof = v.proof,
                chain_id = \(chainID), contract_address = '\(contractText)', updated_at = $1
                """,
            columns: ["id::bigint", "leaf_index::integer", "leaf::text", "proof::jsonb"], rows: chunk, now: now))
        }
        return BatchCreated(id: batchID, root: root, leafCount: ids.count)
    }

    /// One UPDATE for many rows: `UPDATE caseattestation SET <set> FROM
    /// (VALUES ($2, $3, ...), ...) AS v(...) WHERE caseattestation.id = v.id`.
    /// Every value is a bind; `set` may only interpolate numbers and hex the
    /// code itself produced, and `$1` is the update time.
    static func bulkUpdate(set: String, columns: [String], rows: [[PostgresValue]], now: Date) -> PostgresQuery {
        var binds: [PostgresValue] = [now.postgresValue]
        var tuples: [String] = []
        tuples.reserveCapacity(rows.count)
        for row in rows {
            var placeholders: [String] = []
            for (column, value) in zip(columns, row) {
                binds.append(value)
                let type = column.split(separator: ":", maxSplits: 2).last.map(String.init) ?? "text"
                placeholders.append("$\(binds.count)::\(type)")
            }
            tuples.append("(" + placeholders.joined(separator: ", ") + ")")
        }
        let names = columns.map { String($0.split(separator: ":").first ?? "") }.joined(separator: ", ")
        // The id list repeats the VALUES' ids as an indexable predicate: with
        // stale statistics (a freshly loaded table) the planner otherwise
        // joins by scanning the whole table once per row.
        binds.append(.text("{" + rows.compactMap { row -> String? in
            if case .int(let id) = row.first { return String(id) }
            return nil
        }.joined(separator: ",") + "}"))
        let sql = "UPDATE caseattestation SET \(set) FROM (VALUES \(tuples.joined(separator: ", "))) AS v(\(names)) "
            + "WHERE caseattestation.id = ANY($\(binds.count)::bigint[]) AND caseattestation.id = v.id"
        return PostgresQuery(sql: sql, binds: binds)
    }

    // MARK: batched -> signed

    struct PendingBatch: Sendable {
        let id: Int64
        let root: [UInt8]
        let leafCount: Int
    }

    static func batchesToSign(chainID: UInt64, contract: Address, limit: Int,
                              on connection: PostgresConnection) throws -> [PendingBatch] {
        try connection.query("""
            SELECT id, root, leaf_count FROM attestation_batch
            WHERE status = 'batched' AND chain_id = \(Int64(chainID)) AND contract_address = \(Hex.encodePrefixed(contract.bytes))
            ORDER BY id LIMIT \(limit)
            """).rows.map {
            PendingBatch(id: try $0.decode(Int64.self, "id"), root: try Hex.decode(try $0.decode(String.self, "root")),
                         leafCount: try $0.decode(Int.self, "leaf_count"))
        }
    }

    /// Allocates the signer's next nonce (row lock: daemons queue here), signs
    /// with it and stores the bytes and hash BEFORE anything is sent.
    static func signBatch(_ batch: PendingBatch, signer: PrivateKey, chainID: UInt64, contract: Address, fees: Fees,
                          gasLimit: UInt64, now: Date, on connection: PostgresConnection) throws -> Int64? {
        // Re-check under lock: another daemon may have signed it meanwhile.
        let still = try connection.query("""
            SELECT 1 FROM attestation_batch WHERE id = \(batch.id) AND status = 'batched' FOR UPDATE SKIP LOCKED
            """)
        guard !still.rows.isEmpty else { return nil }
        let nonce = try allocateNonce(chainID: chainID, signer: signer.address, on: connection)
        let data = try RegistryCalls.anchor(root: batch.root, leafCount: UInt32(batch.leafCount))
        let signed = sign(nonce: nonce, to: contract, data: data, gasLimit: gasLimit, fees: fees, chainID: chainID, key: signer)
        let transactionID = try insertTransaction(signed, purpose: "anchor", batchID: batch.id, chainID: chainID,
                                                  signer: signer.address, nonce: nonce, gasLimit: gasLimit, fees: fees,
                                                  now: now, on: connection)
        try connection.query("""
            UPDATE attestation_batch SET status = 'signed', transaction_id = \(transactionID), last_error = NULL,
                updated_at = \(now) WHERE id = \(batch.id)
            """)
        try connection.query("""
            UPDATE caseattestation SET status = 'signed', updated_at = \(now) WHERE batch_id = \(batch.id)
            """)
        return transactionID
    }

    static func recordBatchError(_ batchID: Int64, error: String, now: Date, on connection: PostgresConnection) throws {
        try connection.query("""
            UPDATE attestation_batch SET last_error = \(error), updated_at = \(now) WHERE id = \(batchID)
            """)
        try connection.query("""
            UPDATE caseattestation SET last_error = \(error), attempts = attempts + 1, updated_at = \(now)
            WHERE batch_id = \(batchID)
            """)
    }

    static func allocateNonce(chainID: UInt64, signer: Address, on connection: PostgresConnection) throws -> UInt64 {
        let signerText = Hex.encodePrefixed(signer.bytes)
        let row = try connection.query("""
            SELECT next_nonce FROM attestation_signer WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText) FOR UPDATE
            """).rows.first
        guard let row else {
            throw PostgresError(.queryFailed, message: "the signer has no nonce record: reconcile first")
        }
        let nonce = try row.decode(Int64.self, "next_nonce")
        try connection.query("""
            UPDATE attestation_signer SET next_nonce = \(nonce + 1) WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
            """)
        return UInt64(nonce)
    }

    static func sign(nonce: UInt64, to: Address, data: [UInt8], gasLimit: UInt64, fees: Fees, chainID: UInt64,
                     key: PrivateKey) -> SignedTransaction {
        if fees.legacy {
            return UnsignedTransaction.legacy(UnsignedLegacyTransaction(
                chainId: chainID, nonce: nonce, gasPrice: fees.maxFeePerGas, gasLimit: gasLimit, to: to, value: .zero,
                data: data)).sign(with: key)
        }
        return UnsignedTransaction.eip1559(UnsignedEIP1559Transaction(
            chainId: chainID, nonce: nonce, maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
            maxFeePerGas: fees.maxFeePerGas, gasLimit: gasLimit, to: to, value: .zero, data: data)).sign(with: key)
    }

    static func insertTransaction(_ signed: SignedTransaction, purpose: String, batchID: Int64?, chainID: UInt64,
                                  signer: Address, nonce: UInt64, gasLimit: UInt64, fees: Fees, now: Date,
                                  on connection: PostgresConnection) throws -> Int64 {
        let hash = Hex.encodePrefixed(signed.hash)
        let id = try connection.query("""
            INSERT INTO attestation_transaction (chain_id, signer, nonce, purpose, status, raw, tx_hash, gas_limit,
                max_fee_per_gas, max_priority_fee_per_gas, batch_id, current_signed_at, created_at, updated_at)
            VALUES (\(Int64(chainID)), \(Hex.encodePrefixed(signer.bytes)), \(Int64(nonce)), \(purpose), 'signed',
                \(signed.rawBytes), \(hash), \(Int64(gasLimit)), \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)), \(batchID), \(now), \(now), \(now))
            RETURNING id
            """).rows[0].decode(Int64.self, "id")
        try insertHash(signed, transactionID: id, fees: fees, now: now, on: connection)
        return id
    }

    static func insertHash(_ signed: SignedTransaction, transactionID: Int64, fees: Fees, now: Date,
                           on connection: PostgresConnection) throws {
        try connection.query("""
            INSERT INTO attestation_transaction_hash (tx_hash, transaction_id, raw, max_fee_per_gas, max_priority_fee_per_gas, created_at)
            VALUES (\(Hex.encodePrefixed(signed.hash)), \(transactionID), \(signed.rawBytes),
                \(PostgresValue.numeric(fees.maxFeePerGas.description)),
                \(PostgresValue.numeric(fees.maxPriorityFeePerGas.description)), \(now))
            """)
    }
}
