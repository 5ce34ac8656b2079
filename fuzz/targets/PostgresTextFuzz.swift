import Foundation

@testable import Postgres

// PostgreSQL text-format values: every decodable type, from any bytes, returns
// a value or throws. A parsed timestamp prints to text that parses back to it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPostgresText(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    func cell(_ oid: UInt32) -> PostgresCell {
        PostgresCell(column: PostgresColumn(name: "fuzz", typeOID: oid), bytes: input)
    }
    _ = try? Int64.decode(cell(PostgresTypeOID.int8))
    _ = try? Int.decode(cell(PostgresTypeOID.int8))
    _ = try? Int32.decode(cell(PostgresTypeOID.int4))
    _ = try? Int16.decode(cell(PostgresTypeOID.int2))
    _ = try? Double.decode(cell(PostgresTypeOID.float8))
    _ = try? Bool.decode(cell(PostgresTypeOID.bool))
    _ = try? String.decode(cell(PostgresTypeOID.text))
    _ = try? [UInt8].decode(cell(PostgresTypeOID.bytea))
    _ = try? Date.decode(cell(PostgresTypeOID.timestamptz))
    if let stamp = try? TextFormat.timestamp(input) {
        let again = try? TextFormat.timestamp(Array(stamp.postgresText.utf8))
        invariant(again == stamp, "timestamp text round trip changed the value")
    }
    // Migration file names (migrations/NNNN_name.sql) go through the same module.
    if let parsed = MigrationFile.parseName(String(decoding: input, as: UTF8.self)) {
        invariant(parsed.version.count >= 4 && !parsed.name.isEmpty, "accepted a malformed migration name")
    }
    return 0
}
