-- 0011: a case row is written when committed, when batched and once when confirmed (issue 17). While
-- its batch is signed, sent and mined the row stays `batched`: those states live on the batch and
-- transaction rows, written once per batch instead of once per case. Readers see the whole state
-- through the view `caseattest.attestation_state`, with the columns of `caseattest.attestation`:
--   status         the batch's status for a row still at `batched` (batched, signed, submitted, mined,
--                  or the batch's end for an erased row, which the confirmation does not touch);
--   tx_hash, block_number, block_hash
--                  the mined transaction's, for such a row;
--   confirmations  how deep that block is under the newest head the daemon recorded;
--   last_error     the batch's, when it has one (why it waits to be signed, say);
--   updated_at     the later of the row's and the batch's.
-- The service's own tables keep their grants; the view is granted like a table of the schema.

-- Rows left in the states now tracked on the batch go back to `batched`; what they recorded of their
-- transaction is on the transaction row and shows through the view.
UPDATE caseattest.attestation
SET status = 'batched', tx_hash = NULL, block_number = NULL, block_hash = NULL, confirmations = NULL,
    attested_at = NULL
WHERE status IN ('signed', 'submitted', 'mined');

ALTER TABLE caseattest.attestation DROP CONSTRAINT attestation_status_check;
ALTER TABLE caseattest.attestation ADD CONSTRAINT attestation_status_check
    CHECK (status IN ('requested', 'committed', 'batched', 'confirmed', 'failed'));

CREATE VIEW caseattest.attestation_state AS
SELECT a.id, a.case_id, a.counsellor_id, a.version,
       coalesce(b.status, a.status) AS status,
       a.schema_version, a.content_hash, a.salt, a.attested_document, a.erased_at, a.batch_id, a.leaf_index,
       a.leaf, a.proof, a.chain_id, a.contract_address,
       coalesce(a.tx_hash, t.mined_hash) AS tx_hash,
       coalesce(a.block_number, t.block_number) AS block_number,
       coalesce(a.block_hash, t.block_hash) AS block_hash,
       CASE WHEN a.confirmations IS NULL AND t.block_number IS NOT NULL AND s.last_block IS NOT NULL
            THEN greatest(0, s.last_block - t.block_number + 1)::integer
            ELSE a.confirmations END AS confirmations,
       a.attested_at, a.attempts,
       coalesce(b.last_error, a.last_error) AS last_error,
       a.requested_by, a.requested_at,
       greatest(a.updated_at, b.updated_at) AS updated_at,
       a.source_fingerprint, a.retry_at, a.legacy, a.record_id
FROM caseattest.attestation a
LEFT JOIN caseattest.attestation_batch b ON a.status = 'batched' AND b.id = a.batch_id
LEFT JOIN caseattest.attestation_transaction t
    ON b.status IN ('mined', 'confirmed') AND t.id = b.transaction_id AND t.mined_hash IS NOT NULL
LEFT JOIN caseattest.attestation_signer s ON s.chain_id = t.chain_id AND s.signer = t.signer;

GRANT SELECT ON caseattest.attestation_state TO caseattest_service;

-- The backend's window shows the same states as the API.
CREATE OR REPLACE VIEW caseattest_status.attestations AS
    SELECT id, case_id, version, status, content_hash, chain_id, contract_address, tx_hash, block_number,
           attested_at, erased_at IS NOT NULL AS erased, legacy, record_id, requested_by, requested_at, updated_at
    FROM caseattest.attestation_state;
