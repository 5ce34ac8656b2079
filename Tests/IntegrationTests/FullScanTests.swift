import Foundation
import Postgres
import Testing

@testable import AttestationService

/// The whole-table counts (census, backlog monitor) on real PostgreSQL: run
/// without parallel workers, and the connection handed back as it was.
struct FullScanTests {
    @Test func aFullCountRunsWithoutParallelWorkersAndLeavesTheSessionAsItWas() async throws {
        try await VerifierWorld.with { world in
            let setting = "SELECT current_setting('max_parallel_workers_per_gather') AS workers"
            let before = try await world.database.query(PostgresQuery(sql: setting))
                .rows[0].decode(String.self, "workers")
            #expect(before != "0", "the server's default allows parallel workers")
            let during = try await FullScan.query(PostgresQuery(sql: setting), on: world.database)
            #expect(try during.rows[0].decode(String.self, "workers") == "0")
            // Every connection of the pool (two) answers with the default again.
            for _ in 0..<4 {
                let after = try await world.database.query(PostgresQuery(sql: setting))
                #expect(try after.rows[0].decode(String.self, "workers") == before)
            }
        }
    }

    @Test func theBacklogCountsAttestableCasesWithNoAttestation() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(5, appointments: 1)
            try await world.attest([cases[0], cases[3]])
            try await world.execute("UPDATE cases SET status = 'open' WHERE id = \(cases[1])")
            let monitor = BacklogMonitor(
                database: world.database, ethereum: world.eth, interval: .seconds(30), logger: VerifierWorld.logger)
            // The dev chain mines a block a second: the head is read between these two.
            let headBefore = try await world.eth.blockNumber()
            let snapshot = try await monitor.snapshot()
            let headAfter = try await world.eth.blockNumber()
            #expect(snapshot.unattestedCases == 2)
            #expect((headBefore...headAfter).contains(snapshot.chainHead))
        }
    }
}
