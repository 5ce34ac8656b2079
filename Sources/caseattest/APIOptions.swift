import ArgumentParser
import Attestation
import AttestationAPI
import AttestationService
import EthereumRPC
import Foundation
import Logging
import Metrics
import Postgres
import Prometheus
import Redis
import ServiceLifecycle

/// `caseattest serve`'s HTTP API: where it listens, who may call it and how often.
struct APIOptions: ParsableArguments {
    @Option(name: .customLong("http-host"), help: "Address the HTTP API listens on.")
    var httpHost: String = APIConfiguration.defaultHost

    @Option(
        name: .customLong("http-port"),
        help: "Port of the HTTP API (default: $CASEATTEST_HTTP_PORT, else \(APIConfiguration.defaultPort)).")
    var httpPort: Int?

    @Option(
        name: .customLong("api-tokens-file"),
        help: "File of `ROLE SHA256HEX` lines admitting API tokens (default: $CASEATTEST_API_TOKENS_FILE).")
    var tokensFile: String?

    @Option(
        name: .customLong("api-rate-limits"),
        help:
            """
            Per-token requests per 60 s, e.g. request_attestation=600,list_attestations=1200 (default: \
            $CASEATTEST_API_RATE_LIMITS).
            """
    )
    var rateLimits: String?

    @Option(
        name: .customLong("api-receipt-limit"),
        help: ArgumentHelp(
            "Receipts one token may fetch per hour, apart from --api-rate-limits "
                + "(default: $CASEATTEST_API_RECEIPT_LIMIT, else \(RateLimits.defaults.receiptsPerToken))."))
    var receiptLimit: Int?

    @Option(
        name: .customLong("api-db-connections"),
        help: """
            PostgreSQL connections of the API's own pool (default: four a core, at least 4, at most 32; \
            \(APIConfiguration.defaultDatabaseConnections(cores: ProcessInfo.processInfo.activeProcessorCount)) \
            here).
            """)
    var databaseConnections: Int?

    @Option(
        name: .customLong("redis-url"),
        help:
            """
            redis://[:password@]host[:port][/db] keeping the rate limits shared by every replica (default: \
            $CASEATTEST_REDIS_URL; none: in process).
            """
    )
    var redisURL: String?

    var resolvedDatabaseConnections: Int {
        databaseConnections
            ?? APIConfiguration.defaultDatabaseConnections(cores: ProcessInfo.processInfo.activeProcessorCount)
    }

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    func configuration() throws -> APIConfiguration {
        var port = APIConfiguration.defaultPort
        if let httpPort {
            port = httpPort
        } else if let text = Self.environment("CASEATTEST_HTTP_PORT") {
            guard let value = Int(text) else { throw ValidationError("CASEATTEST_HTTP_PORT is not a number") }
            port = value
        }
        guard (0...65535).contains(port) else { throw ValidationError("the HTTP port must be 0 to 65535") }
        var limits = RateLimits.defaults
        if let text = rateLimits ?? Self.environment("CASEATTEST_API_RATE_LIMITS") {
            do { limits = try limits.overriding(with: text) } catch { throw ValidationError(error.description) }
        }
        if let text = receiptLimit.map(String.init) ?? Self.environment("CASEATTEST_API_RECEIPT_LIMIT") {
            guard let count = Int(text), count > 0 else {
                throw ValidationError("the receipt limit must be a positive integer")
            }
            limits.receiptsPerToken = count
        }
        return APIConfiguration(host: httpHost, port: port, rateLimits: limits)
    }

    /// The tokens file's path, when one is configured.
    var tokensPath: String? { tokensFile ?? Self.environment("CASEATTEST_API_TOKENS_FILE") }

    /// The Redis the rate limits live in, when one is configured.
    func redis(logger: Logger) throws -> RedisClient? {
        guard let text = redisURL ?? Self.environment("CASEATTEST_REDIS_URL") else { return nil }
        do { return RedisClient(url: try RedisURL(text), logger: logger) } catch {
            throw ValidationError(error.description)
        }
    }

    func tokens(logger: Logger) throws -> TokenStore {
        guard let path = tokensPath else {
            logger.warning(
                "no API tokens file (--api-tokens-file or CASEATTEST_API_TOKENS_FILE): every /v1 request gets 401")
            return try TokenStore(fileContents: "")
        }
        do {
            let store = try TokenStore(contentsOfFile: path)
            logger.info("API tokens loaded", metadata: ["count": "\(store.count)"])
            return store
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// The API as a service for serve's ServiceGroup, with a database pool
    /// of its own (so a burst of requests cannot starve the worker) that is
    /// closed once the server has drained.
    func service(
        services: ServiceOptions, ethereum: EthereumClient, chainID: UInt64,
        pseudonymKey: PseudonymKey, signerFunded: @escaping @Sendable () async throws -> Bool,
        verification: (any VerificationService)?, readinessChecks: [ReadinessProbe.Check] = [],
        logger: Logger
    ) async throws -> any Service {
        let configuration = try configuration()
        let tokens = try tokens(logger: logger)
        let redis = try redis(logger: logger)  // a bad URL fails before any pool is opened
        // Its statements are few and hot key lookups: each is planned once
        // per connection (planning cost several times the lookup itself).
        let database = try services.databasePool(
            logger: logger, maxConnections: max(1, resolvedDatabaseConnections), preparesStatements: true)
        var readiness = ReadinessProbe.standard(
            database: database, ethereum: ethereum, expectedChainID: chainID,
            signerFunded: signerFunded, extra: readinessChecks)
        var store: RedisRateLimiter?
        if let redis {
            let limiter = RedisRateLimiter(
                client: redis, limits: configuration.rateLimits,
                metricsFactory: MetricsSystem.factory, logger: logger)
            readiness = ReadinessProbe(
                checks: readiness.checks + [limiter.readinessCheck()], timeout: readiness.timeout)
            logger.info("API rate limits kept in Redis", metadata: ["redis": "\(redis.url.redacted)"])
            // Sets caseattest_redis_up and logs an outage before the first request.
            _ = try? await limiter.readinessCheck().run()
            store = limiter
        }
        let dependencies = APIDependencies(
            intake: AttestationIntake(database: database, pseudonymKey: pseudonymKey, logger: logger),
            queries: AttestationQueries(database: database),
            verification: verification,
            readiness: readiness,
            tokens: tokens,
            metricsRegistry: APIMetricsBootstrap.registry,
            rateLimitStore: store,
            chainProfiles: try services.loadChainProfiles(),
            logger: Logger(label: "caseattest.api"))
        return APIServerService(application: buildApplication(configuration, dependencies), database: database)
    }
}

/// The Prometheus registry /metrics serves. Only the executable points the
/// process-wide MetricsSystem at it, so the worker's metrics (made through
/// swift-metrics) land beside the API's.
enum APIMetricsBootstrap {
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}

/// Runs the HTTP application, then closes the API's database pool once the
/// server has stopped (after graceful shutdown let in-flight requests finish).
/// Requests run on the pool's threads (`withTaskExecutor`): most are one
/// query, which then runs where the request is instead of two thread hops away.
struct APIServerService: Service {
    let application: any Service
    let database: PostgresPool

    func run() async throws {
        do {
            try await database.withTaskExecutor { try await application.run() }
        } catch {
            await database.close()
            throw error
        }
        await database.close()
    }
}
