import Ethereum
import Postgres

/// The signer lease's fence: the epoch this process took the lease under.
/// Every write on the signer's path checks it in its own transaction, so a
/// process that lost the lease (its connection cut, another daemon took
/// over) writes nothing more, whatever it still believes.
public struct SignerFence: Sendable, Hashable {
    public let chainID: UInt64
    public let signer: Address
    public let epoch: Int64

    public init(chainID: UInt64, signer: Address, epoch: Int64) {
        self.chainID = chainID
        self.signer = signer
        self.epoch = epoch
    }

    /// Holds the signer row in share mode until the transaction ends: a
    /// takeover (which raises the epoch) waits for this write, or this write
    /// sees the new epoch and is refused.
    func check(on connection: PostgresConnection) throws {
        let row = try connection.query(
            """
            SELECT lease_epoch FROM attestation_signer
            WHERE chain_id = \(Int64(chainID)) AND signer = \(Hex.encodePrefixed(signer.bytes)) FOR SHARE
            """
        ).rows.first
        guard let row, try row.decode(Int64.self, "lease_epoch") == epoch else { throw LeaseLost() }
    }

    /// Takes the next epoch for this process (after the advisory lock is won).
    static func advance(
        chainID: UInt64, signer: Address, holder: String, on connection: PostgresConnection
    ) throws -> Int64 {
        let signerText = Hex.encodePrefixed(signer.bytes)
        // next_nonce 0 is a placeholder: reconciliation raises it to the node's pending nonce.
        try connection.query(
            """
            INSERT INTO attestation_signer (chain_id, signer, next_nonce) VALUES (\(Int64(chainID)), \(signerText), 0)
            ON CONFLICT (chain_id, signer) DO NOTHING
            """)
        return try connection.query(
            """
            UPDATE attestation_signer SET lease_epoch = lease_epoch + 1, lease_holder = \(holder), lease_taken_at = \
            now()
            WHERE chain_id = \(Int64(chainID)) AND signer = \(signerText)
            RETURNING lease_epoch
            """
        ).rows[0].decode(Int64.self, "lease_epoch")
    }
}

/// A write on the signer's path was refused: another process holds the lease.
public struct LeaseLost: Error, CustomStringConvertible {
    public var description: String { "the signer lease was taken over by another process" }
}

extension PostgresPool {
    /// A transaction that first checks the fence; nothing in it is written
    /// when the lease is no longer this process's.
    func fenced<T: Sendable>(
        _ fence: SignerFence,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await transaction { connection in
            try fence.check(on: connection)
            return try body(connection)
        }
    }
}
