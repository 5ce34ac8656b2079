import ArgumentParser
import AttestationService
import Logging
import Postgres
import ServiceLifecycle

/// `caseattest serve`: the daemon. Every long-running piece is a `Service`
/// in one group; SIGTERM or SIGINT shuts them down gracefully.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the attestation daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ServiceOptions

    @Option(name: .customLong("monitor-interval"), help: "Seconds between backlog reports.")
    var monitorInterval: Int = 5

    @OptionGroup(title: "HTTP API") var api: APIOptions

    func run() async throws {
        options.bootstrapLogging()
        let logger = Logger(label: "caseattest.serve")
        _ = APIMetricsBootstrap.registry  // the process's MetricsSystem, before any metric is made
        let chainID = try options.resolvedChainID()

        let database = try options.databasePool(logger: logger)
        let ethereum = try options.ethereumClient(logger: logger)
        do {
            try await StartupChecks(database: database, ethereum: ethereum, expectedChainID: chainID, logger: logger).run()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            await database.close()
            throw ExitCode(2)
        }

        let monitor = BacklogMonitor(database: database, ethereum: ethereum,
                                     interval: .seconds(max(1, monitorInterval)), logger: logger)
        // The HTTP API comes last: on SIGTERM the group stops it first (no new
        // requests, in-flight ones finish), then the services before it.
        let apiServer = try api.service(
            services: options, ethereum: ethereum, chainID: chainID,
            pseudonymKey: try APIOptions.pseudonymKeyFromEnvironment(),
            signerFunded: APIOptions.signerFundedFromEnvironment(ethereum: ethereum),
            verification: nil, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: monitor), .init(service: apiServer)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("caseattest daemon running", metadata: ["chain_id": "\(chainID)"])
        try await group.run()
        await database.close()
        logger.info("caseattest daemon stopped")
    }
}
