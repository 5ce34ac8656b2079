-- 0004: what the auditor's reconciliation needs: the backend's old rows
-- marked as such, and where the registry was deployed.

-- Rows the backend wrote before this service existed: 0002 left them
-- 'confirmed', but nothing about them can be checked (no salt, no document,
-- no batch, no anchor). Marked here once, from what the database held when
-- this migration ran; the verifier calls them `legacy`, never verified.
-- A row made to look like one later is not marked, and reconciliation sees
-- the batch it left.
ALTER TABLE caseattestation ADD COLUMN legacy boolean NOT NULL DEFAULT false;
UPDATE caseattestation SET legacy = true
WHERE status = 'confirmed' AND batch_id IS NULL AND salt IS NULL AND attested_document IS NULL
  AND erased_at IS NULL AND leaf IS NULL;

-- The block a registry was deployed in, found once (binary search on
-- eth_getCode) so every reconciliation scans its Anchored logs from there.
CREATE TABLE attestation_registry_deployment (
    chain_id         bigint NOT NULL,
    contract_address text   NOT NULL CHECK (contract_address ~ '^0x[0-9a-f]{40}$'),
    deployment_block bigint NOT NULL CHECK (deployment_block >= 0),
    -- The block's hash when found: a reorg below it is noticed, not trusted.
    block_hash       text   NOT NULL CHECK (block_hash ~ '^0x[0-9a-f]{64}$'),
    found_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (chain_id, contract_address)
);
