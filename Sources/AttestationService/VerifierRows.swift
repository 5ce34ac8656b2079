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
    /// Its row in the backend's caseattestation, when read (`verify`).
    var published: PublishedRecord?
}

/// One page of what verification reads from the database: the selected
/// cases after `after` in id order, in a few bulk queries. Pages keep the
/// verifier's memory bounded by the page size, not by the history.
struct VerifierRows: Sendable {
    var attested: [VerifierRow] = []
    /// Resolved (or closed) cases without any attestation.
    var missing: [Int64] = []
    /// With `--case` only: the case exists but is not resolved and has no attestation.
    var unresolved: [Int64] = []
    var snapshots: [Int64: CaseSnapshot] = [:]
    /// The last case id of the page; nil when the page is empty (the end).
    var lastCaseID: Int64?

    /// How many cases the selection holds (attested or attestable), for progress.
    static func count(_ selection: VerificationSelection, on connection: PostgresConnection) throws -> Int {
        let (caseID, since, counsellor) = (selection.caseID, selection.resolvedSince, selection.counsellorID)
        let rows = try connection.query(
            """
            SELECT count(*) AS n FROM cases c
            WHERE (\(caseID)::bigint IS NULL OR id = \(caseID))
              AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
              AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor))
              AND (caseattest.is_attestable(status) OR EXISTS (SELECT 1 FROM attestation a WHERE a.case_id = c.id))
            """)
        return Int(try rows.rows.first?.decode(Int64.self, "n") ?? 0)
    }

    static func load(
        _ selection: VerificationSelection, after: Int64?, limit: Int,
        on connection: PostgresConnection
    ) throws -> VerifierRows {
        var rows = VerifierRows()
        let (caseID, since, counsellor) = (selection.caseID, selection.resolvedSince, selection.counsellorID)
        // The page of selected cases, by primary key (keyset, never OFFSET).
        let page = try connection.query(
            """
            SELECT id, caseattest.is_attestable(status) AS attestable FROM cases
            WHERE (\(after)::bigint IS NULL OR id > \(after))
              AND (\(caseID)::bigint IS NULL OR id = \(caseID))
              AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
              AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor))
            ORDER BY id LIMIT \(limit)
            """
        ).rows.map { (id: try $0.decode(Int64.self, "id"), attestable: try $0.decode(Bool.self, "attestable")) }
        rows.lastCaseID = page.last?.id
        guard !page.isEmpty else { return rows }
        // Integers only, so the array literal cannot carry anything but digits.
        let ids = "{" + page.map { String($0.id) }.joined(separator: ",") + "}"
        // The latest version per case: older versions attest earlier states.
        rows.attested = try connection.query(
            """
            SELECT a.*, b.root AS batch_root, r.case_id AS published_case_id, r.content_hash AS published_hash,
                   r.tx_hash AS published_tx_hash, r.attested_at AS published_at FROM (
                SELECT DISTINCT ON (case_id) \(unescaped: AttestationRecord.columns), record_id
                FROM \(unescaped: AttestationRecord.view)
                WHERE case_id = ANY(\(ids)::bigint[])
                ORDER BY case_id, version DESC) a
            LEFT JOIN attestation_batch b ON b.id = a.batch_id
            LEFT JOIN public.caseattestation r ON r.id = a.record_id
            ORDER BY a.case_id
            """
        ).rows.map { row in
            var published: PublishedRecord?
            if let caseID = try row.decode(Int64?.self, "published_case_id") {
                published = PublishedRecord(
                    caseID: caseID, contentHash: try row.decode(String.self, "published_hash"),
                    txHash: try row.decode(String?.self, "published_tx_hash"),
                    attestedAt: try row.decode(Date.self, "published_at"))
            }
            return VerifierRow(
                record: try AttestationRecord(row: row),
                batchRoot: try row.decode(String?.self, "batch_root"), published: published)
        }
        let attestedIDs = Set(rows.attested.map(\.record.caseID))
        rows.missing = page.filter { $0.attestable && !attestedIDs.contains($0.id) }.map(\.id)
        if let caseID, rows.attested.isEmpty, rows.missing.isEmpty, page.contains(where: { $0.id == caseID }) {
            rows.unresolved = [caseID]
        }
        let needRows = rows.attested.filter { $0.record.salt != nil && $0.record.erasedAt == nil }.map(\.record.caseID)
        rows.snapshots = try CaseRows.load(ids: needRows, on: connection)
        return rows
    }
}
