/// SQL text with `$1...$n` placeholders plus the values bound to them.
///
/// Written as a string literal, every interpolation becomes a bind, never SQL
/// text: `"SELECT * FROM cases WHERE id = \(id)"` sends `... WHERE id = $1`
/// with `id` as parameter 1. There is deliberately no way to splice a value
/// into the SQL text.
public struct PostgresQuery: Sendable, Hashable, ExpressibleByStringInterpolation {
    public var sql: String
    public var binds: [PostgresValue]

    /// SQL that already uses `$n` placeholders, with its values. The SQL
    /// should be a constant: values belong in `binds`.
    public init(sql: String, binds: [PostgresValue] = []) {
        self.sql = sql
        self.binds = binds
    }

    public init(stringLiteral value: String) {
        self.init(sql: value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self.init(sql: stringInterpolation.sql, binds: stringInterpolation.binds)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var binds: [PostgresValue] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + interpolationCount * 3)
            binds.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Adds the value as the next parameter and writes its placeholder.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value) {
            binds.append(value.postgresValue)
            sql += "$\(binds.count)"
        }

        /// Splices SQL text fixed at compile time (a column list, a fragment).
        /// `StaticString` keeps runtime values out: they can only be binds.
        public mutating func appendInterpolation(unescaped fragment: StaticString) {
            sql += fragment.description
        }

        /// nil binds SQL NULL. (Spelled out so optionals need no cast.)
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            binds.append(value?.postgresValue ?? .null)
            sql += "$\(binds.count)"
        }
    }
}
