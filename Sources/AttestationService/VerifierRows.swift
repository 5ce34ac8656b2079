import Attestation
import Foundation
import Postgres

/// Which cases `verify` looks at. All nil: every attested or resolved case.
public struct VerificationSelection: Sendable, Hashable {
    public var caseID: Int64?
    /// Cases resolved at or after this instant.
    public var resolvedSince: Date?
    public var counsellorID: Int64?

    public init(caseID: Int64? = nil, resolvedSince: Date? = nil, counsellorID: Int64? = nil) {
        self.caseID = caseID
        self.resolvedSince = resolvedSince
        self.counsellorID = counsellorID
    }
}

/// One case's latest attestation and the root of its batch.
struct VerifierRow: Sendable {
    let record: AttestationRecord
    let batchRoot: String?
}

/// Everything verification reads from the database, in a few bulk queries.
struct VerifierRows: Sendable {
    var attested: [VerifierRow] = []
    /// Resolved (or closed) cases without any attestation.
    var missing: [Int64] = []
    /// With `--case` only: the case exists but is not resolved and has no attestation.
    var unresolved: [Int64] = []
    var snapshots: [Int64: CaseSnapshot] = [:]

    static func load(_ selection: VerificationSelection, on connection: PostgresConnection) throws -> VerifierRows {
        var rows = VerifierRows()
        let (caseID, since, counsellor) = (selection.caseID, selection.resolvedSince, selection.counsellorID)
        // The latest version per case: older versions attest earlier states.
        rows.attested = try connection.query("""
            SELECT a.*, b.root AS batch_root FROM (
                SELECT DISTINCT ON (case_id) \(unescaped: AttestationRecord.columns) FROM attestation
                WHERE case_id IN (
                    SELECT id FROM cases
                    WHERE (\(caseID)::bigint IS NULL OR id = \(caseID))
                      AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
                      AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor)))
                ORDER BY case_id, version DESC) a
            LEFT JOIN attestation_batch b ON b.id = a.batch_id
            ORDER BY a.case_id
            """).rows.map { row in
                VerifierRow(record: try AttestationRecord(row: row), batchRoot: try row.decode(String?.self, "batch_root"))
            }
        rows.missing = try connection.query("""
            SELECT id FROM cases c
            WHERE caseattest.is_attestable(status)
              AND NOT EXISTS (SELECT 1 FROM attestation a WHERE a.case_id = c.id)
              AND (\(caseID)::bigint IS NULL OR id = \(caseID))
              AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
              AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor))
            ORDER BY id
            """).rows.map { try $0.decode(Int64.self, "id") }
        if let caseID, rows.attested.isEmpty, rows.missing.isEmpty,
           try !connection.query("SELECT 1 FROM cases WHERE id = \(caseID)").rows.isEmpty {
            rows.unresolved = [caseID]
        }
        let needRows = rows.attested.filter { $0.record.salt != nil && $0.record.erasedAt == nil }.map(\.record.caseID)
        rows.snapshots = try CaseRows.load(ids: needRows, on: connection)
        return rows
    }
}
