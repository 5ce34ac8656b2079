import Logging
import Postgres

/// When the planner's statistics of `attestation` are refreshed by us
/// (`caseattest.refresh_statistics()`, migration 0014) rather than left to
/// autovacuum: once the rows written since the last ANALYZE are a fifth of
/// the table, and at least `minimumChanges`. A backfill crosses that within
/// seconds; a steady trickle of cases leaves it to autovacuum.
enum StatisticsFreshness {
    static let minimumChanges: Int64 = 1_000

    static func isStale(changedSinceAnalyze changed: Int64, liveRows: Int64) -> Bool {
        changed >= minimumChanges && changed * 5 >= liveRows
    }

    /// Refreshes them when stale. The worker asks at each census; `verify`
    /// of more than one case asks before it starts (right after a backfill, plans made from the
    /// table as it was mid-way made it 9x slower). A role that may not
    /// refresh them goes on with what there is.
    static func refreshIfStale(_ database: PostgresPool, logger: Logger) async {
        do {
            guard
                let row = try await database.query(
                    """
                    SELECT n_mod_since_analyze AS changed, n_live_tup AS live FROM pg_stat_user_tables
                    WHERE schemaname = 'caseattest' AND relname = 'attestation'
                    """
                ).rows.first,
                isStale(
                    changedSinceAnalyze: try row.decode(Int64.self, "changed"),
                    liveRows: try row.decode(Int64.self, "live"))
            else { return }
            try await database.query("SELECT caseattest.refresh_statistics()")
            logger.debug("refreshed the planner's statistics of attestation")
        } catch {
            logger.debug("the planner's statistics were not refreshed", metadata: ["error": "\(error)"])
        }
    }
}
