import Postgres

/// Serialises the service's writes about one case (requests, erasure) for
/// the rest of the caller's transaction. A transaction-level advisory lock,
/// not `SELECT ... FOR UPDATE` on the backend's `cases`: that would need the
/// right to update cases, which the service's role does not have. Ids that
/// share their low 32 bits share a lock, which only costs a short wait.
enum CaseLock {
    /// "CA" "SE": the lock space of case locks, apart from the migrator's key.
    static let space: Int32 = 0x4341_5345

    static func lock(_ caseID: Int64, on connection: PostgresConnection) throws {
        try connection.query("SELECT pg_advisory_xact_lock(\(space), \(Int32(truncatingIfNeeded: caseID)))")
    }
}
