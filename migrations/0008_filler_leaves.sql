-- 0008: the anchoring schedule (docs/anchoring-schedule.md). A batch is
-- padded with filler leaves up to its size bucket; fillers attest nothing,
-- so they never get a row in the per-case table. The batch keeps them (in
-- value order, after the real leaves: leaf positions leaf_count - filler_count
-- and up), so its root and the proofs of its real leaves can be rebuilt, and
-- the reconciliation counts them as filler, not as missing rows.
ALTER TABLE caseattest.attestation_batch
    ADD COLUMN filler_count integer NOT NULL DEFAULT 0 CHECK (filler_count >= 0),
    -- The filler leaves' 32-byte hashes, concatenated.
    ADD COLUMN filler_leaves bytea NOT NULL DEFAULT ''::bytea,
    -- The slot boundary the batch closed on; NULL when it closed without slots.
    ADD COLUMN slot_at timestamptz,
    ADD CONSTRAINT attestation_batch_fillers_check
        CHECK (octet_length(filler_leaves) = 32 * filler_count AND filler_count < leaf_count);
