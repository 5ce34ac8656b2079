import Foundation

/// A value bound to a query parameter (`$1...$n`). Values always travel
/// separately from the SQL text; nothing here ever builds SQL from a value.
public enum PostgresValue: Sendable, Hashable {
    case null
    /// Bound as int8. Fine wherever PostgreSQL widens or compares integers.
    case int(Int64)
    /// Bound as int4, for functions that take exactly an integer (e.g. pg_terminate_backend).
    case int32(Int32)
    case double(Double)
    case bool(Bool)
    case text(String)
    case bytea([UInt8])
    case timestamp(PostgresTimestamp)
    /// jsonb given as its JSON text; the server validates it.
    case jsonb(String)
    /// numeric given as its decimal text (e.g. "12.50"); the server validates it.
    case numeric(String)
}

/// One parameter as libpq wants it: a type OID, bytes and a format flag.
struct WireParameter {
    let typeOID: UInt32
    /// nil for SQL NULL.
    let bytes: [UInt8]?
    /// true: binary format (bytea only); false: text format.
    let binary: Bool
}

extension PostgresValue {
    /// Encodes the value for PQexecParams. `position` is only used to say which
    /// parameter was bad; the value itself never appears in the error.
    func wireParameter(position: Int) throws -> WireParameter {
        switch self {
        case .null:
            return WireParameter(typeOID: 0, bytes: nil, binary: false)
        case .int(let value):
            return WireParameter(typeOID: PostgresTypeOID.int8, bytes: Array(String(value).utf8), binary: false)
        case .int32(let value):
            return WireParameter(typeOID: PostgresTypeOID.int4, bytes: Array(String(value).utf8), binary: false)
        case .double(let value):
            return WireParameter(
                typeOID: PostgresTypeOID.float8, bytes: Array(Self.doubleText(value).utf8), binary: false)
        case .bool(let value):
            return WireParameter(typeOID: PostgresTypeOID.bool, bytes: Array((value ? "t" : "f").utf8), binary: false)
        case .text(let value):
            return WireParameter(
                typeOID: PostgresTypeOID.text, bytes: try Self.textBytes(value, position: position), binary: false)
        case .bytea(let value):
            // Binary format: the bytes go as they are, zero bytes included.
            return WireParameter(typeOID: PostgresTypeOID.bytea, bytes: value, binary: true)
        case .timestamp(let value):
            return WireParameter(
                typeOID: PostgresTypeOID.timestamptz, bytes: Array(value.postgresText.utf8), binary: false)
        case .jsonb(let value):
            return WireParameter(
                typeOID: PostgresTypeOID.jsonb, bytes: try Self.textBytes(value, position: position), binary: false)
        case .numeric(let value):
            return WireParameter(
                typeOID: PostgresTypeOID.numeric, bytes: try Self.textBytes(value, position: position), binary: false)
        }
    }

    private static func textBytes(_ value: String, position: Int) throws -> [UInt8] {
        let bytes = Array(value.utf8)
        // Text parameters are C strings, and PostgreSQL text cannot hold NUL anyway.
        if bytes.contains(0) {
            throw PostgresError(
                .invalidParameter,
                message: "parameter $\(position) contains a NUL character, which PostgreSQL text cannot store")
        }
        return bytes
    }

    static func doubleText(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "Infinity" }
        if value == -.infinity { return "-Infinity" }
        // Swift's description is the shortest text that round-trips.
        return value.description
    }
}

/// Types that can be bound as a query parameter or interpolated into a `PostgresQuery`.
public protocol PostgresEncodable: Sendable {
    var postgresValue: PostgresValue { get }
}

extension PostgresValue: PostgresEncodable {
    public var postgresValue: PostgresValue { self }
}

extension Int: PostgresEncodable {
    public var postgresValue: PostgresValue { .int(Int64(self)) }
}

extension Int64: PostgresEncodable {
    public var postgresValue: PostgresValue { .int(self) }
}

extension Int32: PostgresEncodable {
    public var postgresValue: PostgresValue { .int32(self) }
}

extension Int16: PostgresEncodable {
    public var postgresValue: PostgresValue { .int32(Int32(self)) }
}

extension Double: PostgresEncodable {
    public var postgresValue: PostgresValue { .double(self) }
}

extension Bool: PostgresEncodable {
    public var postgresValue: PostgresValue { .bool(self) }
}

extension String: PostgresEncodable {
    public var postgresValue: PostgresValue { .text(self) }
}

extension Array: PostgresEncodable where Element == UInt8 {
    public var postgresValue: PostgresValue { .bytea(self) }
}

extension Date: PostgresEncodable {
    public var postgresValue: PostgresValue { .timestamp(PostgresTimestamp(self)) }
}

extension PostgresTimestamp: PostgresEncodable {
    public var postgresValue: PostgresValue { .timestamp(self) }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public var postgresValue: PostgresValue { self?.postgresValue ?? .null }
}
