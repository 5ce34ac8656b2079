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
    /// Confirms the batch's attestations still in it (not erased, not
    /// failed alone) and publishes each in the same statement: one write per
    /// case row. Record ids are drawn from the table's own sequence, so each
    /// attestation learns its row as it is confirmed. A row already published
    /// (it cannot be, the reorg's withdrawal clears them) is left alone.
    static func confirm(
        batch batchID: Int64, _ inclusion: TrackedTransaction.Inclusion, confirmations: UInt64, attestedAt: Date,
        now: Date, on connection: PostgresConnection
    ) throws {
        try connection.query(
            """
            WITH confirmed AS (
                UPDATE attestation SET status = \(AttestationStatus.confirmed),
                    tx_hash = \(Hex.encodePrefixed(inclusion.hash)), block_number = \(Int64(inclusion.blockNumber)),
                    block_hash = \(Hex.encodePrefixed(inclusion.blockHash)), confirmations = \(Int(confirmations)),
                    attested_at = \(attestedAt), last_error = NULL, updated_at = \(now),
                    record_id = CASE WHEN record_id IS NULL AND NOT legacy AND content_hash IS NOT NULL
                        THEN nextval(pg_get_serial_sequence('public.caseattestation', 'id')) ELSE record_id END
                WHERE batch_id = \(batchID) AND status = \(AttestationStatus.batched)
                  AND \(unescaped: PipelineStore.notErased)
                RETURNING record_id, case_id, counsellor_id, content_hash, tx_hash, attested_at
            )
            INSERT INTO public.caseattestation (id, case_id, counsellor_id, content_hash, tx_hash, attested_at)
            SELECT record_id, case_id, counsellor_id, content_hash, tx_hash, attested_at FROM confirmed
            WHERE record_id IS NOT NULL
            ON CONFLICT (id) DO NOTHING
            """)
    }

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
