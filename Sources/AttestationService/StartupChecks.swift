import EthereumRPC
import Logging
import Postgres

/// What must hold before the daemon takes work: the database answers and is
/// migrated, and the node serves the chain we sign for.
public struct StartupChecks: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    let database: PostgresPool
    let ethereum: EthereumClient
    let expectedChainID: UInt64
    let logger: Logger

    public init(database: PostgresPool, ethereum: EthereumClient, expectedChainID: UInt64, logger: Logger) {
        self.database = database
        self.ethereum = ethereum
        self.expectedChainID = expectedChainID
        self.logger = logger
    }

    public func run() async throws {
        let tables = try await database.query(
            """
            SELECT to_regclass('cases') IS NOT NULL AND to_regclass('appointments') IS NOT NULL
                   AND to_regclass('public.caseattestation') IS NOT NULL AS seed,
                   to_regclass('caseattest.attestation') IS NOT NULL AS own
            """)
        guard try tables.rows.first?.decode(Bool.self, "seed") == true else {
            throw Failure(description: "the database lacks the seed tables (cases, appointments, caseattestation)")
        }
        guard try tables.rows.first?.decode(Bool.self, "own") == true else {
            throw Failure(description: "the database lacks the service's schema: run `caseattest migrate` first")
        }
        let chainID = try await ethereum.chainID()
        guard chainID == expectedChainID else {
            throw Failure(
                description: "the node serves chain \(chainID), but the daemon is configured for \(expectedChainID)")
        }
        logger.info("startup checks passed", metadata: ["chain_id": "\(chainID)"])
    }
}
