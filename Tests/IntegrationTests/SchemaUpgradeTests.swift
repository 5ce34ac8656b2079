import Foundation
import Postgres
import Testing

/// A database migrated by the first layout (0002-0004 extended the seed's
/// caseattestation and kept the service's tables in public) moves to the
/// service's own schema: every row kept, the seed's table back in its seed
/// shape with only confirmed attestations, and the same schema a fresh
/// database gets.
struct SchemaUpgradeTests {
    static let migrations = VerifierWorld.repoRoot.appendingPathComponent("migrations").path

    @Test func aDatabaseOfTheFirstLayoutMovesToTheServiceSchemaAndLosesNothing() async throws {
        guard let fresh = try await ScratchDatabase.create(prefix: "caseattest_fresh_") else { return }
        var freshCatalog: [String] = []
        try await fresh.use { fresh in
            try await fresh.migrate()
            freshCatalog = try await SchemaShape.catalog(schema: "caseattest", in: fresh.pool)
            #expect(
                try await SchemaShape.columns(of: "public.caseattestation", in: fresh.pool)
                    == SchemaShape.seedCaseAttestation)
        }
        #expect(freshCatalog.contains { $0.hasPrefix("column attestation.record_id") })

        guard let old = try await ScratchDatabase.create(prefix: "caseattest_upgrade_") else { return }
        try await old.use { old in
            try await migrateFirstLayout(old)
            let ids = try await fillFirstLayout(old.pool)
            let applied = try await Migrator(
                databaseURL: old.url, directory: Self.migrations,
                logger: VerifierWorld.logger
            ).migrate()
            #expect(applied.first?.version == "0005")
            try await checkMoved(old.pool, ids: ids)
            #expect(try await SchemaShape.catalog(schema: "caseattest", in: old.pool) == freshCatalog)

            // A database that applied 0002's first wording is not refused for its amendment.
            try await old.pool.query(
                """
                UPDATE caseattest.schema_migrations
                SET checksum = 'f10c70b978070d0a17d65355a578799c535610f29ecb48e037344552c269b3a7' WHERE version = '0002'
                """)
            let again = try await Migrator(
                databaseURL: old.url, directory: Self.migrations,
                logger: VerifierWorld.logger
            ).migrate()
            #expect(again.isEmpty)
            try await old.pool.query(
                """
                UPDATE caseattest.schema_migrations SET checksum = \(String(repeating: "0", count: 64)) WHERE version \
                = '0002'
                """)
            await #expect(throws: MigrationError.self) {
                _ = try await Migrator(databaseURL: old.url, directory: Self.migrations, logger: VerifierWorld.logger)
                    .migrate()
            }
        }
    }

    /// 0001-0004 only, as `make run` or a pilot left it before 0005 existed.
    private func migrateFirstLayout(_ database: ScratchDatabase) async throws {
        let folder = NSTemporaryDirectory() + "caseattest-first-layout-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for file in try FileManager.default.contentsOfDirectory(atPath: Self.migrations)
        where ["0001", "0002", "0003", "0004"].contains(String(file.prefix(4))) {
            try FileManager.default.copyItem(atPath: Self.migrations + "/" + file, toPath: folder + "/" + file)
        }
        let applied = try await Migrator(databaseURL: database.url, directory: folder, logger: VerifierWorld.logger)
            .migrate()
        #expect(applied.map(\.version) == ["0001", "0002", "0003", "0004"])
        let first = try await database.pool.query(
            "SELECT to_regclass('public.attestation_batch') IS NOT NULL AS present")
        #expect(try first.rows.first?.decode(Bool.self, "present") == true)
    }

    struct FirstLayoutIDs {
        let confirmed: Int64, requested: Int64, failed: Int64, legacy: Int64, erased: Int64
    }

    /// One of each kind of row the first layout held.
    private func fillFirstLayout(_ database: PostgresPool) async throws -> FirstLayoutIDs {
        try await database.transaction { connection in
            let user = try connection.query(
                """
                INSERT INTO users (email, hashed_password, role) VALUES ('s@example.test', 'x', 'user') RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            var cases: [Int64] = []
            for _ in 0..<5 {
                cases.append(
                    try connection.query(
                        """
                        INSERT INTO cases (user_id, status, risk_level_at_creation, resolved_at)
                        VALUES (\(user), 'resolved', 1, now()) RETURNING id
                        """
                    ).rows[0].decode(Int64.self, "id"))
            }
            let signer = "0x" + String(repeating: "aa", count: 20), root = "0x" + String(repeating: "bb", count: 32)
            let txHash = "0x" + String(repeating: "cc", count: 32)
            try connection.query(
                "INSERT INTO attestation_signer (chain_id, signer, next_nonce) VALUES (1337, \(signer), 1)")
            let tx = try connection.query(
                """
                INSERT INTO attestation_transaction (chain_id, signer, nonce, purpose, status, raw, tx_hash, gas_limit,
                    max_fee_per_gas, max_priority_fee_per_gas)
                VALUES (1337, \(signer), 0, 'anchor', 'final', '\\x01'::bytea, \(txHash), 100000, 2, 1) RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            try connection.query(
                """
                INSERT INTO attestation_transaction_hash (tx_hash, transaction_id, raw, max_fee_per_gas, \
                max_priority_fee_per_gas)
                VALUES (\(txHash), \(tx), '\\x01'::bytea, 2, 1)
                """)
            let batch = try connection.query(
                """
                INSERT INTO attestation_batch (root, leaf_count, status, chain_id, contract_address, transaction_id)
                VALUES (\(root), 2, 'confirmed', 1337, \(signer), \(tx)) RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            try connection.query("UPDATE attestation_transaction SET batch_id = \(batch) WHERE id = \(tx)")
            func insert(_ caseID: Int64, _ status: String, batched: Bool, erased: Bool = false) throws -> Int64 {
                try connection.query(
                    """
                    INSERT INTO caseattestation (case_id, counsellor_id, status, content_hash, salt, attested_document,
                        batch_id, leaf_index, tx_hash, attested_at, erased_at)
                    VALUES (\(caseID), NULL, \(status), \
                    \(status == "requested" ? nil : "0x" + String(repeating: "dd", count: 32)),
                        \(batched && !erased ? [UInt8](repeating: 7, count: 32) : nil), NULL,
                        \(batched ? batch : nil), \(batched ? 0 : nil), \(batched ? txHash : nil),
                        \(batched ? Date() : nil), \(erased ? Date() : nil))
                    RETURNING id
                    """
                ).rows[0].decode(Int64.self, "id")
            }
            let confirmed = try insert(cases[0], "confirmed", batched: true)
            let requested = try insert(cases[1], "requested", batched: false)
            let failed = try insert(cases[2], "failed", batched: false)
            let erased = try insert(cases[3], "confirmed", batched: true, erased: true)
            let legacy = try connection.query(
                """
                INSERT INTO caseattestation (case_id, status, content_hash, attested_at, legacy)
                VALUES (\(cases[4]), 'confirmed', 'old-hash', now(), true) RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            return FirstLayoutIDs(
                confirmed: confirmed, requested: requested, failed: failed, legacy: legacy, erased: erased)
        }
    }

    private func checkMoved(_ database: PostgresPool, ids: FirstLayoutIDs) async throws {
        // Every attestation kept its id and status; the published ones point at their seed row.
        let moved = try await database.query(
            """
            SELECT id, status, record_id, legacy, batch_id IS NOT NULL AS batched FROM caseattest.attestation ORDER BY \
            id
            """
        ).rows
        #expect(
            try moved.map { try $0.decode(Int64.self, "id") }
                == [ids.confirmed, ids.requested, ids.failed, ids.erased, ids.legacy])
        #expect(
            try moved.map { try $0.decode(String.self, "status") }
                == ["confirmed", "requested", "failed", "confirmed", "confirmed"])
        #expect(
            try moved.map { try $0.decode(Int64?.self, "record_id") } == [ids.confirmed, nil, nil, nil, ids.legacy])
        // The seed's table: its columns, and only what is confirmed and not erased.
        #expect(
            try await SchemaShape.columns(of: "public.caseattestation", in: database) == SchemaShape.seedCaseAttestation
        )
        let published = try await database.query("SELECT id FROM public.caseattestation ORDER BY id").rows
        #expect(try published.map { try $0.decode(Int64.self, "id") } == [ids.confirmed, ids.legacy])
        // The chain half moved too, links intact.
        let chain = try await database.query(
            """
            SELECT (SELECT count(*) FROM caseattest.attestation_signer) AS signers,
                   (SELECT count(*) FROM caseattest.attestation_transaction_hash) AS hashes,
                   (SELECT count(*) FROM caseattest.attestation_transaction t
                    JOIN caseattest.attestation_batch b ON b.transaction_id = t.id AND t.batch_id = b.id) AS linked
            """
        ).rows[0]
        #expect(try chain.decode(Int64.self, "signers") == 1)
        #expect(try chain.decode(Int64.self, "hashes") == 1)
        #expect(try chain.decode(Int64.self, "linked") == 1)
        // Nothing of the first layout is left in public; the bookkeeping moved.
        let leftovers = try await database.query(
            """
            SELECT count(*) AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND (c.relname LIKE 'attestation%' OR c.relname = 'schema_migrations')
            """
        ).rows[0].decode(Int64.self, "n")
        #expect(leftovers == 0)
        let functions = try await database.query(
            """
            SELECT count(*) AS n FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'public' AND p.proname LIKE 'caseattest%'
            """
        ).rows[0].decode(Int64.self, "n")
        #expect(functions == 0)
        // New rows continue after the moved ids.
        let next = try await database.query(
            """
            INSERT INTO caseattest.attestation (case_id, version) VALUES (1, 9) RETURNING id
            """
        ).rows[0].decode(Int64.self, "id")
        #expect(next > ids.legacy)
    }
}
