import Foundation
import Postgres

/// The shape of a schema as the catalog tells it, to compare two databases
/// that took different migration paths, and the seed's caseattestation.
enum SchemaShape {
    /// The seed's caseattestation (0001), column by column.
    static let seedCaseAttestation = [
        "id bigint NO identity", "case_id bigint NO", "counsellor_id bigint YES", "content_hash text NO",
        "tx_hash text YES", "attested_at timestamp with time zone NO default now()",
    ]

    static func columns(of qualifiedTable: String, in database: PostgresPool) async throws -> [String] {
        let parts = qualifiedTable.split(separator: ".").map(String.init)
        return try await database.query(
            """
            SELECT column_name || ' ' || data_type || ' ' || is_nullable
                   || CASE WHEN is_identity = 'YES' THEN ' identity' ELSE '' END
                   || coalesce(' default ' || column_default, '') AS line
            FROM information_schema.columns
            WHERE table_schema = \(parts[0]) AND table_name = \(parts[1]) ORDER BY ordinal_position
            """
        ).rows.map { try $0.decode(String.self, "line") }
    }

    /// Tables and columns, indexes, constraints, functions of one schema, and
    /// the triggers on the backend's cases, each as a sorted line.
    static func catalog(schema: String, in database: PostgresPool) async throws -> [String] {
        try await database.query(
            """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                   || coalesce(' default ' || column_default, '') AS line
            FROM information_schema.columns WHERE table_schema = \(schema)
            UNION ALL
            SELECT 'index ' || indexdef FROM pg_indexes WHERE schemaname = \(schema)
            UNION ALL
            SELECT 'constraint ' || c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = \(schema)
            UNION ALL
            SELECT 'function ' || p.proname || ' ' || md5(p.prosrc)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = \(schema)
            UNION ALL
            SELECT 'trigger ' || t.tgname || ' ' || t.tgfoid::regprocedure::text
            FROM pg_trigger t WHERE t.tgrelid = 'public.cases'::regclass AND NOT t.tgisinternal
            ORDER BY 1
            """
        ).rows.map { try $0.decode(String.self, "line") }
    }
}

/// A database of its own for one test, dropped at the end.
struct ScratchDatabase {
    let url: String
    let name: String
    let pool: PostgresPool
    private let admin: PostgresPool

    static func create(prefix: String) async throws -> ScratchDatabase? {
        guard let serverURL = TestEnvironment.requireDatabase() else { return nil }
        let name = prefix + (0..<12).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        guard var components = URLComponents(string: serverURL) else { return nil }
        components.path = "/" + name
        guard let url = components.string else { return nil }
        let admin = try PostgresPool(url: serverURL, maxConnections: 1, logger: VerifierWorld.logger)
        try await admin.withConnection { try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(name))") }
        let pool = try PostgresPool(url: url, maxConnections: 2, logger: VerifierWorld.logger)
        return ScratchDatabase(url: url, name: name, pool: pool, admin: admin)
    }

    func drop() async {
        await pool.close()
        try? await admin.withConnection {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(name)) WITH (FORCE)")
        }
        await admin.close()
    }

    /// Applies the repository's migrations, all of them.
    func migrate() async throws {
        let migrations = VerifierWorld.repoRoot.appendingPathComponent("migrations").path
        _ = try await Migrator(databaseURL: url, directory: migrations, logger: VerifierWorld.logger).migrate()
    }

    /// Runs `body`, then drops the database whatever happened.
    func use(_ body: (ScratchDatabase) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await drop()
            throw error
        }
        await drop()
    }
}
