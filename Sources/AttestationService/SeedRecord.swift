import Foundation
import Postgres

/// The backend's `caseattestation` (the seed's table, in its columns and
/// meaning): one row per confirmed attestation, with the anchoring block's
/// time as `attested_at`. Written only here, by the transitions that confirm
/// a batch or take a confirmation back, so the table stays true: a reorg
/// below the confirmation depth withdraws the rows, and the new anchor
/// publishes them again. Everything in flight stays in the service's schema.
enum SeedRecord {
    /// Publishes the batch's confirmed attestations that have no row yet.
    /// Row ids are drawn from the table's own sequence first, so each
    /// attestation learns its row in the same statement.
    static func publish(batch batchID: Int64, on connection: PostgresConnection) throws {
        try connection.query(
            """
            WITH fresh AS (
                SELECT id AS attestation_id, nextval(pg_get_serial_sequence('public.caseattestation', 'id')) AS \
            record_id,
                       case_id, counsellor_id, content_hash, tx_hash, attested_at
                FROM attestation
                WHERE batch_id = \(batchID) AND status = \(AttestationStatus.confirmed) AND record_id IS NULL
                  AND erased_at IS NULL AND NOT legacy AND content_hash IS NOT NULL AND tx_hash IS NOT NULL
                  AND attested_at IS NOT NULL
            ), published AS (
                INSERT INTO public.caseattestation (id, case_id, counsellor_id, content_hash, tx_hash, attested_at)
                SELECT record_id, case_id, counsellor_id, content_hash, tx_hash, attested_at FROM fresh
            )
            UPDATE attestation a SET record_id = f.record_id FROM fresh f
            WHERE a.batch_id = \(batchID) AND a.id = f.attestation_id
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
