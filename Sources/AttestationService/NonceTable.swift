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
