import Ethereum
import Foundation
import Postgres
import Testing

/// Issue 6, "Done when" 1: the real `caseattest serve` takes 1,000 resolved
/// cases all the way to confirmed anchors.
struct DaemonPipelineTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func thousandResolvedCasesEndUpConfirmedAndProvable() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            try await context.seedCases(1_000)
            // A few cases that must not be attested.
            try await context.seedCases(20, status: "in_progress")
            let options = DaemonOptions(batchMax: 256, batchWait: 1, confirmations: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let done = try await context.waitUntil("1,000 confirmed", timeout: .seconds(150), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 1_000
            }
            let counts = try await context.attestationCounts()
            context.check(done, "not all cases confirmed: \(counts)")
            context.log("attestations by status: \(counts)")
            // The backfill made the planner's statistics stale: the daemon
            // refreshes them itself at its next census (every 10 s, or ten
            // times as long as the last census took on a loaded machine).
            // On a slow run autovacuum may analyze first (its threshold is
            // 10% of a small table); the daemon then finds them fresh.
            let analyzed = try await context.waitUntil("the statistics refreshed", timeout: .seconds(60)) {
                try await context.int(
                    """
                    SELECT count(*) AS n FROM pg_stat_user_tables
                    WHERE schemaname = 'caseattest' AND relname = 'attestation'
                      AND (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL)
                    """) == 1
            }
            context.check(analyzed, "the statistics of attestation were never refreshed")
            let status = await daemon.terminate()
            context.check(status == 0, "the daemon exited with \(String(describing: status)) on SIGTERM")

            try await context.checkEveryCaseConfirmedOnce(expected: 1_000)
            try await checkCaseRowWrites(context, cases: 1_000)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 1_000, "audited \(audited) confirmed rows")
            let batches = try await context.int(
                "SELECT count(*) AS n FROM attestation_batch WHERE status = 'confirmed'")
            context.check(batches >= 4, "\(batches) batches for 1,000 cases at --batch-max 256")
            let oversized = try await context.int("SELECT count(*) AS n FROM attestation_batch WHERE leaf_count > 256")
            context.check(oversized == 0, "batches above --batch-max")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            let untouched = try await context.int(
                """
                SELECT count(*) AS n FROM cases c JOIN attestation a ON a.case_id = c.id WHERE c.status = 'in_progress'
                """)
            context.check(untouched == 0, "\(untouched) in-progress cases were attested")
            context.log("\(audited) rows audited in \(batches) batches")
        }
    }

    /// Issue 17: a case row is inserted when requested and written when
    /// committed, when batched (once for both when its commit closed its
    /// batch) and once when confirmed; signing, sending and
    /// mining are written on the batch and transaction rows (PostgreSQL's own
    /// counters of the test's database, flushed when the daemon's sessions end).
    private func checkCaseRowWrites(_ context: DaemonTestContext, cases: Int) async throws {
        let query: PostgresQuery = """
            SELECT n_tup_ins, n_tup_upd FROM pg_stat_user_tables
            WHERE schemaname = 'caseattest' AND relname = 'attestation'
            """
        var inserted = 0
        var updated = 0
        let flushed = try await context.waitUntil("the daemon's table counters", timeout: .seconds(10)) {
            let row = try await context.database.query(query).rows[0]
            inserted = try row.decode(Int.self, "n_tup_ins")
            updated = try row.decode(Int.self, "n_tup_upd")
            return inserted == cases && updated >= cases
        }
        context.log("case rows: \(inserted) inserted, \(updated) updates")
        context.check(flushed, "counters: \(inserted) inserted, \(updated) updates for \(cases) cases")
        // Two updates a row (committed, batched), one for a row whose commit
        // closed its full batch (CommitClosesBatchTests): how many did
        // depends on how the requests arrived. The confirmation writes none
        // (migration 0017): the rows stay batched and the view shows them
        // confirmed, which checkEveryCaseConfirmedOnce read above.
        context.check(
            cases...(2 * cases) ~= updated, "\(updated) updates of \(cases) case rows, expected 1 or 2 each")
    }
}
