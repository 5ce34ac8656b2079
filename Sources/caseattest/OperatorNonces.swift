import AttestationService
import Logging
import Postgres

/// Operator commands take their nonces from the daemon's nonce table, so they
/// can run while a daemon signs with the same key. Before the database exists
/// (or is migrated) there can be no daemon: the node's pending nonce is used.
struct OperatorNonces {
    let table: NonceTable?
    private let pool: PostgresPool?

    static func open(_ service: ServiceOptions, logger: Logger) async throws -> OperatorNonces {
        let chainID = try service.resolvedChainID()
        let pool: PostgresPool
        do {
            pool = try service.databasePool(logger: logger, maxConnections: 1)
            _ = try await pool.query("SELECT next_nonce FROM attestation_signer LIMIT 0")
            _ = try await pool.query("SELECT purpose FROM attestation_transaction WHERE purpose = 'admin' LIMIT 0")
        } catch {
            logger.warning(
                """
                no nonce table (database unreachable or not migrated): using the node's pending nonce; \
                do not run this beside a daemon signing with the same key
                """)
            return OperatorNonces(table: nil, pool: nil)
        }
        return OperatorNonces(table: NonceTable(database: pool, chainID: chainID), pool: pool)
    }

    func close() async {
        await pool?.close()
    }
}
