import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var nanoseconds: UInt64 = 1_000_000_000_000

    var now: UInt64 { lock.withLock { nanoseconds } }
    func advance(seconds: Double) { lock.withLock { nanoseconds += UInt64(seconds * 1e9) } }
}

@Suite struct RateLimitTests {
    static let limits = RateLimits(perWindow: [
        .requestAttestation: 3, .listAttestations: 1, .verification: 2, .receipt: 2,
    ])

    @Test func fixedWindowPerCallerAndEndpoint() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: Self.limits, now: { clock.now })
        #expect(limiter.admit(caller: "a", endpoint: .requestAttestation) == .allowed(remaining: 2))
        #expect(limiter.admit(caller: "a", endpoint: .requestAttestation) == .allowed(remaining: 1))
        #expect(limiter.admit(caller: "a", endpoint: .requestAttestation) == .allowed(remaining: 0))
        clock.advance(seconds: 20.5)
        // 39.5 s of the window remain: Retry-After rounds up.
        #expect(limiter.admit(caller: "a", endpoint: .requestAttestation) == .limited(retryAfterSeconds: 40))
        // Other callers and other endpoints have windows of their own.
        #expect(limiter.admit(caller: "b", endpoint: .requestAttestation) == .allowed(remaining: 2))
        #expect(limiter.admit(caller: "a", endpoint: .listAttestations) == .allowed(remaining: 0))
        #expect(limiter.admit(caller: "a", endpoint: .listAttestations) == .limited(retryAfterSeconds: 60))
        clock.advance(seconds: 39.5)
        // The window that opened at t=0 has ended.
        #expect(limiter.admit(caller: "a", endpoint: .requestAttestation) == .allowed(remaining: 2))
    }

    @Test func keysFollowTheSeedsCacheNaming() {
        #expect(RateLimiter.key(caller: "0123abcd", endpoint: .receipt) == "ratelimit:0123abcd:receipt")
    }

    @Test func expiredWindowsAreSwept() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: Self.limits, now: { clock.now })
        for caller in 0..<500 { _ = limiter.admit(caller: "c\(caller)", endpoint: .receipt) }
        #expect(limiter.keyCount == 500)
        clock.advance(seconds: 61)
        _ = limiter.admit(caller: "fresh", endpoint: .receipt)
        #expect(limiter.keyCount == 1)
    }

    @Test func overridesParse() throws {
        let limits = try RateLimits.defaults.overriding(with: "request_attestation=5, receipt=7")
        #expect(limits.limit(for: .requestAttestation) == 5)
        #expect(limits.limit(for: .receipt) == 7)
        #expect(limits.limit(for: .listAttestations) == RateLimits.defaults.limit(for: .listAttestations))
        for bad in ["nope=3", "receipt=0", "receipt=-1", "receipt", "healthz=5", "receipt=x"] {
            #expect(throws: APIConfigurationError.self, "\(bad)") { try RateLimits.defaults.overriding(with: bad) }
        }
    }

    /// Through the router: the third call in a window is 429 with
    /// Retry-After, and another token is not affected.
    @Test func routerAnswers429WithRetryAfter() async throws {
        let tokens = TestTokens()
        let secondAuditor = NewAPIToken.generate(role: .auditor)
        var dependencies = try TestSupport.dependencies(
            pool: try TestSupport.unusedPool(), tokens: tokens,
            verification: FixedVerifier(verdicts: [10: .object([])], receipts: [:]))
        dependencies.tokens = try TokenStore(fileContents: "\(tokens.auditor.fileLine)\n\(secondAuditor.fileLine)\n")
        let app = TestSupport.application(dependencies, rateLimits: Self.limits)
        try await app.test(.router) { client in
            for _ in 0..<2 {
                try await client.execute(
                    uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(tokens.auditor)
                ) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(tokens.auditor)
            ) { response in
                #expect(response.status == .tooManyRequests)
                #expect(TestSupport.errorCode(response) == "rate_limited")
                let retryAfter = response.headers[.retryAfter].flatMap { Int($0) }
                #expect(retryAfter.map { (1...60).contains($0) } == true)
            }
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(secondAuditor)
            ) {
                #expect($0.status == .ok)
            }
        }
    }
}
