import Foundation
import Testing

@testable import Postgres

/// Counts bodies running at once, and what the server saw, across pool threads.
private final class ConcurrencyTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var running = 0
    private(set) var maxRunning = 0
    private(set) var maxServerConnections = 0
    private(set) var pids: Set<Int32> = []
    private(set) var offExecutorThreads = 0

    func enter(onExecutorThread: Bool) {
        lock.lock()
        running += 1
        maxRunning = max(maxRunning, running)
        if !onExecutorThread { offExecutorThreads += 1 }
        lock.unlock()
    }

    func leave(pid: Int32, serverConnections: Int) {
        lock.lock()
        running -= 1
        pids.insert(pid)
        maxServerConnections = max(maxServerConnections, serverConnections)
        lock.unlock()
    }
}

struct PoolTests {
    @Test func thePoolBoundHoldsUnderConcurrency() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(url: url, maxConnections: 3, logger: LiveServer.quietLogger)
            let tracker = ConcurrencyTracker()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            tracker.enter(onExecutorThread: BlockingExecutor.isExecutorThread)
                            let row = try connection.query(
                                """
                                SELECT pg_backend_pid() AS pid, pg_sleep(0.02)::text AS slept,
                                       (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()) AS \
                                connections
                                """)[0]
                            tracker.leave(
                                pid: try row.decode(Int32.self, "pid"),
                                serverConnections: try row.decode(Int.self, "connections"))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tracker.maxRunning <= 3)
            #expect(tracker.maxRunning >= 2, "the pool should have run bodies concurrently")
            #expect(tracker.pids.count <= 3)
            #expect(tracker.maxServerConnections <= 3)
            #expect(pool.statistics.open <= 3)
            // Blocking work ran on the pool's own threads, not the cooperative pool.
            #expect(tracker.offExecutorThreads == 0)
            #expect(!BlockingExecutor.isExecutorThread, "the test itself runs on the cooperative pool")
            await pool.close()
            await #expect {
                _ = try await pool.query("SELECT 1")
            } throws: { ($0 as? PostgresError)?.code == .poolClosed }
        }
    }

    /// A task preferring the pool's threads (`withTaskExecutor`) runs each
    /// query on the thread it is on, a pool thread, within the pool's bound;
    /// one that does not hops to a pool thread. A task that still prefers the
    /// threads once the pool is closed goes on all the same.
    @Test func aTaskOnThePoolsThreadsRunsItsQueriesWhereItIs() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(url: url, maxConnections: 2, logger: LiveServer.quietLogger)
            @Sendable func queryWhereItRuns() async throws -> (sameThread: Bool, onPoolThread: Bool) {
                let before = pthread_self()
                return try await pool.withConnection { connection in
                    try connection.query("SELECT pg_sleep(0.01)::text AS slept")
                    return (pthread_equal(before, pthread_self()) != 0, BlockingExecutor.isExecutorThread)
                }
            }
            let preferring = try await pool.withTaskExecutor {
                try await withThrowingTaskGroup(of: (sameThread: Bool, onPoolThread: Bool).self) { group in
                    for _ in 0..<8 { group.addTask { try await queryWhereItRuns() } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
            }
            #expect(preferring.count == 8)
            #expect(preferring.allSatisfy { $0.sameThread && $0.onPoolThread })
            #expect(pool.statistics.open <= 2)
            let elsewhere = try await queryWhereItRuns()
            #expect(!elsewhere.sameThread && elsewhere.onPoolThread, "from the cooperative pool, a hop")

            await pool.close()
            let after = await pool.withTaskExecutor { () async -> Int in
                await Task.yield()
                return 1
            }
            #expect(after == 1, "a task preferring the closed pool's threads still finishes")
        }
    }

    @Test func poolTransactionsCommitAndRollBack() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(url: url, maxConnections: 1, logger: LiveServer.quietLogger)
            try await pool.query("CREATE TABLE events (id int PRIMARY KEY)")
            try await pool.transaction { try $0.query("INSERT INTO events VALUES (\(1))") }
            struct Boom: Error {}
            await #expect(throws: Boom.self) {
                try await pool.transaction { connection in
                    try connection.query("INSERT INTO events VALUES (\(2))")
                    throw Boom()
                }
            }
            // A body that leaves a transaction open gets it rolled back on release.
            try await pool.withConnection { connection in
                try connection.simpleExecute("BEGIN")
                try connection.query("INSERT INTO events VALUES (\(3))")
            }
            let rows = try await pool.query("SELECT id FROM events ORDER BY id")
            #expect(try rows.map { try $0.decode(Int.self, "id") } == [1])
            await pool.close()
        }
    }

    @Test func aTerminatedConnectionIsDroppedAndReplaced() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(url: url, maxConnections: 1, logger: LiveServer.quietLogger)
            let pid = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int32.self, "pid")
            let terminated = try await LiveServer.admin(url) {
                try $0.query("SELECT pg_terminate_backend(\(pid)) AS done")[0].decode(Bool.self, "done")
            }
            #expect(terminated)
            await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
            let newPID = try await pool.query("SELECT pg_backend_pid() AS pid")[0].decode(Int32.self, "pid")
            #expect(newPID != pid)
            await pool.close()
        }
    }

    @Test func aWaiterCanBeCancelled() async throws {
        try await LiveServer.withFreshDatabase { url in
            let pool = try PostgresPool(url: url, maxConnections: 1, logger: LiveServer.quietLogger)
            // Held long enough that the waiter is still waiting when cancelled, even on a loaded machine.
            let holder = Task { try await pool.query("SELECT pg_sleep(5)") }
            try await Task.sleep(for: .milliseconds(100))
            let waiter = Task { try await pool.query("SELECT 1") }
            try await Task.sleep(for: .milliseconds(50))
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            _ = try await holder.value
            #expect(try await pool.query("SELECT 2 AS two")[0].decode(Int.self, "two") == 2)
            await pool.close()
        }
    }
}
