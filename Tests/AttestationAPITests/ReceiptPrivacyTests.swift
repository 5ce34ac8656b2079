import Attestation
import AttestationService
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// Receipts and verdicts are never cached, and a token's receipts are
/// limited apart from the endpoint's rate limit (issue 14).
@Suite struct ReceiptPrivacyTests {
    static let receipt: JSONValue = .object([("attestationId", .number(7))])
    static let verdict: JSONValue = .object([("caseId", .number(10))])

    /// Remembers whom each receipt was issued to.
    final class RecordingVerifier: VerificationService, @unchecked Sendable {
        private let lock = NSLock()
        private var issued: [ReceiptRecipient] = []
        var recipients: [ReceiptRecipient] { lock.withLock { issued } }

        func verification(caseID: Int64) async throws -> JSONValue? {
            guard caseID == 10 else { return nil }  // (JSONValue takes `nil` as .null: no ternary)
            return ReceiptPrivacyTests.verdict
        }
        func receipt(attestationID: Int64, issuedTo recipient: ReceiptRecipient) async throws -> JSONValue? {
            guard attestationID == 7 else { return nil }
            lock.withLock { issued.append(recipient) }
            return ReceiptPrivacyTests.receipt
        }
    }

    func app(
        _ tokens: TestTokens, _ verifier: RecordingVerifier,
        limits: RateLimits = .defaults
    ) throws -> some ApplicationProtocol {
        TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: tokens,
                verification: verifier), rateLimits: limits)
    }

    @Test func receiptAndVerificationAnswersAreNoStoreSuccessfulOrNot() async throws {
        let tokens = TestTokens()
        let verifier = RecordingVerifier()
        try await app(tokens, verifier).test(.router) { client in
            let auditor = tokens.headers(tokens.auditor)
            let answers: [(String, HTTPResponse.Status)] = [
                ("/v1/attestations/7/receipt", .ok), ("/v1/attestations/8/receipt", .notFound),
                ("/v1/cases/10/verification", .ok), ("/v1/cases/11/verification", .notFound),
            ]
            for (uri, status) in answers {
                try await client.execute(uri: uri, method: .get, headers: auditor) { response in
                    #expect(response.status == status, "\(uri)")
                    #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                }
            }
            // Refusals too: no token, the wrong role.
            try await client.execute(uri: "/v1/attestations/7/receipt", method: .get, headers: [:]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get,
                headers: tokens.headers(tokens.backend)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            // Other answers keep their own caching.
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.headers[.cacheControl] == nil)
            }
        }
    }

    @Test func eachReceiptIsIssuedToTheCallingTokensID() async throws {
        let tokens = TestTokens()
        let verifier = RecordingVerifier()
        let callerID = try #require(try tokens.store().caller(token: tokens.auditor.token)).id
        try await app(tokens, verifier).test(.router) { client in
            try await client.execute(
                uri: "/v1/attestations/7/receipt", method: .get,
                headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .ok)
            }
        }
        #expect(verifier.recipients == [.token(id: callerID)])
        #expect(!callerID.isEmpty && callerID != tokens.auditor.token, "the id, never the token")
    }

    @Test func theReceiptQuotaIsLowByDefaultAndCountedApartFromTheRateLimit() async throws {
        #expect(RateLimits.defaults.receiptsPerToken <= 20)
        #expect(RateLimits.defaults.receiptsPerToken < RateLimits.defaults.limit(for: .receipt))
        let overridden = try RateLimits.defaults.overriding(with: "receipts_per_token_per_hour=3,receipt=100")
        #expect(overridden.receiptsPerToken == 3)
        #expect(overridden.limit(for: .receipt) == 100)
        #expect(throws: APIConfigurationError.self) {
            try RateLimits.defaults.overriding(with: "receipts_per_token_per_hour=0")
        }

        let tokens = TestTokens()
        let verifier = RecordingVerifier()
        var limits = RateLimits.defaults
        limits.receiptsPerToken = 2
        try await app(tokens, verifier, limits: limits).test(.router) { client in
            let auditor = tokens.headers(tokens.auditor)
            for _ in 0..<2 {
                try await client.execute(uri: "/v1/attestations/7/receipt", method: .get, headers: auditor) {
                    #expect($0.status == .ok)
                }
            }
            try await client.execute(uri: "/v1/attestations/7/receipt", method: .get, headers: auditor) { response in
                #expect(response.status == .tooManyRequests)
                #expect(TestSupport.errorCode(response) == "rate_limited")
                // The hour's window: retry in up to an hour, not a minute.
                #expect((Int(response.headers[.retryAfter] ?? "") ?? 0) > 60)
                #expect(response.headers[.cacheControl] == "no-store")
            }
            // Verdicts are not receipts: still answered.
            try await client.execute(uri: "/v1/cases/10/verification", method: .get, headers: auditor) {
                #expect($0.status == .ok)
            }
        }
        #expect(verifier.recipients.count == 2, "a refused receipt is never built")
    }

    @Test func theInProcessLimiterKeepsEachKeysOwnWindow() {
        let clock = ManualClock()
        let limiter = RateLimiter(limits: .defaults, now: { clock.now })
        let key = RateLimiter.receiptQuotaKey(caller: "abc")
        #expect(limiter.admit(key: key, limit: 1, windowSeconds: 3600) == .allowed(remaining: 0))
        clock.advance(seconds: 61)
        // A minute is not enough: the quota's window is the hour.
        #expect(limiter.admit(key: key, limit: 1, windowSeconds: 3600) == .limited(retryAfterSeconds: 3539))
        #expect(limiter.admit(key: "other", limit: 1) == .allowed(remaining: 0))
        clock.advance(seconds: 3540)
        #expect(limiter.admit(key: key, limit: 1, windowSeconds: 3600) == .allowed(remaining: 0))
    }
}
