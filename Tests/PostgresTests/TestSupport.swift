import Foundation
import Logging
import Testing

@testable import Postgres

/// Live tests read DATABASE_URL. Without it they print why they skipped,
/// unless CASEATTEST_REQUIRE_SERVICES=1, when a missing server is a failure.
enum LiveServer {
    static var url: String? {
        let value = ProcessInfo.processInfo.environment["DATABASE_URL"]
        return value?.isEmpty == false ? value : nil
    }

    static var required: Bool {
        ProcessInfo.processInfo.environment["CASEATTEST_REQUIRE_SERVICES"] == "1"
    }

    /// Runs `body` with the URL of a fresh database created for this test on
    /// DATABASE_URL's server, and drops that database afterwards.
    static func withFreshDatabase(
        _ test: String = #function,
        _ body: (_ url: String) async throws -> Void
    ) async throws {
        guard let serverURL = url else {
            if required {
                Issue.record("DATABASE_URL is not set, but CASEATTEST_REQUIRE_SERVICES=1 requires PostgreSQL")
            } else {
                print(
                    "skipped \(test): DATABASE_URL is not set (set it, or run make test, to run live PostgreSQL tests)")
            }
            return
        }
        let name = "caseattest_test_" + (0..<12).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
        let databaseURL = try replacingDatabase(in: serverURL, with: name)
        try await admin(serverURL) { try $0.simpleExecute("CREATE DATABASE \(try $0.quoteIdentifier(name))") }
        do {
            try await body(databaseURL)
        } catch {
            try? await dropDatabase(serverURL, name)
            throw error
        }
        try await dropDatabase(serverURL, name)
    }

    private static func dropDatabase(_ serverURL: String, _ name: String) async throws {
        try await admin(serverURL) {
            try $0.simpleExecute("DROP DATABASE IF EXISTS \(try $0.quoteIdentifier(name)) WITH (FORCE)")
        }
    }

    /// A short session on the server's own database, on a thread of its own.
    static func admin<T: Sendable>(
        _ serverURL: String, _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await onOwnThread { try withConnection(serverURL, body) }
    }

    static func withConnection<T>(
        _ url: String, logger: Logger = quietLogger, _ body: (PostgresConnection) throws -> T
    ) throws -> T {
        let connection = try PostgresConnection.connect(url: url, logger: logger)
        defer { connection.close() }
        return try body(connection)
    }

    /// Blocking libpq work in tests also stays off the cooperative pool.
    static func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await BlockingExecutor.runOnOwnThread(name: "caseattest.test", body)
    }

    static func replacingDatabase(in url: String, with name: String) throws -> String {
        guard var components = URLComponents(string: url) else {
            throw PostgresError(.badURL, message: "DATABASE_URL is not a URL")
        }
        components.path = "/" + name
        guard let result = components.string else {
            throw PostgresError(.badURL, message: "cannot rebuild DATABASE_URL")
        }
        return result
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "caseattest.postgres.tests", factory: { _ in SwiftLogNoOpLogHandler() })
        logger.logLevel = .critical
        return logger
    }()
}

/// Log records kept in memory so tests can assert on what was logged.
final class CapturedLogs: @unchecked Sendable {
    struct Entry: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    var entries: [Entry] {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }

    func append(_ entry: Entry) {
        lock.lock()
        stored.append(entry)
        lock.unlock()
    }

    var logger: Logger {
        var logger = Logger(label: "caseattest.postgres.tests") { _ in CapturingLogHandler(store: self) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingLogHandler: LogHandler {
    let store: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        store.append(
            .init(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
    }
}
