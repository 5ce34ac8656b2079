import EthereumRPC
import Logging
import Postgres
import ServiceLifecycle

/// Watches both ends the daemon works between, the database and the chain,
/// and logs what it sees: the chain head and how many resolved or closed
/// cases still have no attestation, every `interval` or, on a large
/// backlog, ten times as long as the count took. Stops on graceful shutdown.
public struct BacklogMonitor: Service {
    public struct Snapshot: Sendable, Equatable {
        public let chainHead: UInt64
        public let unattestedCases: Int64
    }

    let database: PostgresPool
    let ethereum: EthereumClient
    let interval: Duration
    let logger: Logger

    public init(database: PostgresPool, ethereum: EthereumClient, interval: Duration, logger: Logger) {
        self.database = database
        self.ethereum = ethereum
        self.interval = interval
        self.logger = logger
    }

    public func snapshot() async throws -> Snapshot {
        let head = try await ethereum.blockNumber()
        let rows = try await FullScan.query(
            """
            SELECT count(*) AS unattested FROM cases c
            WHERE caseattest.is_attestable(c.status)
              AND NOT EXISTS (SELECT 1 FROM attestation a WHERE a.case_id = c.id)
            """, on: database)
        let count = try rows.rows.first?.decode(Int64.self, "unattested") ?? 0
        return Snapshot(chainHead: head, unattestedCases: count)
    }

    public func run() async throws {
        var last: Snapshot?
        let clock = ContinuousClock()
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            let started = clock.now
            do {
                let now = try await snapshot()
                if now != last {
                    logger.info(
                        "backlog",
                        metadata: [
                            "chain_head": "\(now.chainHead)", "unattested_cases": "\(now.unattestedCases)",
                        ])
                    last = now
                }
            } catch {
                // A dead node or database is logged and retried, never fatal here.
                logger.warning("backlog check failed", metadata: ["error": "\(error)"])
            }
            // The count reads both tables whole: spaced by its own duration.
            let took = (clock.now - started) / .seconds(1)
            let wait = FullScan.wait(interval: interval / .seconds(1), took: took)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(wait)) }
        }
        logger.info("backlog monitor stopped")
    }
}
