import Attestation
import AttestationService
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Postgres
import Prometheus
import Testing

@testable import AttestationAPI

/// Tokens of each role, made the way `caseattest api-token new` makes them.
struct TestTokens {
    let backend = NewAPIToken.generate(role: .backend)
    let auditor = NewAPIToken.generate(role: .auditor)
    /// A well-formed token no file admits.
    let stranger = NewAPIToken.generate(role: .backend)

    func store() throws -> TokenStore {
        try TokenStore(fileContents: "# test tokens\n\(backend.fileLine)\n\n\(auditor.fileLine)  # the auditor\n")
    }

    func headers(_ token: NewAPIToken?) -> HTTPFields {
        guard let token else { return [:] }
        return [.authorization: "Bearer \(token.token)"]
    }

    func jsonHeaders(_ token: NewAPIToken?) -> HTTPFields {
        var fields = headers(token)
        fields[.contentType] = "application/json"
        return fields
    }
}

/// A verifier for the two verifier endpoints' router tests: the real one
/// arrives with issue 7; these tests only check the API passes its JSON through.
struct FixedVerifier: VerificationService {
    let verdicts: [Int64: JSONValue]
    let receipts: [Int64: JSONValue]

    func verification(caseID: Int64) async throws -> JSONValue? { verdicts[caseID] }
    func receipt(attestationID: Int64, issuedTo recipient: ReceiptRecipient) async throws -> JSONValue? {
        receipts[attestationID]
    }
}

enum TestSupport {
    static let quietLogger: Logger = {
        var logger = Logger(label: "caseattest.api.tests", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// A pool that is never connected: for tests whose requests are refused
    /// before any query (a query through it would fail, and show as a 500).
    static func unusedPool() throws -> PostgresPool {
        try PostgresPool(url: "postgres://nobody@127.0.0.1:1/none", maxConnections: 1, logger: quietLogger)
    }

    static func pseudonymKey() throws -> PseudonymKey {
        try PseudonymKey(bytes: Array(repeating: 0x5A, count: 32))
    }

    static func dependencies(
        pool: PostgresPool, tokens: TestTokens, verification: (any VerificationService)? = nil,
        readiness: ReadinessProbe = ReadinessProbe(checks: []),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        chainProfiles: ChainProfiles = .builtIn
    ) throws -> APIDependencies {
        APIDependencies(
            intake: AttestationIntake(database: pool, pseudonymKey: try pseudonymKey(), logger: quietLogger),
            queries: AttestationQueries(database: pool),
            verification: verification,
            readiness: readiness,
            tokens: try tokens.store(),
            metricsRegistry: registry,
            chainProfiles: chainProfiles,
            logger: quietLogger)
    }

    static func application(
        _ dependencies: APIDependencies, rateLimits: RateLimits = .defaults
    ) -> some ApplicationProtocol {
        buildApplication(APIConfiguration(host: "127.0.0.1", port: 0, rateLimits: rateLimits), dependencies)
    }

    static func string(_ response: TestResponse) -> String {
        String(buffer: response.body)
    }

    static func json(_ response: TestResponse) -> [String: Any] {
        let data = Data(response.body.readableBytesView)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// The `error.code` of an error body (nil when the body is not one).
    static func errorCode(_ response: TestResponse) -> String? {
        (json(response)["error"] as? [String: Any])?["code"] as? String
    }

    static func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
}

/// Live PostgreSQL for the routes that query: a fresh database per test,
/// migrated with the repository's migrations and seeded with a few cases.
/// Without DATABASE_URL the test prints why it skipped, or fails under
/// CASEATTEST_REQUIRE_SERVICES=1.
enum TestDatabase {
    /// Seeded ids: counsellors 1 and 2, student 3; case 10 resolved
    /// (counsellor 1), 11 closed (counsellor 2), 12 open, 13 resolved and
    /// never attested.
    static let seed = """
        INSERT INTO users (id, email, hashed_password, role) VALUES
            (1, 'c1@test.invalid', 'x', 'counsellor'), (2, 'c2@test.invalid', 'x', 'counsellor'),
            (3, 's1@test.invalid', 'x', 'user');
        INSERT INTO cases (id, user_id, counsellor_id, status, created_at, resolved_at) VALUES
            (10, 3, 1, 'resolved', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z'),
            (11, 3, 2, 'closed',   '2026-01-01T00:00:00Z', '2026-02-02T00:00:00Z'),
            (12, 3, 1, 'open',     '2026-01-01T00:00:00Z', NULL),
            (13, 3, 1, 'resolved', '2026-01-01T00:00:00Z', '2026-02-03T00:00:00Z');
        INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type) VALUES
            (10, 3, 1, '2026-01-10T09:00:00Z', 'completed', 'online');
        """

    static func withSeededDatabase(_ test: String = #function, _ body: (PostgresPool) async throws -> Void) async throws
    {
        guard let serverURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !serverURL.isEmpty else {
            if ProcessInfo.processInfo.environment["CASEATTEST_REQUIRE_SERVICES"] == "1" {
                Issue.record("\(test): DATABASE_URL is not set, but CASEATTEST_REQUIRE_SERVICES=1")
            } else {
                print("SKIP \(test): DATABASE_URL is not set (run `make dev-up && source .run/env`, or `make test`)")
            }
            return
        }
        let name = "caseattest_api_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        let url = try replacingDatabase(in: serverURL, with: String(name))
        let admin = try PostgresPool(url: serverURL, maxConnections: 1, logger: TestSupport.quietLogger)
        try await admin.withConnection {
            try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(String(name)))")
        }
        // Prepares its statements, as `caseattest serve`'s API pool does.
        let pool = try PostgresPool(
            url: url, maxConnections: 4, preparesStatements: true, logger: TestSupport.quietLogger)
        do {
            let migrations = TestSupport.repositoryRoot.appendingPathComponent("migrations").path
            _ = try await Migrator(databaseURL: url, directory: migrations, logger: TestSupport.quietLogger).migrate()
            try await pool.withConnection { try $0.simpleExecute(seed) }
            try await body(pool)
        } catch {
            await pool.close()
            try? await drop(String(name), admin: admin)
            throw error
        }
        await pool.close()
        try await drop(String(name), admin: admin)
    }

    private static func drop(_ name: String, admin: PostgresPool) async throws {
        try await admin.withConnection {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(name)) WITH (FORCE)")
        }
        await admin.close()
    }

    private static func replacingDatabase(in url: String, with name: String) throws -> String {
        guard var components = URLComponents(string: url) else {
            throw PostgresError(.badURL, message: "DATABASE_URL is not a URL")
        }
        components.path = "/" + name
        guard let result = components.string else {
            throw PostgresError(.badURL, message: "cannot rebuild DATABASE_URL")
        }
        return result
    }
}
