import Postgres

/// Read-side lookups of attestations, for the API and the CLI.
public struct AttestationQueries: Sendable {
    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Every version for a case, oldest first, as the API lists them: the
    /// attested document and the proof left unread (nil).
    public func attestations(caseID: Int64) async throws -> [AttestationRecord] {
        try await database.query(
            """
            SELECT \(unescaped: AttestationRecord.columnsWithoutDocumentOrProof)
            FROM \(unescaped: AttestationRecord.view) WHERE case_id = \(caseID) ORDER BY version
            """
        ).rows.map(AttestationRecord.init(row:))
    }

    public func attestation(id: Int64) async throws -> AttestationRecord? {
        try await database.query(
            """
            SELECT \(unescaped: AttestationRecord.columns) FROM \(unescaped: AttestationRecord.view) WHERE id = \(id)
            """
        ).rows.first.map(AttestationRecord.init(row:))
    }

    public func latest(caseID: Int64) async throws -> AttestationRecord? {
        try await database.query(
            """
            SELECT \(unescaped: AttestationRecord.columns) FROM \(unescaped: AttestationRecord.view)
            WHERE case_id = \(caseID) ORDER BY version DESC LIMIT 1
            """
        ).rows.first.map(AttestationRecord.init(row:))
    }

    public func caseExists(_ caseID: Int64) async throws -> Bool {
        try await !database.query("SELECT 1 FROM cases WHERE id = \(caseID)").rows.isEmpty
    }
}
