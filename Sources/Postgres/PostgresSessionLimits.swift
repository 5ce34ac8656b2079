/// Server-side time limits of a session: no statement of the service may
/// hang on a lock or a runaway plan. Migrations run without them (an index
/// build may take long); the daemon and the API use `.service`.
public struct PostgresSessionLimits: Sendable, Hashable {
    /// `statement_timeout`, in milliseconds; 0 is no limit.
    public var statementTimeoutMilliseconds: Int
    /// `lock_timeout`, in milliseconds; 0 is no limit.
    public var lockTimeoutMilliseconds: Int
    /// `idle_in_transaction_session_timeout`: a client that died mid-transaction
    /// releases its row locks.
    public var idleInTransactionMilliseconds: Int

    public init(statementTimeoutMilliseconds: Int, lockTimeoutMilliseconds: Int, idleInTransactionMilliseconds: Int) {
        self.statementTimeoutMilliseconds = max(0, statementTimeoutMilliseconds)
        self.lockTimeoutMilliseconds = max(0, lockTimeoutMilliseconds)
        self.idleInTransactionMilliseconds = max(0, idleInTransactionMilliseconds)
    }

    public static let none = PostgresSessionLimits(
        statementTimeoutMilliseconds: 0, lockTimeoutMilliseconds: 0,
        idleInTransactionMilliseconds: 0)
    /// The service's queries are short; a bulk commit of 512 rows takes well under a second.
    public static let service = PostgresSessionLimits(
        statementTimeoutMilliseconds: 60_000, lockTimeoutMilliseconds: 10_000,
        idleInTransactionMilliseconds: 120_000)

    /// Integers only, so the SQL cannot carry anything else.
    var settings: String {
        "; SET statement_timeout = \(statementTimeoutMilliseconds); SET lock_timeout = \(lockTimeoutMilliseconds)"
            + "; SET idle_in_transaction_session_timeout = \(idleInTransactionMilliseconds)"
    }
}
