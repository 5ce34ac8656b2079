import Ethereum
import Foundation
import Postgres

/// The backend's `caseattestation` (the seed's table, in its columns and
/// meaning): one row per confirmed attestation, with the anchoring block's
/// time as `attested_at`. Written only here, by the transitions that confirm
/// a batch or take a confirmation back, so the table stays true: a reorg
/// below the confirmation depth withdraws the rows, and the new anchor
/// publishes them again. Everything in flight stays in the service's schema.
enum SeedRecord {
    /// Publishes the batch's attestations still in it (not erased, not
    /// failed alone): one row each in the backend's table, under the id the
    /// attestation took when it was batched. The case rows themselves are not
    /// written: they stay `batched`, and the view shows them confirmed with
    /// the batch (migration 0017). A row already published (it cannot be, the
    /// reorg's withdrawal clears them) is left alone.
    static func confirm(
        batch batchID: Int64, _ inclusion: TrackedTransaction.Inclusion, attestedAt: Date,
        on connection: PostgresConnection
    ) throws {
        // Rows batched before ids were taken at batching, or whose id a
        // withdrawal cleared, take one now; usually there are none.
        try connection.query(
            """
            UPDATE attestation SET record_id = \(unescaped: recordIDFromSequence)
            WHERE batch_id = \(batchID) AND status = \(AttestationStatus.batched) AND record_id IS NULL
              AND NOT legacy AND content_hash IS NOT NULL AND \(unescaped: PipelineStore.notErased)
            """)
        try connection.query(
            """
            INSERT INTO public.caseattestation (id, case_id, counsellor_id, content_hash, tx_hash, attested_at)
            SELECT record_id, case_id, counsellor_id, content_hash, \(Hex.encodePrefixed(inclusion.hash)), \(attestedAt)
            FROM attestation
            WHERE batch_id = \(batchID) AND status = \(AttestationStatus.batched) AND record_id IS NOT NULL
              AND \(unescaped: PipelineStore.notErased)
            ON CONFLICT (id) DO NOTHING
            """)
    }

    /// A new id of the backend's table, drawn from its own sequence: what a
    /// row it inserted itself would have taken.
    static let recordIDFromSequence: StaticString = "nextval(pg_get_serial_sequence('public.caseattestation', 'id'))"

    /// Takes back the rows of a batch whose confirmation no longer holds.
    static func withdraw(batch batchID: Int64, on connection: PostgresConnection) throws {
        // By key (ARRAY(...)), never a join the planner may hash the table for.
        try connection.query(
            """
            DELETE FROM public.caseattestation WHERE id = ANY (ARRAY(
                SELECT record_id FROM attestation WHERE batch_id = \(batchID) AND record_id IS NOT NULL AND NOT legacy))
            """)
        try connection.query(
            """
            UPDATE attestation SET record_id = NULL WHERE batch_id = \(batchID) AND record_id IS NOT NULL AND NOT legacy
            """)
    }

    /// Takes back the rows of a case's erased attestations: nothing in the
    /// backend's table points at a forgotten case's leaf any more.
    static func withdraw(erasedOf caseID: Int64, on connection: PostgresConnection) throws {
        try connection.query(
            """
            DELETE FROM public.caseattestation WHERE id = ANY (ARRAY(
                SELECT record_id FROM attestation
                WHERE case_id = \(caseID) AND erased_at IS NOT NULL AND record_id IS NOT NULL AND NOT legacy))
            """)
        try connection.query(
            """
            UPDATE attestation SET record_id = NULL
            WHERE case_id = \(caseID) AND erased_at IS NOT NULL AND record_id IS NOT NULL AND NOT legacy
            """)
    }
}
