-- 0013: the commit's and the batch close's claims (`status = 'requested'` or `'committed'`, not erased,
-- `ORDER BY id LIMIT n`) each get an index of exactly their rows, in id order (issue 17). The index on
-- (status, id) they shared lost to the primary key as soon as a backfill made requests a large share of
-- the table: its first column says nothing of heap order, so the planner walked the primary key and
-- filtered out every row already confirmed (half a million rows, 1.4 s per claim of 512, at 1,000,000
-- cases). An index on (id) alone keeps the table's order and needs no filter.
CREATE INDEX attestation_requested_idx ON caseattest.attestation (id)
    WHERE status = 'requested' AND erased_at IS NULL;
CREATE INDEX attestation_committed_idx ON caseattest.attestation (id)
    WHERE status = 'committed' AND erased_at IS NULL;
DROP INDEX caseattest.attestation_open_idx;
