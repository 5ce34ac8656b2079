import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import Testing

@testable import AttestationAPI

@Suite struct OperationalEndpointTests {
    @Test func healthz() async throws {
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: TestTokens()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(TestSupport.string(response) == #"{"status":"ok"}"#)
            }
        }
    }

    @Test func readyWhenEveryCheckPasses() async throws {
        let probe = ReadinessProbe(checks: [
            .init(name: "database") {}, .init(name: "node") {}, .init(name: "signer") {},
        ])
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: TestTokens(),
                readiness: probe))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .ok)
                let body = TestSupport.json(response)
                #expect(body["status"] as? String == "ready")
                #expect((body["checks"] as? [String: Any])?.count == 3)
            }
        }
    }

    /// A check that explains itself shows its reason; one that throws some
    /// other error shows only "unavailable"; one that hangs times out.
    @Test func notReadyNamesTheFailedChecks() async throws {
        struct Internal: Error, CustomStringConvertible { var description: String { "postgres://user:secret@db" } }
        let probe = ReadinessProbe(
            checks: [
                .init(name: "database") { throw Internal() },
                .init(name: "node") {},
                .init(name: "signer") { throw ReadinessProbe.NotReady("the signer has no balance to pay for gas") },
                .init(name: "slow") { try await Task.sleep(for: .seconds(30)) },
            ], timeout: .milliseconds(300))
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: TestTokens(),
                readiness: probe))
        try await app.test(.router) { client in
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(!TestSupport.string(response).contains("secret"))
                let body = TestSupport.json(response)
                #expect(body["status"] as? String == "not_ready")
                let checks = body["checks"] as? [String: [String: String]] ?? [:]
                #expect(checks["database"] == ["status": "failed", "reason": "unavailable"])
                #expect(checks["node"] == ["status": "ok"])
                #expect(checks["signer"]?["reason"] == "the signer has no balance to pay for gas")
                #expect(checks["slow"]?["reason"]?.hasPrefix("no answer within") == true)
            }
        }
    }

    /// The real database check against a closed port fails, and /readyz says so.
    @Test func standardProbeWithUnreachableDatabase() async throws {
        let pool = try TestSupport.unusedPool()
        let probe = ReadinessProbe(checks: [.init(name: "database") { _ = try await pool.query("SELECT 1") }])
        let results = await probe.evaluate(logger: TestSupport.quietLogger)
        #expect(results.count == 1)
        #expect(results.first?.failure == "unavailable")
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let registry = PrometheusCollectorRegistry()
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: tokens,
                registry: registry))
        try await app.test(.router) { client in
            for _ in 0..<3 { try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) } }
            try await client.execute(uri: "/v1/cases/10/attestations", method: .get) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/no/such/path", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                let text = TestSupport.string(response)
                #expect(text.contains(#"caseattest_http_requests_total{route="/healthz",method="GET",status="200"} 3"#))
                #expect(
                    text.contains(
                        #"caseattest_http_requests_total{route="/v1/cases/{caseId}/attestations","#
                            + #"method="GET",status="401"} 1"#
                    ))
                #expect(text.contains(#"caseattest_http_requests_total{route="NotFound",method="GET",status="404"} 1"#))
                #expect(
                    text.contains(
                        #"caseattest_http_request_duration_seconds_count{route="/healthz",method="GET",status="200"} 3"#
                    ))
            }
        }
    }

    /// Whatever else registers in the registry (the worker, through the
    /// process's MetricsSystem) is served beside the HTTP metrics.
    @Test func metricsIncludeOtherCollectorsOfTheRegistry() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "caseattest_backlog_cases")).set(Int64(7))
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: TestTokens(),
                registry: registry))
        try await app.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(TestSupport.string(response).contains("caseattest_backlog_cases 7"))
            }
        }
    }
}
