import Postgres

/// Counts that read a whole table (the worker's census, the backlog
/// monitor) run beside the work they count, and on a million cases one such
/// count costs seconds of CPU. Left to PostgreSQL's parallel workers on a
/// fixed interval, the backlog monitor's count took 44 of the 120 CPU seconds
/// of a backfill's first minute (1,000,000 cases, two cores), and the commits
/// it counted crawled. One place for both rules below.
enum FullScan {
    /// A full count is followed by at least this many times its duration of other work.
    static let spacing: Double = 10

    /// How long to wait after a full count that took `took` seconds, at
    /// least its `interval`: it never takes more than about a tenth of the
    /// time, however large the table grows.
    static func wait(interval: Double, took: Double) -> Double {
        max(interval, took * spacing)
    }

    /// Runs `query` on one backend, without parallel workers: a parallel
    /// plan spreads the count over every core the commits need.
    static func query(_ query: PostgresQuery, on database: PostgresPool) async throws -> PostgresQueryResult {
        try await database.transaction { connection in
            try connection.query("SET LOCAL max_parallel_workers_per_gather = 0")
            return try connection.query(query)
        }
    }
}
