/// Which schemas a session's unqualified names resolve in. The service's
/// tables live in `caseattest`; the backend's (cases, appointments, the
/// seed's attestation) in `public`.
public struct PostgresSearchPath: Sendable, Hashable {
    /// Schema names, first match wins. Lowercase identifiers only, so the SQL
    /// that sets them cannot carry anything else.
    public let schemas: [String]

    public init(_ schemas: [String]) {
        precondition(schemas.allSatisfy(Self.isPlainIdentifier), "search path schemas are plain identifiers")
        self.schemas = schemas
    }

    /// The daemon, the API, the verifier: the service's schema first.
    public static let service = PostgresSearchPath(["caseattest", "public"])
    /// The migrator: files name the service's schema; the seed's tables go to public.
    public static let backend = PostgresSearchPath(["public"])

    var setting: String { "; SET search_path = " + schemas.joined(separator: ", ") }

    private static func isPlainIdentifier(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || $0 == 0x5f || ($0 >= 0x30 && $0 <= 0x39) }
    }
}
