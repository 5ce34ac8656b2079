-- 0016: less work for PostgreSQL per case written (issue 17).
-- `attestation_case_id_idx` repeats the first column of the unique (case_id, version) index, which
-- serves every lookup by case: each new row version (a case row is written three times) paid for an
-- entry in both.
DROP INDEX IF EXISTS caseattest.attestation_case_id_idx;

-- Every new row version also takes an entry in every index, NULL keys included. A row has no batch
-- until it is batched and no published record until it is confirmed: indexes of the rows that have one
-- keep the same answers (NULLs never conflicted, and every query asks for a value) and cost those
-- writes nothing.
CREATE INDEX attestation_batch_idx_new ON caseattest.attestation (batch_id) WHERE batch_id IS NOT NULL;
DROP INDEX caseattest.attestation_batch_idx;
ALTER INDEX caseattest.attestation_batch_idx_new RENAME TO attestation_batch_idx;
CREATE UNIQUE INDEX attestation_record_id_key_new ON caseattest.attestation (record_id) WHERE record_id IS NOT NULL;
ALTER TABLE caseattest.attestation DROP CONSTRAINT attestation_record_id_key;
ALTER INDEX caseattest.attestation_record_id_key_new RENAME TO attestation_record_id_key;

-- The planner never filters or joins on these wide columns; ANALYZE (migration 0014 runs it after a
-- backfill) spent most of its time on their values. Without statistics it reads the sample and skips them.
ALTER TABLE caseattest.attestation
    ALTER COLUMN attested_document SET STATISTICS 0,
    ALTER COLUMN proof SET STATISTICS 0,
    ALTER COLUMN salt SET STATISTICS 0,
    ALTER COLUMN leaf SET STATISTICS 0,
    ALTER COLUMN source_fingerprint SET STATISTICS 0,
    ALTER COLUMN last_error SET STATISTICS 0,
    ALTER COLUMN block_hash SET STATISTICS 0;
