-- 0003: what the worker's state machine needs to keep its promises under
-- faults: one definition of "attestable", per-case failures with a retry
-- schedule, transactions followed until final, send refusals, a fenced
-- signer lease, and the worker's stall signal.

-- "Attestable" is defined here once: the trigger, the sweep, intake and the
-- verifier all ask this function.
CREATE FUNCTION caseattest_is_attestable(case_status text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT case_status IN ('resolved', 'closed')
$$;

CREATE OR REPLACE FUNCTION caseattest_notify_case_resolved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF caseattest_is_attestable(NEW.status)
       AND (TG_OP = 'INSERT'
            OR OLD.status IS DISTINCT FROM NEW.status
            OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at) THEN
        PERFORM pg_notify('caseattest_case_resolved', NEW.id::text);
    END IF;
    RETURN NEW;
END;
$$;

-- A digest of exactly the columns a case document is built from (the case
-- row and its appointments). Stored when an attestation is committed or
-- fails, so the sweep can find cases re-resolved while a notice was lost and
-- failed cases whose rows were since corrected.
CREATE FUNCTION caseattest_case_fingerprint(wanted_case bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT md5(concat_ws('|', c.user_id, c.counsellor_id, c.status, c.risk_level_at_creation,
                         c.created_at::text, c.resolved_at::text,
                         (SELECT string_agg(concat_ws(',', a.id, a.scheduled_at::text, a.status, a.location_type), ';' ORDER BY a.id)
                          FROM appointments a WHERE a.case_id = c.id)))
    FROM cases c WHERE c.id = wanted_case
$$;

ALTER TABLE caseattestation
    ADD COLUMN source_fingerprint text,
    -- When a failed attestation is tried again by itself; NULL: only when its
    -- rows change or an operator asks.
    ADD COLUMN retry_at timestamptz;
CREATE INDEX caseattestation_retry_idx ON caseattestation (retry_at) WHERE status = 'failed' AND retry_at IS NOT NULL;

-- Transactions are followed past `confirmed` until `final` (a depth well
-- beyond the confirmations): a deeper reorg is still seen and re-anchored.
ALTER TABLE attestation_transaction DROP CONSTRAINT attestation_transaction_status_check;
ALTER TABLE attestation_transaction
    ADD CONSTRAINT attestation_transaction_status_check
        CHECK (status IN ('signed', 'submitted', 'mined', 'confirmed', 'final', 'failed')),
    -- The node's last refusal of these bytes (fee too low, ...), and how many in a row.
    ADD COLUMN refusal text,
    ADD COLUMN refusals integer NOT NULL DEFAULT 0,
    ADD COLUMN refused_at timestamptz;
DROP INDEX attestation_transaction_open_idx;
CREATE INDEX attestation_transaction_open_idx ON attestation_transaction (chain_id, signer, nonce)
    WHERE status IN ('signed', 'submitted', 'mined', 'confirmed');

-- The fence of the signer lease: whoever takes the lease raises the epoch,
-- and every write on the signer's path checks, in its own transaction, that
-- the epoch is still its own. A holder whose connection was cut (and whose
-- advisory lock is gone) can then write nothing after the takeover.
ALTER TABLE attestation_signer
    ADD COLUMN lease_epoch bigint NOT NULL DEFAULT 0,
    ADD COLUMN lease_holder text,
    ADD COLUMN lease_taken_at timestamptz;

-- One row per running worker: its heartbeat and stall signal, for
-- `caseattest status` and operators.
CREATE TABLE attestation_worker (
    instance         text PRIMARY KEY,
    started_at       timestamptz NOT NULL,
    heartbeat_at     timestamptz NOT NULL,
    is_signer        boolean NOT NULL DEFAULT false,
    last_progress_at timestamptz,
    stalled_since    timestamptz,
    stall_reason     text,
    stall_detail     text
);
