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
    var record: AttestationRecord
    let batchRoot: String?
    /// Its row in the backend's caseattestation, when read (`verify`).
    var published: PublishedRecord?
    /// The SHA-256 of the stored document, when the page read that instead of
    /// the document (`record.attestedDocument` is then nil until read).
    var unreadDocumentHash: ContentHash?
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

    /// One page's queries one after the other on one connection (`verify`
    /// runs the two steps apart, to read pages ahead).
    static func load(
        _ selection: VerificationSelection, after: Int64?, limit: Int,
        on connection: PostgresConnection
    ) throws -> VerifierRows {
        try load(selection, page: pageCases(selection, after: after, limit: limit, on: connection), on: connection)
    }

    /// A page's cases: the selected cases after `after`, by primary key
    /// (keyset, never OFFSET), and whether each is attestable.
    static func pageCases(
        _ selection: VerificationSelection, after: Int64?, limit: Int, on connection: PostgresConnection
    ) throws -> [PageCase] {
        let (caseID, since, counsellor) = (selection.caseID, selection.resolvedSince, selection.counsellorID)
        return try connection.query(
            """
            SELECT id, caseattest.is_attestable(status) AS attestable FROM cases
            WHERE (\(after)::bigint IS NULL OR id > \(after))
              AND (\(caseID)::bigint IS NULL OR id = \(caseID))
              AND (\(since)::timestamptz IS NULL OR resolved_at >= \(since))
              AND (\(counsellor)::bigint IS NULL OR counsellor_id = \(counsellor))
            ORDER BY id LIMIT \(limit)
            """
        ).rows.map { PageCase(id: try $0.decode(Int64.self, "id"), attestable: try $0.decode(Bool.self, "attestable")) }
    }

    struct PageCase: Sendable {
        let id: Int64
        let attestable: Bool
    }

    /// The rows of a page's cases (`pageCases`, in id order), in a few bulk queries.
    static func load(
        _ selection: VerificationSelection, page: [PageCase], on connection: PostgresConnection
    ) throws -> VerifierRows {
        var rows = VerifierRows()
        let caseID = selection.caseID
        guard !page.isEmpty else { return rows }
        let pageIDs = Set(page.map(\.id))
        let range = page[0].id...page[page.count - 1].id
        // Unfiltered, the page is every case in its id range: cases,
        // appointments and attestations are read by range. Filtered, by id.
        let byRange = selection.resolvedSince == nil && selection.counsellorID == nil
        let ids = byRange ? nil : "{" + page.map { String($0.id) }.joined(separator: ",") + "}"
        let attestations = try attestationRows(range: range, ids: ids, on: connection)
        // The latest version per case: older versions attest earlier states.
        // Rows of a case outside the page (its case row gone) are not its.
        var latest: [Int64: Int] = [:]  // case id -> index into attestations
        attestations.withUnsafeBufferPointer { attestations in
            // Through the buffer: an array's subscript copies the row.
            for index in attestations.indices where pageIDs.contains(attestations[index].record.caseID) {
                let caseID = attestations[index].record.caseID
                if let kept = latest[caseID], attestations[kept].record.version > attestations[index].record.version {
                    continue
                }
                latest[caseID] = index
            }
        }
        let order = latest.sorted { $0.key < $1.key }.map(\.value)
        // Usually every row is its case's latest, already in case order: the
        // array is taken whole rather than copied row by row.
        rows.attested =
            order.elementsEqual(attestations.indices) ? attestations : order.map { attestations[$0] }
        rows.missing = page.filter { $0.attestable && latest[$0.id] == nil }.map(\.id)
        if let caseID, rows.attested.isEmpty, rows.missing.isEmpty, page.contains(where: { $0.id == caseID }) {
            rows.unresolved = [caseID]
        }
        // The cases whose documents are rebuilt (ids only: a row is a large value, not copied).
        let needRows = rows.attested.compactMap {
            $0.record.salt != nil && $0.record.erasedAt == nil ? $0.record.caseID : nil
        }
        guard !needRows.isEmpty else { return rows }
        let loaded =
            byRange
            ? try CaseRows.loadEach(range: range, on: connection)
            : try CaseRows.loadEach(ids: needRows, on: connection)
        if let failure = needRows.lazy.compactMap({ loaded.unreadable[$0] }).first { throw failure }
        rows.snapshots = loaded.snapshots
        return rows
    }

    /// Every version of the cases in `range` (or of `ids`, an array literal
    /// of the page's ids, when given), each with its batch root and published
    /// row; the document left unread. All versions, not only the latest: the
    /// latest is picked above, so PostgreSQL sorts nothing wide.
    private static func attestationRows(
        range: ClosedRange<Int64>, ids: String?, on connection: PostgresConnection
    ) throws -> [VerifierRow] {
        let (low, high) = (range.lowerBound, range.upperBound)
        // The published row is looked up per row by its primary key (OFFSET 0
        // keeps the lateral subquery from being flattened into a hash join
        // that reads the whole table).
        let result =
            if let ids {
                try connection.query(
                    """
                    SELECT \(unescaped: AttestationRecord.columnsWithoutDocument), \(unescaped: pageExtras)
                    FROM \(unescaped: AttestationRecord.view) a \(unescaped: pageJoins)
                    WHERE a.case_id = ANY(\(ids)::bigint[])
                    """)
            } else {
                try connection.query(
                    """
                    SELECT \(unescaped: AttestationRecord.columnsWithoutDocument), \(unescaped: pageExtras)
                    FROM \(unescaped: AttestationRecord.view) a \(unescaped: pageJoins)
                    WHERE a.case_id BETWEEN \(low) AND \(high)
                    """)
            }
        guard let first = result.rows.first else { return [] }
        // Columns by position, found once for the page.
        let record = try AttestationRecord.Columns(first)
        let (root, documentHash) = (try first.index(of: "batch_root"), try first.index(of: "attested_document_hash"))
        let (publishedCase, publishedHash) = (
            try first.index(of: "published_case_id"), try first.index(of: "published_hash")
        )
        let (publishedTx, publishedAt) = (try first.index(of: "published_tx_hash"), try first.index(of: "published_at"))
        return try result.rows.map { row in
            var published: PublishedRecord?
            if let caseID = try row.decode(Int64?.self, at: publishedCase) {
                published = PublishedRecord(
                    caseID: caseID, contentHash: try row.decode(String.self, at: publishedHash),
                    txHash: try row.decode(String?.self, at: publishedTx),
                    attestedAt: try row.decode(Date.self, at: publishedAt))
            }
            let hash = try row.decode([UInt8]?.self, at: documentHash)
            return VerifierRow(
                record: try AttestationRecord(row: row, columns: record),
                batchRoot: try row.decode(String?.self, at: root), published: published,
                unreadDocumentHash: try hash.map { try ContentHash(bytes: $0) })
        }
    }

    private static let pageExtras: StaticString = """
        b.root AS batch_root, r.case_id AS published_case_id, r.content_hash AS published_hash, \
        r.tx_hash AS published_tx_hash, r.attested_at AS published_at
        """

    private static let pageJoins: StaticString = """
        LEFT JOIN attestation_batch b ON b.id = a.batch_id
        LEFT JOIN LATERAL (SELECT * FROM public.caseattestation r WHERE r.id = a.record_id OFFSET 0) r ON true
        """

    /// The stored documents of these attestations, by attestation id: read
    /// for the few rows whose case changed, to name the changed fields.
    static func documents(ids: [Int64], on connection: PostgresConnection) throws -> [Int64: [UInt8]] {
        guard !ids.isEmpty else { return [:] }
        // Integers only, so the array literal cannot carry anything but digits.
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        var documents: [Int64: [UInt8]] = [:]
        for row in try connection.query(
            """
            SELECT a.id, a.attested_document FROM unnest(\(idArray)::bigint[]) AS wanted(id)
            JOIN attestation a ON a.id = wanted.id WHERE a.attested_document IS NOT NULL
            """
        ).rows {
            documents[try row.decode(Int64.self, "id")] = try row.decode([UInt8].self, "attested_document")
        }
        return documents
    }
}
