import Attestation
import AttestationService
import EthereumRPC
import Foundation
import Postgres
import Testing

/// A database the backend filled before this service existed: the seed
/// schema (0001) with its own `caseattestation` rows, two for one case and
/// no transaction, then the service's migrations.
struct LegacyRowsTests {
    @Test func aBaselinedDatabaseWithTwoOldRowsForOneCaseMigratesAndTheRowsAreLegacy() async throws {
        guard let serverURL = TestEnvironment.requireDatabase() else { return }
        let name = "caseattest_legacy_" + (0..<12).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        var components = try #require(URLComponents(string: serverURL))
        components.path = "/" + name
        let databaseURL = try #require(components.string)
        let admin = try PostgresPool(url: serverURL, maxConnections: 1, logger: VerifierWorld.logger)
        try await admin.withConnection { try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(name))") }
        let seedOnly = NSTemporaryDirectory() + "caseattest-seed-" + UUID().uuidString
        let database = try PostgresPool(url: databaseURL, maxConnections: 2, logger: VerifierWorld.logger)
        do {
            try await check(databaseURL: databaseURL, database: database, seedOnly: seedOnly)
        } catch {
            await finish(database, admin, name, seedOnly)
            throw error
        }
        await finish(database, admin, name, seedOnly)
    }

    private func finish(_ database: PostgresPool, _ admin: PostgresPool, _ name: String, _ seedOnly: String) async {
        await database.close()
        try? await admin.withConnection {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(name)) WITH (FORCE)")
        }
        await admin.close()
        try? FileManager.default.removeItem(atPath: seedOnly)
    }

    private func check(databaseURL: String, database: PostgresPool, seedOnly: String) async throws {
        let migrations = VerifierWorld.repoRoot.appendingPathComponent("migrations").path
        // The backend's schema, as it stood before the service.
        try FileManager.default.createDirectory(atPath: seedOnly, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: migrations + "/0001_seed_schema.sql", toPath: seedOnly + "/0001_seed_schema.sql")
        _ = try await Migrator(databaseURL: databaseURL, directory: seedOnly, logger: VerifierWorld.logger).migrate()
        let caseID = try await database.transaction { connection in
            let user = try connection.query(
                """
                INSERT INTO users (email, hashed_password, role) VALUES ('old-student@example.test', 'x', 'user') \
                RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            let caseID = try connection.query(
                """
                INSERT INTO cases (user_id, status, risk_level_at_creation, created_at, resolved_at)
                VALUES (\(user), 'resolved', 1, timestamptz '2025-05-01 10:00:00+00', timestamptz \
                '2025-06-01 10:00:00+00')
                RETURNING id
                """
            ).rows[0].decode(Int64.self, "id")
            for (hash, at) in [("old-hash-1", "2025-06-01 11:00:00+00"), ("old-hash-2", "2025-06-02 11:00:00+00")] {
                try connection.query(
                    """
                    INSERT INTO caseattestation (case_id, content_hash, attested_at) VALUES (\(caseID), \(hash), \
                    \(at)::timestamptz)
                    """)
            }
            return caseID
        }

        // Beside a backend the first layout's files (0002-0004, which altered
        // caseattestation) are skipped: the seed's table is never touched.
        let applied = try await Migrator(databaseURL: databaseURL, directory: migrations, logger: VerifierWorld.logger)
            .migrate()
        #expect(!applied.contains { ["0002", "0003", "0004"].contains($0.version) })
        #expect(applied.first?.version == "0005")
        let seedRows = try await database.query(
            """
            SELECT content_hash FROM public.caseattestation WHERE case_id = \(caseID) ORDER BY id
            """
        ).rows
        #expect(try seedRows.map { try $0.decode(String.self, "content_hash") } == ["old-hash-1", "old-hash-2"])
        #expect(
            try await SchemaShape.columns(of: "public.caseattestation", in: database) == SchemaShape.seedCaseAttestation
        )
        let rows = try await database.query(
            """
            SELECT version, status, legacy, content_hash FROM attestation WHERE case_id = \(caseID) ORDER BY version
            """
        ).rows
        #expect(try rows.map { try $0.decode(Int.self, "version") } == [1, 2])
        #expect(try rows.map { try $0.decode(String.self, "content_hash") } == ["old-hash-1", "old-hash-2"])
        #expect(try rows.allSatisfy { try $0.decode(Bool.self, "legacy") })

        // The verifier never calls them verified: legacy, not verifiable.
        // No chain is asked: nothing about a legacy row can be checked there.
        let nowhere = try JSONRPCClient(
            configuration: .init(urls: ["http://127.0.0.1:9"]), logger: VerifierWorld.logger)
        let verifier = Verifier(
            database: database, rpc: nowhere,
            configuration: VerifierConfiguration(
                registry: try .init(hex: "0x" + String(repeating: "11", count: 20)), chainID: 1,
                confirmations: 2, pseudonymKey: try PseudonymKey(bytes: [UInt8](repeating: 7, count: 32))),
            logger: VerifierWorld.logger)
        let report = try await verifier.verify(VerificationSelection(caseID: caseID))
        #expect(report.results.map(\.verdict) == [.legacy])
        #expect(report.results.first?.version == 2)
        #expect(!report.summary.allVerified)
    }
}
