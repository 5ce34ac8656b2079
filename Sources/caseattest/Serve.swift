import ArgumentParser
import AttestationAPI
import AttestationService
import Logging
import Postgres
import ServiceLifecycle

/// `caseattest serve`: the daemon. Every long-running piece is a `Service`
/// in one group; SIGTERM or SIGINT shuts them down gracefully, each at a
/// durable state.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the attestation daemon until SIGTERM or SIGINT.")

    @OptionGroup var options: ServiceOptions
    @OptionGroup var contract: ContractOptions
    @OptionGroup var signer: SignerOptions
    @OptionGroup var pseudonym: PseudonymOptions
    @OptionGroup var worker: WorkerOptions

    @Option(name: .customLong("monitor-interval"), help: "Seconds between backlog reports.")
    var monitorInterval: Int = 30

    @OptionGroup(title: "HTTP API") var api: APIOptions

    func run() async throws {
        options.bootstrapLogging()
        let logger = Logger(label: "caseattest.serve")
        _ = APIMetricsBootstrap.registry  // the process's MetricsSystem, before any metric is made
        let chainID = try options.resolvedChainID()
        // Secrets and addresses first: a bad key or password is a clear start-up error.
        let key = try signer.loadKey()
        let pseudonymKey = try pseudonym.loadKey()
        let registry = try contract.address()
        let profile = try options.chainProfile()
        let tracking = worker.tracking(profile: profile)

        let database = try options.databasePool(logger: logger, maxConnections: 6)
        let ethereum = try options.ethereumClient(logger: logger)
        do {
            try await StartupChecks(database: database, ethereum: ethereum, expectedChainID: chainID, logger: logger)
                .run()
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            await database.close()
            throw ExitCode(2)
        }

        var configuration = WorkerConfiguration(
            databaseURL: options.resolvedDatabaseURL, chainID: chainID, contract: registry,
            signer: key, pseudonymKey: pseudonymKey, tracking: tracking)
        configuration.batchMax = worker.batchMax
        configuration.batchWait = worker.batchWait
        configuration.anchorInterval = worker.anchorIntervalSeconds ?? AnchorSchedule.defaultInterval
        configuration.batchMinLeaves = worker.batchMinLeaves
        configuration.automaticIntake = !worker.noAutoIntake
        configuration.sweepInterval = worker.sweepInterval
        configuration.stallAfter = worker.stallAfter
        configuration.spendingBudget = worker.spendingBudget(clockOffset: try TestClock.budgetOffset())
        if configuration.spendingBudget.clockOffset != 0 {
            logger.warning(
                "TEST ONLY: the spending budget's clock is offset; never set this in a deployment",
                metadata: [
                    "variable": "\(TestClock.variable)", "seconds": "\(configuration.spendingBudget.clockOffset)",
                ])
        }
        let attestationWorker = AttestationWorker(
            configuration: configuration, database: database, ethereum: ethereum, logger: logger)
        let monitor = BacklogMonitor(
            database: database, ethereum: ethereum,
            interval: .seconds(max(1, monitorInterval)), logger: logger)
        // The HTTP API comes last: on SIGTERM the group stops it first (no new
        // requests, in-flight ones finish), then the services before it.
        let verifier = Verifier(
            database: database, rpc: ethereum.rpc,
            configuration: VerifierConfiguration(
                registry: registry, chainID: chainID,
                confirmations: tracking.confirmations, pseudonymKey: pseudonymKey,
                finality: tracking.finality),
            logger: logger)
        let apiServer = try await api.service(
            services: options, ethereum: ethereum, chainID: chainID, pseudonymKey: pseudonymKey,
            signerFunded: ReadinessProbe.balanceIsPositive(of: key.address, on: ethereum),
            verification: DatabaseVerificationService(
                verifier: verifier,
                receipts: ReceiptBuilder(
                    database: database, pseudonymKey: pseudonymKey, profiles: try options.loadChainProfiles())),
            readinessChecks: [
                ReadinessProbe.Check(name: "worker") {
                    let stall = attestationWorker.stall()
                    guard let reason = stall.reason else { return }
                    throw ReadinessProbe.NotReady(
                        "stalled (\(reason.rawValue)): \(stall.waiting) attestations wait"
                            + (stall.detail.map { "; \($0)" } ?? ""))
                },
                ReadinessProbe.budget { attestationWorker.budgetWait() },
            ],
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: attestationWorker), .init(service: monitor), .init(service: apiServer)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        logger.info(
            "caseattest daemon running",
            metadata: [
                "chain_id": "\(chainID)", "chain": "\(profile?.name ?? "no profile")",
                "signer": "\(key.address.checksummed)",
                "finality": "\(tracking.finality)", "fee_model": "\(tracking.fees.model.rawValue)",
                "min_tip_wei": "\(tracking.fees.minimumPriorityFee)",
            ])
        try await group.run()
        await database.close()
        logger.info("caseattest daemon stopped")
    }
}
