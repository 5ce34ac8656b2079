import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Redis
import Testing

@testable import AttestationAPI

/// The pieces of shared rate limits that need no Redis server: the
/// per-counsellor window, the fallback when Redis cannot be reached, and a
/// non-critical readiness check. tests/ops runs them against a real one.
@Suite struct SharedRateLimitTests {
    @Test func perCounsellorOverrideParses() throws {
        let limits = try RateLimits.defaults.overriding(with: "request_attestation_per_counsellor=3,receipt=2")
        #expect(limits.perCounsellor == 3)
        #expect(limits.limit(for: .receipt) == 2)
        #expect(throws: APIConfigurationError.self) {
            try RateLimits.defaults.overriding(with: "request_attestation_per_counsellor=0")
        }
        #expect(RateLimiter.counsellorKey(42) == "ratelimit:counsellor-42:request_attestation")
    }

    /// Two tokens of the backend asking for the same counsellor share the
    /// counsellor's window: the third request is 429 before any query.
    @Test func counsellorWindowIsSharedByTokens() async throws {
        let tokens = TestTokens()
        let second = NewAPIToken.generate(role: .backend)
        var dependencies = try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens)
        dependencies.tokens = try TokenStore(fileContents: "\(tokens.backend.fileLine)\n\(second.fileLine)\n")
        var limits = RateLimits.defaults
        limits.perCounsellor = 2
        let app = TestSupport.application(dependencies, rateLimits: limits)
        try await app.test(.router) { client in
            var statuses: [HTTPResponse.Status] = []
            for token in [tokens.backend, second, tokens.backend] {
                try await client.execute(
                    uri: "/v1/cases/10/attestations", method: .post, headers: tokens.jsonHeaders(token),
                    body: ByteBuffer(string: #"{"counsellorId": 9}"#)
                ) { statuses.append($0.status) }
            }
            // The unused pool cannot answer: admitted requests fail later, as 500s.
            #expect(statuses.prefix(2).allSatisfy { $0 != .tooManyRequests })
            #expect(statuses.last == .tooManyRequests)
        }
    }

    @Test func unreachableRedisFallsBackToLocalCountersAndSaysSo() async throws {
        let registry = PrometheusCollectorRegistry()
        let client = RedisClient(url: try RedisURL("redis://127.0.0.1:1/0"), logger: TestSupport.quietLogger)
        let limiter = RedisRateLimiter(
            client: client, limits: .defaults,
            metricsFactory: PrometheusMetricsFactory(registry: registry), logger: TestSupport.quietLogger)
        #expect(await limiter.admit(key: "ratelimit:a:receipt", limit: 2) == .allowed(remaining: 1))
        #expect(await limiter.admit(key: "ratelimit:a:receipt", limit: 2) == .allowed(remaining: 0))
        guard case .limited = await limiter.admit(key: "ratelimit:a:receipt", limit: 2) else {
            Issue.record("the local fallback did not limit")
            return
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        #expect(String(decoding: buffer, as: UTF8.self).contains("caseattest_redis_up 0"))

        let check = limiter.readinessCheck()
        #expect(!check.critical)
        await #expect(throws: ReadinessProbe.NotReady.self) { try await check.run() }
    }

    @Test func aFailingNonCriticalCheckIsDegradedNotUnready() async throws {
        let probe = ReadinessProbe(checks: [
            .init(name: "database") {},
            .init(name: "redis", critical: false) { throw ReadinessProbe.NotReady("Redis unreachable") },
        ])
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: TestTokens(),
                readiness: probe))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body = TestSupport.json(response)
                #expect(body["status"] as? String == "degraded")
                let checks = body["checks"] as? [String: [String: String]] ?? [:]
                #expect(checks["redis"] == ["status": "degraded", "reason": "Redis unreachable"])
                #expect(checks["database"] == ["status": "ok"])
            }
        }
    }
}
