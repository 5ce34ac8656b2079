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
