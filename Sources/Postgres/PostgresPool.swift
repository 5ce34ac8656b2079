import Foundation
import Logging
import Synchronization

/// A bounded pool of connections. Every blocking libpq call runs on the pool's
/// own threads (one per connection slot), never on Swift's cooperative pool.
///
/// Bodies are synchronous on purpose: a connection (and any open transaction)
/// is held only while the body runs on a pool thread, never across an `await`.
public final class PostgresPool: Sendable {
    public let maxConnections: Int
    private let url: String
    private let logger: Logger
    private let limits: PostgresSessionLimits
    private let preparesStatements: Bool
    private let executor: BlockingExecutor
    private let state = PoolState()
    /// Ids for waiters (a UUID each cost more than the rest of `acquire`).
    private let waiterIDs = Atomic<UInt64>(0)

    /// `preparesStatements`: every connection prepares its statements on
    /// first use (see `PostgresConnection.preparesStatements`).
    public init(
        url: String, maxConnections: Int = 4, limits: PostgresSessionLimits = .service,
        preparesStatements: Bool = false, logger: Logger
    ) throws {
        try PostgresURL.validate(url)
        self.url = url
        self.limits = limits
        self.preparesStatements = preparesStatements
        self.maxConnections = max(1, maxConnections)
        self.logger = logger
        executor = BlockingExecutor(threadCount: self.maxConnections, name: "caseattest.postgres")
    }

    deinit {
        // Idle connections close as the state is freed; the threads end here.
        executor.shutdown()
    }

    /// Runs `body` with a connection of its own on a pool thread. Waits (in
    /// order) while all connections are busy.
    @discardableResult
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        let lease = try await acquire()
        return try await executor.run { [self] in
            var connection = lease.take()
            if connection == nil {
                do {
                    connection = try PostgresConnection.connect(url: url, limits: limits, logger: logger)
                    connection?.preparesStatements = preparesStatements
                } catch {
                    release(nil)
                    throw error
                }
            }
            guard let connection else { throw PostgresError(.connectionFailed, message: "no connection") }
            defer { release(connection) }
            return try body(connection)
        }
    }

    /// Runs `body` with the pool's threads as its task executor: its queries
    /// run on the thread it is on, with no hop to a pool thread and back, and
    /// its other work (and its child tasks') runs on those threads too. For a
    /// server whose requests are mostly a query (the API). Close the pool
    /// after `body` returns, not inside it.
    public func withTaskExecutor<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await withTaskExecutorPreference(executor, operation: body)
    }

    /// Runs one parameterised query.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresQueryResult {
        try await withConnection { try $0.query(query) }
    }

    /// Runs `body` in a transaction on one connection: COMMIT when it returns,
    /// ROLLBACK when it throws.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T
    {
        try await withConnection { try $0.transaction(body) }
    }

    /// Fails waiting callers, closes idle connections now and busy ones when
    /// their bodies finish, then stops the threads.
    public func close() async {
        let (idle, waiters) = state.close()
        for waiter in waiters {
            waiter.resume(throwing: PostgresError(.poolClosed, message: "the connection pool is closed"))
        }
        let transfer = UncheckedTransfer(idle)
        _ = try? await executor.run { transfer.value.forEach { $0.close() } }
        executor.shutdown()
    }

    /// Connections currently open and currently lent out (for tests and metrics).
    public var statistics: (open: Int, inUse: Int, waiting: Int) {
        state.statistics
    }

    // MARK: Leasing

    /// Either an idle connection or permission to open a new one.
    private func acquire() async throws -> Lease {
        try Task.checkCancellation()
        let waiterID = waiterIDs.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, Error>) in
                switch state.acquire(maxConnections: maxConnections, waiterID: waiterID, continuation: continuation) {
                case .ready(let lease): continuation.resume(returning: lease)
                case .closed:
                    continuation.resume(throwing: PostgresError(.poolClosed, message: "the connection pool is closed"))
                case .queued: break
                }
            }
        } onCancel: {
            state.cancelWaiter(waiterID)?.resume(throwing: CancellationError())
        }
    }

    /// Returns a connection after use. Broken connections are dropped; a
    /// session left inside a transaction is rolled back first.
    private func release(_ connection: PostgresConnection?) {
        var keep = connection
        if let connection {
            if connection.isHealthy && !connection.isIdle {
                connection.rollbackQuietly()
            }
            if !connection.isHealthy || !connection.isIdle {
                logger.warning("dropping a broken PostgreSQL connection from the pool")
                connection.close()
                keep = nil
            }
        }
        let transfer = UncheckedTransfer(keep)
        switch state.release(transfer.value) {
        case .handedTo(let waiter, let lease): waiter.resume(returning: lease)
        case .kept: break
        case .closeIt: transfer.value?.close()
        }
    }
}

/// A connection passed from the pool to exactly one pool thread. The pool
/// guarantees exclusive use, which the compiler cannot see.
struct UncheckedTransfer<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What `acquire` hands out: an idle connection, or nil meaning "open one".
final class Lease: @unchecked Sendable {
    private var connection: PostgresConnection?
    init(_ connection: PostgresConnection?) { self.connection = connection }
    func take() -> PostgresConnection? {
        defer { connection = nil }
        return connection
    }
}

/// The pool's bookkeeping, behind a lock. Never blocks while holding it.
private final class PoolState: @unchecked Sendable {
    enum AcquireOutcome {
        case ready(Lease)
        case queued, closed
    }
    enum ReleaseOutcome {
        case handedTo(CheckedContinuation<Lease, Error>, Lease)
        case kept, closeIt
    }

    private let lock = NSLock()
    private var idle: [PostgresConnection] = []
    /// Connections open or being opened, idle or lent out.
    private var open = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Lease, Error>)] = []
    private var closed = false

    func acquire(
        maxConnections: Int, waiterID: UInt64, continuation: CheckedContinuation<Lease, Error>
    ) -> AcquireOutcome {
        lock.lock()
        defer { lock.unlock() }
        if closed { return .closed }
        if let connection = idle.popLast() { return .ready(Lease(connection)) }
        if open < maxConnections {
            open += 1
            return .ready(Lease(nil))
        }
        waiters.append((waiterID, continuation))
        return .queued
    }

    /// A nil connection means the slot is free (a failed open or a dropped connection).
    func release(_ connection: PostgresConnection?) -> ReleaseOutcome {
        lock.lock()
        defer { lock.unlock() }
        if closed {
            open -= 1
            return .closeIt
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            return .handedTo(waiter.continuation, Lease(connection))
        }
        if let connection {
            idle.append(connection)
        } else {
            open -= 1
        }
        return .kept
    }

    func cancelWaiter(_ id: UInt64) -> CheckedContinuation<Lease, Error>? {
        lock.lock()
        defer { lock.unlock() }
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return nil }
        return waiters.remove(at: index).continuation
    }

    func close() -> (idle: [PostgresConnection], waiters: [CheckedContinuation<Lease, Error>]) {
        lock.lock()
        defer { lock.unlock() }
        closed = true
        let connections = idle
        open -= idle.count
        idle = []
        let pending = waiters.map(\.continuation)
        waiters = []
        return (connections, pending)
    }

    var statistics: (open: Int, inUse: Int, waiting: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (open, open - idle.count, waiters.count)
    }
}
