-- Operator commands (contract deploy, attesters add|remove) take their nonces from the daemon's
-- nonce table (attestation_signer, row lock) and store their transactions beside the anchors and
-- cancels, so they can run while a daemon signs with the same key: no nonce is used twice, and
-- the daemon's tracker follows (re-sends, re-prices) these transactions like its own.
ALTER TABLE caseattest.attestation_transaction DROP CONSTRAINT attestation_transaction_purpose_check;
ALTER TABLE caseattest.attestation_transaction ADD CONSTRAINT attestation_transaction_purpose_check
    CHECK (purpose IN ('anchor', 'cancel', 'admin'));
