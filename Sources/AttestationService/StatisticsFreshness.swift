/// When the worker refreshes the planner's statistics of `attestation`
/// itself (`caseattest.refresh_statistics()`, migration 0014) rather than
/// waiting for autovacuum: once the rows written since the last ANALYZE are
/// a fifth of the table, and at least `minimumChanges`. A backfill crosses
/// that within seconds; a steady trickle of cases leaves it to autovacuum.
enum StatisticsFreshness {
    static let minimumChanges: Int64 = 1_000

    static func isStale(changedSinceAnalyze changed: Int64, liveRows: Int64) -> Bool {
        changed >= minimumChanges && changed * 5 >= liveRows
    }
}
