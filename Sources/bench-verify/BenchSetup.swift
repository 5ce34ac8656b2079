import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry

/// Builds N attested cases quickly: rows by generate_series, documents and
/// hashes in Swift, B anchoring transactions, attestation rows by unnest.
struct BenchSetup {
    let cases: Int
    let batches: Int
    static let devKeyHex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"

    func run() async throws {
        let serverURL = environment("DATABASE_URL")
        let rpcURL = environment("CASEATTEST_RPC_URL")
        let name = "caseattest_bench_" + (0..<10).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        guard var components = URLComponents(string: serverURL) else { fail("DATABASE_URL is not a URL") }
        components.path = "/" + name
        guard let databaseURL = components.string else { fail("cannot build the bench database URL") }
        try await Self.admin(serverURL) { try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(name))") }
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let migrations =
            ProcessInfo.processInfo.environment["REPO"].map { $0 + "/migrations" }
            ?? repo.appendingPathComponent("migrations").path
        _ = try await Migrator(databaseURL: databaseURL, directory: migrations, logger: logger).migrate()

        let keyFile = NSTemporaryDirectory() + name + ".pseudonym"
        let keyText = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        try Data(keyText.utf8).write(to: URL(fileURLWithPath: keyFile))
        let pseudonymKey = try PseudonymKey(contentsOfFile: keyFile)

        let database = try PostgresPool(url: databaseURL, maxConnections: 1, limits: .none, logger: logger)
        let count = cases
        try await database.withConnection { connection in
            try connection.simpleExecute(
                """
                INSERT INTO users (id, email, hashed_password, role)
                SELECT g, 'user' || g || '@bench.test', 'x', CASE WHEN g <= 20 THEN 'counsellor' ELSE 'user' END
                FROM generate_series(1, 220) g;
                INSERT INTO cases (id, user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
                SELECT g, 21 + g % 200, 1 + g % 20, 'resolved', g % 5,
                       timestamptz '2026-01-01 08:00:00.000001+00' + make_interval(secs => g * 37),
                       timestamptz '2026-03-01 08:00:00.250000+00' + make_interval(secs => g * 41)
                FROM generate_series(1, \(count)) g;
                INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type)
                SELECT c.id, c.user_id, c.counsellor_id, c.created_at + make_interval(days => s),
                       (ARRAY['completed', 'cancelled', 'no_show'])[1 + (c.id + s) % 3],
                       CASE WHEN s % 2 = 0 THEN 'online' ELSE 'in_person' END
                FROM cases c CROSS JOIN generate_series(1, 3) s;
                """)
        }
        let snapshots = try await database.withConnection { try CaseRows.load(ids: Array(1...Int64(count)), on: $0) }

        // Documents and hashes in case id order; attestation id = case id.
        var salts: [Salt] = [], documents: [[UInt8]] = [], hashes: [ContentHash] = []
        for id in 1...Int64(count) {
            guard let snapshot = snapshots[id] else { fail("case \(id) was not loaded") }
            let salt = try Salt.random()
            let bytes = try snapshot.document(pseudonymKey: pseudonymKey, salt: salt, schema: .v1).canonicalBytes()
            salts.append(salt)
            documents.append(bytes)
            hashes.append(ContentHash(canonicalBytes: bytes))
        }

        let eth = EthereumClient(rpc: try JSONRPCClient(configuration: .init(urls: [rpcURL]), logger: logger))
        let chainID = try await eth.chainID()
        let key = try PrivateKey(hex: Self.devKeyHex)
        let sender = OneShotSender(ethereum: eth, key: key, chainID: chainID, logger: logger)
        guard let registry = try await sender.send(to: nil, data: try RegistryCalls.deployment()).contractAddress else {
            fail("the registry deployment created no contract")
        }
        _ = try await sender.send(to: registry, data: try RegistryCalls.setAttester(key.address, enabled: true))

        let perBatch = (count + batches - 1) / batches
        for (batchIndex, start) in stride(from: 0, to: count, by: perBatch).enumerated() {
            let range = start..<min(start + perBatch, count)
            let tree = try MerkleTree(contentHashes: Array(hashes[range]))
            let receipt = try await sender.send(
                to: registry, data: try RegistryCalls.anchor(root: tree.root, leafCount: UInt32(tree.leafCount)))
            guard let block = try await eth.block(.number(receipt.blockNumber)) else {
                fail("no block \(receipt.blockNumber)")
            }
            let batchID = Int64(batchIndex + 1)
            let batchRow = BatchRow(
                id: batchID, root: Hex.encodePrefixed(tree.root), leafCount: tree.leafCount,
                chainID: Int64(chainID), contract: registry.lowercased,
                txHash: Hex.encodePrefixed(receipt.transactionHash), blockNumber: Int64(receipt.blockNumber),
                blockHash: Hex.encodePrefixed(receipt.blockHash), blockTime: Int64(block.timestamp))
            var built: [AttestationRow] = []
            for (leafIndex, position) in range.enumerated() {
                let proof = try tree.proof(forValueAt: leafIndex).map { "\"\(Hex.encodePrefixed($0))\"" }.joined(
                    separator: ",")
                built.append(
                    AttestationRow(
                        id: Int64(position + 1), contentHash: hashes[position].hex, salt: salts[position].hex,
                        document: Hex.encode(documents[position]), leafIndex: leafIndex,
                        leaf: Hex.encodePrefixed(try tree.leaf(forValueAt: leafIndex)), proof: "[" + proof + "]"))
            }
            let rows = built
            let setup = self
            try await database.withConnection { connection in
                try connection.query(
                    """
                    INSERT INTO attestation_batch (id, root, leaf_count, status, chain_id, contract_address)
                    VALUES (\(batchRow.id), \(batchRow.root), \(batchRow.leafCount), 'confirmed', \(batchRow.chainID), \
                    \(batchRow.contract))
                    """)
                for chunk in stride(from: 0, to: rows.count, by: 2000) {
                    try setup.insert(
                        Array(rows[chunk..<min(chunk + 2000, rows.count)]), batch: batchRow, on: connection)
                }
            }
        }
        // Statistics, as a live database has them (autovacuum would soon).
        try await database.withConnection { try $0.simpleExecute("ANALYZE") }
        for _ in 0..<2 { _ = try await eth.rpc.call("evm_mine") }
        await database.close()
        print("BENCH_DATABASE_URL='\(databaseURL)'")
        print("BENCH_CONTRACT='\(registry.lowercased)'")
        print("BENCH_PSEUDONYM_KEY_FILE='\(keyFile)'")
    }

    struct BatchRow: Sendable {
        let id: Int64, root: String, leafCount: Int, chainID: Int64, contract: String
        let txHash: String, blockNumber: Int64, blockHash: String, blockTime: Int64
    }

    struct AttestationRow: Sendable {
        let id: Int64, contentHash: String, salt: String, document: String, leafIndex: Int, leaf: String, proof: String
    }

    /// One INSERT for many rows: parallel arrays through unnest.
    func insert(_ rows: [AttestationRow], batch: BatchRow, on connection: PostgresConnection) throws {
        func array(_ values: [String]) -> String {
            "{"
                + values.map {
                    "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                        + "\""
                }
                .joined(separator: ",") + "}"
        }
        try connection.query(
            """
            INSERT INTO attestation (id, case_id, counsellor_id, content_hash, status, version, schema_version, salt,
                attested_document, batch_id, leaf_index, leaf, proof, chain_id, contract_address, tx_hash, block_number,
                block_hash, confirmations, attested_at, requested_by)
            SELECT r.id, r.id, c.counsellor_id, r.content_hash, 'confirmed', 1, 'aicare.case-attestation/v1',
                   decode(r.salt, 'hex'), decode(r.document, 'hex'), \(batch.id), r.leaf_index, r.leaf, r.proof::jsonb,
                   \(batch.chainID), \(batch.contract), \(batch.txHash), \(batch.blockNumber), \(batch.blockHash), 2,
                   to_timestamp(\(batch.blockTime)), 'sweep'
            FROM unnest(\(array(rows.map { String($0.id) }))::bigint[], \(array(rows.map(\.contentHash)))::text[],
                        \(array(rows.map(\.salt)))::text[], \(array(rows.map(\.document)))::text[],
                        \(array(rows.map { String($0.leafIndex) }))::int[], \(array(rows.map(\.leaf)))::text[],
                        \(array(rows.map(\.proof)))::text[])
                 AS r(id, content_hash, salt, document, leaf_index, leaf, proof)
            JOIN cases c ON c.id = r.id
            """)
    }

    static func admin(_ serverURL: String, _ body: @escaping @Sendable (PostgresConnection) throws -> Void) async throws
    {
        let pool = try PostgresPool(url: serverURL, maxConnections: 1, limits: .none, logger: logger)
        do {
            try await pool.withConnection(body)
        } catch {
            await pool.close()
            throw error
        }
        await pool.close()
    }
}
