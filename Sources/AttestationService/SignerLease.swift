import Ethereum
import Logging
import Postgres

/// Only one daemon drives a (chain, signer)'s transactions at a time: the
/// holder of a PostgreSQL session advisory lock. Other daemons still commit
/// and batch, and take over when the holder's connection goes away.
final class SignerLease: Sendable {
    private let url: String
    private let key: Int64
    private let logger: Logger
    private let state = LeaseState()

    init(url: String, chainID: UInt64, signer: Address, logger: Logger) {
        self.url = url
        // 64 bits of keccak("caseattest-signer" ‖ chain id ‖ signer) as the lock key.
        let material = Array("caseattest-signer".utf8) + Array(String(chainID).utf8) + signer.bytes
        self.key = Keccak256.hash(material).prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
        self.logger = logger
    }

    /// True while this process holds the lease; tries to take it otherwise.
    func holds() async -> Bool {
        if let session = state.session {
            if await session.isBroken == false, (try? await session.run({ try $0.query("SELECT 1") })) != nil {
                return true
            }
            logger.warning("signer lease lost with its database connection")
            state.session = nil
        }
        do {
            let session = try PostgresSession(url: url, logger: logger)
            let lockKey = key
            let acquired = try await session.run { connection in
                try connection.query("SELECT pg_try_advisory_lock(\(lockKey)) AS acquired").rows[0].decode(Bool.self, "acquired")
            }
            guard acquired else {
                await session.close()
                return false
            }
            state.session = session
            state.generation += 1
            logger.info("signer lease acquired")
            return true
        } catch {
            logger.warning("signer lease unavailable", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Counts acquisitions: a lease taken again must reconcile nonces again,
    /// since another daemon may have signed meanwhile.
    var generation: Int { state.generation }

    func release() async {
        if let session = state.session {
            await session.close()
            state.session = nil
        }
    }
}

/// Touched only from the worker's single loop.
private final class LeaseState: @unchecked Sendable {
    var session: PostgresSession?
    var generation = 0
}
