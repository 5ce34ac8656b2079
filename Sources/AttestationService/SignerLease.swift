import Ethereum
import Logging
import Postgres

/// Only one daemon drives a (chain, signer)'s transactions at a time: the
/// holder of a PostgreSQL session advisory lock, fenced by an epoch (see
/// `SignerFence`). Other daemons still commit and batch, and take over when
/// the holder's connection goes away (TCP keepalives bound how long that takes).
final class SignerLease: Sendable {
    private let url: String
    private let key: Int64
    private let chainID: UInt64
    private let signer: Address
    private let holder: String
    private let logger: Logger
    private let state = LeaseState()

    init(url: String, chainID: UInt64, signer: Address, holder: String, logger: Logger) {
        self.url = url
        // 64 bits of keccak("caseattest-signer" ‖ chain id ‖ signer) as the lock key.
        let material = Array("caseattest-signer".utf8) + Array(String(chainID).utf8) + signer.bytes
        self.key = Keccak256.hash(material).prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        self.chainID = chainID
        self.signer = signer
        self.holder = holder
        self.logger = logger
    }

    /// The fence while this process holds the lease (taking it when free), else nil.
    func check() async -> SignerFence? {
        if let session = state.session, let fence = state.fence {
            if await session.isBroken == false, (try? await session.run({ try $0.query("SELECT 1") })) != nil {
                return fence
            }
            logger.warning("signer lease lost with its database connection")
            await session.close()
            state.session = nil
            state.fence = nil
        }
        do {
            let session = try PostgresSession(url: url, logger: logger)
            let (lockKey, chainID, signer, holder) = (key, chainID, signer, holder)
            let epoch = try await session.run { connection -> Int64? in
                let acquired = try connection.query("SELECT pg_try_advisory_lock(\(lockKey)) AS acquired")
                    .rows[0].decode(Bool.self, "acquired")
                guard acquired else { return nil }
                return try connection.transaction {
                    try SignerFence.advance(chainID: chainID, signer: signer, holder: holder, on: $0)
                }
            }
            guard let epoch else {
                await session.close()
                return nil
            }
            let fence = SignerFence(chainID: chainID, signer: signer, epoch: epoch)
            state.session = session
            state.fence = fence
            logger.info("signer lease acquired", metadata: ["epoch": "\(epoch)"])
            return fence
        } catch {
            logger.warning("signer lease unavailable", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The fence as of the last check, without touching the database.
    var currentFence: SignerFence? { state.fence }

    func release() async {
        if let session = state.session {
            await session.close()
            state.session = nil
            state.fence = nil
        }
    }
}

/// Touched only from the worker's single loop.
private final class LeaseState: @unchecked Sendable {
    var session: PostgresSession?
    var fence: SignerFence?
}
