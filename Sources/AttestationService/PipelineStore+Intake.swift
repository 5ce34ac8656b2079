import Foundation
import Postgres

/// The sweep's queries: what missed notices, lost processes and failures left.
extension PipelineStore {
    /// Requests every attestable case that has no attestation at all, in one
    /// statement; the unique (case_id, version) key keeps two daemons from
    /// doubling a request.
    static func requestUnattested(now: Date, on connection: PostgresConnection) throws -> Int {
        try connection.query("""
            INSERT INTO caseattestation (case_id, counsellor_id, version, status, requested_by, requested_at, updated_at)
            SELECT c.id, c.counsellor_id, 1, \(AttestationStatus.requested), 'sweep', \(now), \(now) FROM cases c
            WHERE caseattest_is_attestable(c.status)
              AND NOT EXISTS (SELECT 1 FROM caseattestation a WHERE a.case_id = c.id)
            ON CONFLICT (case_id, version) DO NOTHING
            """).affectedRows ?? 0
    }

    /// Attestable cases whose rows changed since their latest attestation was
    /// committed or failed: re-resolved while a notice was lost, or corrected
    /// after a failure. Erased and legacy (never committed here) rows are left alone.
    static func casesChangedSinceAttested(limit: Int, on connection: PostgresConnection) throws -> [Int64] {
        try connection.query("""
            SELECT c.id FROM cases c
            JOIN LATERAL (SELECT status, salt, erased_at, source_fingerprint FROM caseattestation a
                          WHERE a.case_id = c.id ORDER BY a.version DESC LIMIT 1) latest ON true
            WHERE caseattest_is_attestable(c.status)
              AND latest.erased_at IS NULL
              AND latest.status = ANY(\(StatusList([AttestationStatus.confirmed, .failed]))::text[])
              AND (latest.salt IS NOT NULL OR latest.status = \(AttestationStatus.failed))
              AND latest.source_fingerprint IS DISTINCT FROM caseattest_case_fingerprint(c.id)
            ORDER BY c.id LIMIT \(limit)
            """).rows.map { try $0.decode(Int64.self, "id") }
    }

    /// Failed attestations whose retry time has come go back to `requested`.
    static func requeueDueFailures(now: Date, limit: Int, on connection: PostgresConnection) throws -> Int {
        let due = try connection.query("""
            SELECT id FROM caseattestation
            WHERE status = \(AttestationStatus.failed) AND retry_at IS NOT NULL AND retry_at <= \(now)
              AND \(unescaped: notErased)
            ORDER BY retry_at LIMIT \(limit) FOR UPDATE SKIP LOCKED
            """).rows.map { try $0.decode(Int64.self, "id") }
        return try requeue(attestationIDs: due, now: now, on: connection)
    }

    /// Failed attestations back to `requested`, in place (same version).
    /// Everything a failed attempt left is cleared; attempts and the last
    /// error stay visible. Erased ones never go back.
    @discardableResult
    static func requeue(attestationIDs: [Int64], now: Date, on connection: PostgresConnection) throws -> Int {
        guard !attestationIDs.isEmpty else { return 0 }
        let idArray = "{" + attestationIDs.map(String.init).joined(separator: ",") + "}"
        return try connection.query("""
            UPDATE caseattestation SET status = \(AttestationStatus.requested), salt = NULL, attested_document = NULL,
                content_hash = NULL, schema_version = NULL, batch_id = NULL, leaf_index = NULL, leaf = NULL, proof = NULL,
                chain_id = NULL, contract_address = NULL, tx_hash = NULL, block_number = NULL, block_hash = NULL,
                confirmations = NULL, attested_at = NULL, retry_at = NULL, updated_at = \(now)
            WHERE id = ANY(\(idArray)::bigint[]) AND status = \(AttestationStatus.failed) AND \(unescaped: notErased)
            """).affectedRows ?? 0
    }
}
