import Foundation

/// One non-NULL cell in text format, with its column for error messages.
public struct PostgresCell: Sendable {
    public let column: PostgresColumn
    /// A slice of the result's one buffer (see `PostgresCells`), not a copy.
    public let bytes: ArraySlice<UInt8>

    public init(column: PostgresColumn, bytes: ArraySlice<UInt8>) {
        self.column = column
        self.bytes = bytes
    }

    public init(column: PostgresColumn, bytes: [UInt8]) {
        self.init(column: column, bytes: bytes[...])
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// An error that names the column and its type but never the value.
    func failure(_ swiftType: Any.Type, _ reason: String? = nil) -> PostgresError {
        var message = "cannot decode column \"\(column.name)\" (\(column.typeName)) as \(swiftType)"
        if let reason { message += ": \(reason)" }
        return PostgresError(.decoding, message: message)
    }

    func requireType(_ accepted: Set<UInt32>, for swiftType: Any.Type) throws {
        guard accepted.contains(column.typeOID) else { throw failure(swiftType) }
    }
}

/// Types a result cell decodes to. Optional types decode NULL as nil; the
/// others reject NULL with an error naming the column.
public protocol PostgresDecodable {
    static func decode(_ cell: PostgresCell) throws -> Self
    static func decodeNull(column: PostgresColumn) throws -> Self
}

extension PostgresDecodable {
    public static func decodeNull(column: PostgresColumn) throws -> Self {
        throw PostgresError(
            .decoding,
            message: "column \"\(column.name)\" (\(column.typeName)) is NULL; decode it as \(Self.self)? instead")
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    @inlinable
    public static func decode(_ cell: PostgresCell) throws -> Self { try Wrapped.decode(cell) }
    @inlinable
    public static func decodeNull(column: PostgresColumn) throws -> Self { nil }
}

private let integerTypes: Set<UInt32> = [
    PostgresTypeOID.int2, PostgresTypeOID.int4, PostgresTypeOID.int8, PostgresTypeOID.oid,
]
// Built once, not per cell (a set literal at the call allocates every time).
private let floatTypes: Set<UInt32> = [PostgresTypeOID.float4, PostgresTypeOID.float8]
private let boolTypes: Set<UInt32> = [PostgresTypeOID.bool]
private let timestampTypes: Set<UInt32> = [PostgresTypeOID.timestamptz, PostgresTypeOID.timestamp]
private let textTypes: Set<UInt32> = [
    PostgresTypeOID.text, PostgresTypeOID.varchar, PostgresTypeOID.bpchar, PostgresTypeOID.name,
    PostgresTypeOID.char, PostgresTypeOID.unknown, PostgresTypeOID.uuid,
    PostgresTypeOID.json, PostgresTypeOID.jsonb, PostgresTypeOID.numeric,
]

extension Int64: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int64 {
        try cell.requireType(integerTypes, for: Int64.self)
        guard let value = TextFormat.integer(cell.bytes) else { throw cell.failure(Int64.self, "not an integer") }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int {
        let wide = try Int64.decode(cell)
        guard let value = Int(exactly: wide) else { throw cell.failure(Int.self, "out of range") }
        return value
    }
}

extension Int32: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int32 {
        let wide = try Int64.decode(cell)
        guard let value = Int32(exactly: wide) else { throw cell.failure(Int32.self, "out of range") }
        return value
    }
}

extension Int16: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Int16 {
        let wide = try Int64.decode(cell)
        guard let value = Int16(exactly: wide) else { throw cell.failure(Int16.self, "out of range") }
        return value
    }
}

extension Double: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Double {
        try cell.requireType(floatTypes, for: Double.self)
        switch cell.text {
        case "NaN": return .nan
        case "Infinity": return .infinity
        case "-Infinity": return -.infinity
        case let text:
            guard let value = Double(text) else { throw cell.failure(Double.self, "not a number") }
            return value
        }
    }
}

extension Bool: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Bool {
        try cell.requireType(boolTypes, for: Bool.self)
        guard cell.bytes.count == 1 else { throw cell.failure(Bool.self, "not t or f") }
        switch cell.bytes.first {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw cell.failure(Bool.self, "not t or f")
        }
    }
}

/// Text types, plus json/jsonb (raw JSON text), numeric (exact decimal text) and uuid.
extension String: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> String {
        try cell.requireType(textTypes, for: String.self)
        return cell.text
    }
}

/// bytea (decoded from its text form), or json/jsonb as their raw UTF-8 bytes.
extension Array: PostgresDecodable where Element == UInt8 {
    public static func decode(_ cell: PostgresCell) throws -> [UInt8] {
        switch cell.column.typeOID {
        case PostgresTypeOID.bytea:
            do {
                return try TextFormat.bytea(cell.bytes)
            } catch {
                throw cell.failure([UInt8].self, error.reason)
            }
        case PostgresTypeOID.json, PostgresTypeOID.jsonb:
            return Array(cell.bytes)
        default:
            throw cell.failure([UInt8].self)
        }
    }
}

/// timestamptz; also timestamp without time zone, read as UTC.
extension PostgresTimestamp: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> PostgresTimestamp {
        try cell.requireType(timestampTypes, for: PostgresTimestamp.self)
        do {
            return try TextFormat.timestamp(cell.bytes)
        } catch {
            throw cell.failure(PostgresTimestamp.self, error.reason)
        }
    }
}

extension Date: PostgresDecodable {
    public static func decode(_ cell: PostgresCell) throws -> Date {
        try PostgresTimestamp.decode(cell).date
    }
}
