import Foundation
import Logging

/// One dedicated connection on its own thread, for state that lives in a
/// session: advisory locks, LISTEN. It never reconnects by itself, because a
/// new connection would silently lose that state; after a failure callers see
/// `isBroken` and build a new session.
public final class PostgresSession: Sendable {
    private let executor: BlockingExecutor
    private let holder: ConnectionHolder
    private let url: String
    private let logger: Logger

    public init(url: String, logger: Logger) throws {
        try PostgresURL.validate(url)
        self.url = url
        self.logger = logger
        executor = BlockingExecutor(threadCount: 1, name: "caseattest.postgres.session")
        holder = ConnectionHolder()
    }

    deinit {
        executor.shutdown()
    }

    /// Runs `body` on the session's connection (connecting on first use).
    public func run<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        try await executor.run { [holder, url, logger] in
            if holder.broken {
                throw PostgresError(.connectionFailed, message: "the session's connection was lost")
            }
            let connection: PostgresConnection
            if let existing = holder.connection {
                connection = existing
            } else {
                connection = try PostgresConnection.connect(url: url, limits: .service, logger: logger)
                holder.connection = connection
            }
            do {
                return try body(connection)
            } catch {
                if !connection.isHealthy {
                    holder.broken = true
                    connection.close()
                    holder.connection = nil
                }
                throw error
            }
        }
    }

    /// True once the connection failed: the session's locks are gone.
    public var isBroken: Bool {
        get async { (try? await executor.run { [holder] in holder.broken }) ?? true }
    }

    public func close() async {
        _ = try? await executor.run { [holder] in
            holder.connection?.close()
            holder.connection = nil
            holder.broken = true
        }
    }
}

/// Touched only on the session's single executor thread.
private final class ConnectionHolder: @unchecked Sendable {
    var connection: PostgresConnection?
    var broken = false
}
