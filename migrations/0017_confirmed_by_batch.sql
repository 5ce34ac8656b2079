-- 0017: a batch's confirmation no longer rewrites its case rows (issue 17). Confirming a batch of
-- 4,096 rows rewrote each wide row (its document included) and every index entry of it, only to copy
-- what the batch and its transaction already hold: the most expensive write of a case's way. Now the
-- rows stay `batched` and their confirmation shows through the view, as signed, sent and mined already
-- did; the only write per case is its published row in public.caseattestation, whose id the row takes
-- when it is batched. The view now shows, for a row of a confirmed batch:
--   status       confirmed (as before, from the batch);
--   attested_at  the anchoring block's time, from the confirmed transaction;
--   record_id    only while the row's status is confirmed: an id taken at batching is not a published
--                row until then.
-- Rows confirmed before this migration keep status `confirmed` and their own columns; both kinds read
-- the same through the view. The columns keep their names, types and order (the backend's view
-- caseattest_status.attestations is built on this one).
CREATE OR REPLACE VIEW caseattest.attestation_state AS
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
       coalesce(a.attested_at, CASE WHEN b.status = 'confirmed' THEN t.block_time END) AS attested_at,
       a.attempts,
       coalesce(b.last_error, a.last_error) AS last_error,
       a.requested_by, a.requested_at,
       greatest(a.updated_at, b.updated_at) AS updated_at,
       a.source_fingerprint, a.retry_at, a.legacy,
       CASE WHEN coalesce(b.status, a.status) = 'confirmed' THEN a.record_id END AS record_id
FROM caseattest.attestation a
LEFT JOIN caseattest.attestation_batch b ON a.status = 'batched' AND b.id = a.batch_id
LEFT JOIN caseattest.attestation_transaction t
    ON b.status IN ('mined', 'confirmed') AND t.id = b.transaction_id AND t.mined_hash IS NOT NULL
LEFT JOIN caseattest.attestation_signer s ON s.chain_id = t.chain_id AND s.signer = t.signer;
