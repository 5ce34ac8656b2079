import Ethereum
import Foundation
import Logging
import Postgres

/// The one nonce authority of a signer's key: the daemon's nonce table
/// (`attestation_signer.next_nonce`, taken under a row lock). Operator
/// commands sign through it so they can run beside a daemon using the same
/// key: the nonce is allocated, the transaction signed and stored in one
/// database transaction before anything is sent, exactly as anchors are.
public struct NonceTable: Sendable {
    let database: PostgresPool
    let chainID: UInt64

    public init(database: PostgresPool, chainID: UInt64) {
        self.database = database
        self.chainID = chainID
    }

    /// Allocates the next nonce (never below the node's `pending`), signs the
    /// transaction `build` makes for it, stores it as an `admin` transaction
    /// and returns it with its row id. Signed on the pool's thread (a token
    /// signer blocks while it signs).
    func allocateAndStore(
        pending: UInt64, key: any TransactionSigner, fees: Fees,
        build: @escaping @Sendable (UInt64) -> UnsignedTransaction
    )
        async throws -> (Int64, SignedTransaction)
    {
        let chainID = chainID
        return try await database.transaction { connection in
            let signer = key.address
            let signerText = Hex.encodePrefixed(signer.bytes)
            // No daemon has used this key on this chain yet: the row starts at the node's pending nonce.
            try connection.query(
                """
                INSERT INTO attestation_signer (chain_id, signer, next_nonce)
                VALUES (\(Int64(chainID)), \(signerText), 0)
                ON CONFLICT (chain_id, signer) DO NOTHING
                """)
            try connection.query(
                """
                UPDATE attestation_signer SET next_nonce = greatest(next_nonce, \(Int64(pending)))
                WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                """)
            let nonce = try PipelineStore.allocateNonce(chainID: chainID, signer: signer, on: connection)
            let unsigned = build(nonce)
            let signed = try unsigned.sign(with: key)
            let id = try PipelineStore.insertTransaction(
                signed, purpose: "admin", batchID: nil, chainID: chainID,
                signer: signer, nonce: nonce, gasLimit: unsigned.gasLimit,
                fees: fees, now: Date(), on: connection)
            return (id, signed)
        }
    }

    /// What became of a refused operator transaction's nonce.
    enum Release: Sendable {
        /// It was the last nonce allocated: the row is gone and the nonce is
        /// the next one again, as if it had never been taken.
        case givenBack
        /// Later nonces were allocated after it: the row is now a zero-value
        /// self-transfer at the same nonce, to be sent (by us, and by a
        /// running daemon, which follows it like its own).
        case cancelled(SignedTransaction)
        /// A daemon sent the bytes meanwhile (a node took them): its tracker
        /// follows them; nothing is released.
        case followedByDaemon
    }

    /// An operator transaction whose bytes the node refused must not leave
    /// its nonce open (every later nonce of the key would wait behind it).
    /// The daemon's rule for a nonce it allocated and cannot use is to use it
    /// up with a cancel (`reconcileNonces`' gaps); here, when no nonce was
    /// allocated after it, it is simply given back. Under the signer row's
    /// lock, like every allocation; only a row no node ever took (never sent).
    func release(
        transactionID: Int64, key: any TransactionSigner, cancelFees: Fees, reason: String
    ) async throws -> Release {
        let chainID = chainID
        return try await database.transaction { connection in
            let signerText = Hex.encodePrefixed(key.address.bytes)
            let next = try connection.query(
                """
                SELECT next_nonce FROM attestation_signer WHERE chain_id = \(Int64(chainID)) AND signer = \
                \(signerText) FOR UPDATE
                """
            ).rows[0].decode(Int64.self, "next_nonce")
            guard
                let row = try connection.query(
                    """
                    SELECT nonce FROM attestation_transaction WHERE id = \(transactionID)
                      AND status = \(TransactionStatus.signed) AND first_sent_at IS NULL FOR UPDATE
                    """
                ).rows.first
            else { return .followedByDaemon }
            let nonce = try row.decode(Int64.self, "nonce")
            if next == nonce + 1 {
                try connection.query("DELETE FROM attestation_transaction_hash WHERE transaction_id = \(transactionID)")
                try connection.query("DELETE FROM attestation_transaction WHERE id = \(transactionID)")
                try connection.query(
                    """
                    UPDATE attestation_signer SET next_nonce = \(nonce)
                    WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
                    """)
                return .givenBack
            }
            // The daemon's cancel: signed as `AttestationWorker.cancel` signs one, stored before it is sent.
            let cancel = try PipelineStore.sign(
                nonce: UInt64(nonce), to: key.address, data: [], gasLimit: 21_000, fees: cancelFees,
                chainID: chainID, key: key)
            let now = Date()
            try PipelineStore.insertHash(
                cancel, transactionID: transactionID, fees: cancelFees, now: now, on: connection)
            try connection.query(
                """
                UPDATE attestation_transaction SET purpose = 'cancel', raw = \(cancel.rawBytes),
                    tx_hash = \(Hex.encodePrefixed(cancel.hash)), gas_limit = 21000,
                    max_fee_per_gas = \(PostgresValue.numeric(cancelFees.maxFeePerGas.description)),
                    max_priority_fee_per_gas = \(PostgresValue.numeric(cancelFees.maxPriorityFeePerGas.description)),
                    replacements = replacements + 1, current_signed_at = \(now), last_error = \(reason),
                    updated_at = \(now)
                WHERE id = \(transactionID)
                """)
            return .cancelled(cancel)
        }
    }

    /// Every hash stored for a transaction (a running daemon may have
    /// replaced a stuck one with higher fees).
    func hashes(of transactionID: Int64) async throws -> [[UInt8]] {
        try await database.query(
            """
            SELECT tx_hash FROM attestation_transaction_hash WHERE transaction_id = \(transactionID) ORDER BY created_at
            """
        ).rows.map { try Hex.decode(try $0.decode(String.self, "tx_hash")) }
    }
}
