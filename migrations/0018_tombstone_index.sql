-- 0018: reconciliation counts each batch's erased rows from an index of erased rows alone (issue 17).
-- `verify --all` (and `--reconcile`) counts, per batch, its rows and its tombstones. The rows come
-- from attestation_batch_idx without touching the table; the tombstones (`erased_at IS NOT NULL`) had
-- to read every row of every batch from the table: 21,000 pages at 100,000 cases, all of the table's
-- pages at a million, passing them through shared buffers the case pages of the same run need. Erased
-- rows are few; an index of only them answers the count and costs ordinary writes nothing.
CREATE INDEX attestation_erased_batch_idx ON caseattest.attestation (batch_id)
    WHERE erased_at IS NOT NULL AND batch_id IS NOT NULL;
