/// An error from PostgreSQL or libpq. It carries the SQLSTATE and the
/// server's message but never the values bound to a query, so it is safe to log.
public struct PostgresError: Error, CustomStringConvertible, Sendable, Equatable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let connectionFailed = Code("connection-failed")
        public static let badURL = Code("bad-url")
        public static let queryFailed = Code("query-failed")
        public static let decoding = Code("decoding")
        public static let poolClosed = Code("pool-closed")
        public static let invalidParameter = Code("invalid-parameter")
        public static let transactionAborted = Code("transaction-aborted")
        public static let listenerClosed = Code("listener-closed")
    }

    public let code: Code
    /// The five-character SQLSTATE when the server sent one (e.g. "23505").
    public let sqlState: String?
    public let message: String

    public init(_ code: Code, sqlState: String? = nil, message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    public var description: String {
        if let sqlState { return "PostgreSQL \(code) [\(sqlState)]: \(message)" }
        return "PostgreSQL \(code): \(message)"
    }
}
