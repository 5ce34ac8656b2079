-- 0010: the spending budget (docs/spending-budget.md). What each transaction of the signer's key
-- cost, from its receipt: gas used x effective gas price, and when the daemon saw it mined (the
-- UTC day it counts against). A reorg that takes the block back clears all three. Columns of
-- existing tables: the grants of 0009 cover them.
ALTER TABLE caseattest.attestation_transaction
    ADD COLUMN gas_used bigint CHECK (gas_used >= 0),
    ADD COLUMN effective_gas_price numeric(78, 0),
    ADD COLUMN mined_at timestamptz;
-- The day's mined fees are summed by this range.
CREATE INDEX attestation_transaction_mined_at_idx ON caseattest.attestation_transaction (chain_id, signer, mined_at)
    WHERE mined_at IS NOT NULL;

-- What the daemon applies, for `caseattest status`: its budget and whether new anchors wait for it.
ALTER TABLE caseattest.attestation_worker
    ADD COLUMN budget_limit_wei numeric(78, 0),
    ADD COLUMN min_anchor_interval double precision,
    ADD COLUMN budget_wait_reason text,
    ADD COLUMN budget_wait_until timestamptz;
