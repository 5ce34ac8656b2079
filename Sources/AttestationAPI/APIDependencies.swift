import Attestation
import AttestationService
import Logging
import Prometheus

/// What the API's handlers work with; `serve` builds the real ones, tests
/// build them against a test database (and may pass their own verifier).
public struct APIDependencies: Sendable {
    public var intake: AttestationIntake
    public var queries: AttestationQueries
    /// The verifier; nil until wired, when its two endpoints answer 503.
    public var verification: (any VerificationService)?
    public var readiness: ReadinessProbe
    public var tokens: TokenStore
    /// Where /metrics reads from. The HTTP metrics are registered here; the
    /// executable points the process's MetricsSystem at the same registry so
    /// the worker's metrics appear beside them.
    public var metricsRegistry: PrometheusCollectorRegistry
    /// Where rate-limit windows are counted; nil for this process's memory.
    public var rateLimitStore: (any RateLimitStore)?
    /// Where attestations' explorer links come from.
    public var chainProfiles: ChainProfiles
    public var logger: Logger

    public init(
        intake: AttestationIntake, queries: AttestationQueries, verification: (any VerificationService)?,
        readiness: ReadinessProbe, tokens: TokenStore, metricsRegistry: PrometheusCollectorRegistry,
        rateLimitStore: (any RateLimitStore)? = nil, chainProfiles: ChainProfiles = .builtIn, logger: Logger
    ) {
        self.intake = intake
        self.queries = queries
        self.verification = verification
        self.readiness = readiness
        self.tokens = tokens
        self.metricsRegistry = metricsRegistry
        self.rateLimitStore = rateLimitStore
        self.chainProfiles = chainProfiles
        self.logger = logger
    }
}
