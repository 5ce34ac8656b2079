/// The built-in type OIDs this module binds and decodes (from pg_type.dat).
public enum PostgresTypeOID {
    public static let bool: UInt32 = 16
    public static let bytea: UInt32 = 17
    public static let char: UInt32 = 18
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let json: UInt32 = 114
    public static let float4: UInt32 = 700
    public static let float8: UInt32 = 701
    public static let unknown: UInt32 = 705
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let timestamp: UInt32 = 1114
    public static let timestamptz: UInt32 = 1184
    public static let numeric: UInt32 = 1700
    public static let uuid: UInt32 = 2950
    public static let jsonb: UInt32 = 3802

    /// A readable name for error messages.
    public static func name(of typeOID: UInt32) -> String {
        switch typeOID {
        case Self.bool: "bool"
        case Self.bytea: "bytea"
        case Self.char: "char"
        case Self.name: "name"
        case Self.int8: "int8"
        case Self.int2: "int2"
        case Self.int4: "int4"
        case Self.text: "text"
        case Self.oid: "oid"
        case Self.json: "json"
        case Self.float4: "float4"
        case Self.float8: "float8"
        case Self.unknown: "unknown"
        case Self.bpchar: "bpchar"
        case Self.varchar: "varchar"
        case Self.timestamp: "timestamp"
        case Self.timestamptz: "timestamptz"
        case Self.numeric: "numeric"
        case Self.uuid: "uuid"
        case Self.jsonb: "jsonb"
        default: "type oid \(typeOID)"
        }
    }
}
