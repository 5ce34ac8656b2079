/// The statements one session has prepared (PQprepare), by SQL text and
/// parameter types, so a hot statement is planned once per session instead
/// of on every call. Bounded: past `maximumCount` distinct statements, new
/// ones simply run unprepared.
struct PreparedStatements {
    struct Key: Hashable {
        let sql: String
        let types: [UInt32]
    }

    static let maximumCount = 128

    private var names: [Key: String] = [:]
    /// The columns each prepared statement returns, by name.
    private var shapes: [String: PostgresColumns] = [:]
    /// Names are never reused, so a forgotten statement cannot be mistaken
    /// for a new one with the same name.
    private var made = 0

    func name(for key: Key) -> String? {
        names[key]
    }

    /// A new statement name for `key`, or nil when the session holds its
    /// maximum (the caller then runs the statement unprepared).
    mutating func reserve(_ key: Key) -> String? {
        guard names.count < Self.maximumCount else { return nil }
        made += 1
        let name = "caseattest_\(made)"
        names[key] = name
        return name
    }

    /// Drops `key` (its preparation failed, or the server can no longer use
    /// it): the next call prepares it again under a new name.
    mutating func forget(_ key: Key) {
        if let name = names[key] { shapes[name] = nil }
        names[key] = nil
    }

    func shape(of statement: String) -> PostgresColumns? {
        shapes[statement]
    }

    /// Keeps the columns a statement returned, while it stays prepared.
    mutating func remember(_ shape: PostgresColumns?, of statement: String) {
        guard let shape, shapes[statement] !== shape else { return }
        shapes[statement] = shape
    }

    var count: Int { names.count }
}
