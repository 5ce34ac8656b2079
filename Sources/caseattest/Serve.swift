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

    func run() async throws {
        options.bootstrapLogging()
        let logger = Logger(label: "caseattest.serve")
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
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: monitor)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("caseattest daemon running", metadata: ["chain_id": "\(chainID)"])
        try await group.run()
        await database.close()
        logger.info("caseattest daemon stopped")
    }
}
