import ArgumentParser
import Attestation
import EthereumRPC
import Foundation
import Logging
import Postgres

/// Where the database and the node are: flags first, then the environment,
/// then the embedded defaults that `make run` starts services on.
struct ServiceOptions: ParsableArguments {
    static let defaultDatabaseURL = "postgres://postgres@127.0.0.1:54329/caseattest"
    static let defaultRPCURL = "http://127.0.0.1:8545"
    static let defaultChainID: UInt64 = 1337

    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL (default: $DATABASE_URL, else \(defaultDatabaseURL)).")
    var databaseURL: String?

    @Option(
        name: .customLong("rpc-url"),
        help: "JSON-RPC URL(s), comma-separated for failover (default: $CASEATTEST_RPC_URL, else \(defaultRPCURL)).")
    var rpcURL: String?

    @Option(
        name: .customLong("chain-id"),
        help: "Expected chain id (default: $CASEATTEST_CHAIN_ID, else \(defaultChainID)).")
    var chainID: UInt64?

    @Option(
        name: .customLong("chain-profiles"),
        help: """
            A chain profile file adding to (or replacing) the built-in profiles \
            (default: $CASEATTEST_CHAIN_PROFILES; format: README, "Chain profiles").
            """)
    var chainProfiles: String?

    @Option(name: .customLong("log-format"), help: "text or json.")
    var logFormat: LogFormat = .text

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    var resolvedDatabaseURL: String { databaseURL ?? Self.environment("DATABASE_URL") ?? Self.defaultDatabaseURL }
    var resolvedRPCURLs: String { rpcURL ?? Self.environment("CASEATTEST_RPC_URL") ?? Self.defaultRPCURL }

    func resolvedChainID() throws -> UInt64 {
        if let chainID { return chainID }
        guard let text = Self.environment("CASEATTEST_CHAIN_ID") else { return Self.defaultChainID }
        guard let value = UInt64(text) else { throw ValidationError("CASEATTEST_CHAIN_ID is not a number") }
        return value
    }

    /// The profile of the chain we serve: built in, or from --chain-profiles.
    /// A bad file is a start-up error naming its line and the reason.
    func chainProfile() throws -> ChainProfile? {
        try loadChainProfiles()[try resolvedChainID()]
    }

    /// The built-in profiles and those of --chain-profiles.
    func loadChainProfiles() throws -> ChainProfiles {
        try Self.loadChainProfiles(file: chainProfiles)
    }

    /// The built-in profiles and those of `file`, else $CASEATTEST_CHAIN_PROFILES.
    static func loadChainProfiles(file: String?) throws -> ChainProfiles {
        var profiles = ChainProfiles.builtIn
        if let path = file ?? Self.environment("CASEATTEST_CHAIN_PROFILES") {
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw ValidationError("cannot read the chain profile file \(path)")
            }
            do {
                profiles.add(try ChainProfileFile.parse(text))
            } catch {
                throw ValidationError("\(path): \(error)")
            }
        }
        return profiles
    }

    func bootstrapLogging() {
        LoggingBootstrap.bootstrap(format: logFormat, level: logLevel)
    }

    func ethereumClient(logger: Logger) throws -> EthereumClient {
        EthereumClient(
            rpc: try JSONRPCClient(configuration: RPCConfiguration(commaSeparated: resolvedRPCURLs), logger: logger))
    }

    func databasePool(logger: Logger, maxConnections: Int = 4, preparesStatements: Bool = false) throws -> PostgresPool
    {
        try PostgresPool(
            url: resolvedDatabaseURL, maxConnections: maxConnections, preparesStatements: preparesStatements,
            logger: logger)
    }
}
