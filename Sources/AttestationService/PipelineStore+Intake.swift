import Foundation
import Postgres

/// The sweep's queries: what missed notices, lost processes and failures left.
extension PipelineStore {
    /// Requests the attestable cases with no attestation at all among the
    /// `scan` cases after `after` (by id); the unique (case_id, version) key
    /// keeps two daemons from doubling a request. `next` is where the
    /// following window starts; nil: back to the first case.
    ///
    /// Two statements, not one `INSERT ... SELECT ... WHERE NOT EXISTS`: in one
    /// statement the planner may run the anti-join interleaved with the
    /// inserts (a nested loop over `attestation`, planned while it was empty),
    /// rescanning the growing table once per case: on a first install with
    /// years of history that is quadratic (20,000 cases took 5.9 s, 0.5 s
    /// like this). Here the SELECT is finished before the INSERT begins.
    static func requestUnattested(
        after: Int64?, scan: Int, now: Date, on connection: PostgresConnection
    ) throws -> (requested: Int, next: Int64?) {
        let window = try CaseWindow.after(after, scan: scan, on: connection)
        guard let last = window.last else { return (0, nil) }
        let missing = try connection.query(
            """
            SELECT c.id FROM cases c
            WHERE c.id > coalesce(\(after)::bigint, -1) AND c.id <= \(last) AND caseattest.is_attestable(c.status)
              AND NOT EXISTS (SELECT 1 FROM attestation a WHERE a.case_id = c.id)
            """
        ).rows.map { try $0.decode(Int64.self, "id") }
        var requested = 0
        if !missing.isEmpty {
            // Integers only, so the array literal cannot carry anything but digits.
            let ids = "{" + missing.map(String.init).joined(separator: ",") + "}"
            requested =
                try connection.query(
                    """
                    INSERT INTO attestation (case_id, counsellor_id, version, status, requested_by, requested_at, \
                    updated_at)
                    SELECT c.id, c.counsellor_id, 1, \(AttestationStatus.requested), 'sweep', \(now), \(now)
                    FROM unnest(\(ids)::bigint[]) AS wanted(id) JOIN cases c ON c.id = wanted.id
                    ORDER BY c.id
                    ON CONFLICT (case_id, version) DO NOTHING
                    """
                ).affectedRows ?? 0
        }
        return (requested, window.isFull ? last : nil)
    }

    /// Attestable cases whose rows changed since their latest attestation was
    /// committed or failed: re-resolved while a notice was lost, or corrected
    /// after a failure. Erased and legacy (never committed here) rows are left alone.
    /// One window of `scan` cases after `after` (by id) per call, because the
    /// fingerprint reads every appointment of a case: a sweep costs the same
    /// at a million cases as at a thousand, and successive sweeps go round.
    /// `next` is where the following window starts; nil: back to the first case.
    static func casesChangedSinceAttested(
        after: Int64?, scan: Int, limit: Int,
        on connection: PostgresConnection
    ) throws -> (changed: [Int64], next: Int64?) {
        let window = try CaseWindow.after(after, scan: scan, on: connection)
        guard let last = window.last else { return ([], nil) }
        let changed = try connection.query(
            """
            SELECT c.id FROM cases c
            JOIN LATERAL (SELECT status, batch_id, salt, erased_at, source_fingerprint FROM attestation a
                          WHERE a.case_id = c.id ORDER BY a.version DESC LIMIT 1) latest ON true
            LEFT JOIN attestation_batch b ON latest.status = \(AttestationStatus.batched) AND b.id = latest.batch_id
            LEFT JOIN caseattest.case_fingerprints(ARRAY(
                SELECT id FROM cases WHERE id > coalesce(\(after)::bigint, -1) AND id <= \(last))) f
              ON f.case_id = c.id
            WHERE c.id > coalesce(\(after)::bigint, -1) AND c.id <= \(last)
              AND caseattest.is_attestable(c.status)
              AND latest.erased_at IS NULL
              AND coalesce(b.status, latest.status) = ANY(\(StatusList([AttestationStatus.confirmed, .failed]))::text[])
              AND (latest.salt IS NOT NULL OR latest.status = \(AttestationStatus.failed))
              AND latest.source_fingerprint IS DISTINCT FROM f.fingerprint
            ORDER BY c.id LIMIT \(limit)
            """
        ).rows.map { try $0.decode(Int64.self, "id") }
        // A full answer stops early: the next window starts after its last case.
        if changed.count == limit, let stop = changed.last { return (changed, stop) }
        return (changed, window.isFull ? last : nil)
    }

    /// Failed attestations whose retry time has come go back to `requested`.
    static func requeueDueFailures(now: Date, limit: Int, on connection: PostgresConnection) throws -> Int {
        let due = try connection.query(
            """
            SELECT id FROM attestation
            WHERE status = \(AttestationStatus.failed) AND retry_at IS NOT NULL AND retry_at <= \(now)
              AND \(unescaped: notErased)
            ORDER BY retry_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """
        ).rows.map { try $0.decode(Int64.self, "id") }
        return try requeue(attestationIDs: due, now: now, on: connection)
    }

    /// Failed attestations back to `requested`, in place (same version).
    /// Everything a failed attempt left is cleared; attempts and the last
    /// error stay visible. Erased ones never go back.
    @discardableResult
    static func requeue(attestationIDs: [Int64], now: Date, on connection: PostgresConnection) throws -> Int {
        guard !attestationIDs.isEmpty else { return 0 }
        let idArray = "{" + attestationIDs.map(String.init).joined(separator: ",") + "}"
        return try connection.query(
            """
            UPDATE attestation SET status = \(AttestationStatus.requested), salt = NULL, attested_document = NULL,
                content_hash = NULL, schema_version = NULL, batch_id = NULL, leaf_index = NULL, leaf = NULL, proof = \
            NULL,
                chain_id = NULL, contract_address = NULL, tx_hash = NULL, block_number = NULL, block_hash = NULL,
                confirmations = NULL, attested_at = NULL, retry_at = NULL, updated_at = \(now)
            WHERE id = ANY(\(idArray)::bigint[]) AND status = \(AttestationStatus.failed) AND \(unescaped: notErased)
            """
        ).affectedRows ?? 0
    }
}

/// A slice of `cases` by id: the `scan` cases after a given id.
struct CaseWindow {
    /// The window's last case id; nil: no case after the given one.
    let last: Int64?
    /// It holds `scan` cases, so more may follow.
    let isFull: Bool

    static func after(_ after: Int64?, scan: Int, on connection: PostgresConnection) throws -> CaseWindow {
        let row = try connection.query(
            """
            SELECT max(id) AS last, count(*) AS n FROM (
                SELECT id FROM cases WHERE (\(after)::bigint IS NULL OR id > \(after)) ORDER BY id LIMIT \(scan)) w
            """
        ).rows[0]
        return CaseWindow(last: try row.decode(Int64?.self, "last"), isFull: try row.decode(Int64.self, "n") >= scan)
    }
}
