import Attestation
import AttestationService
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// The verification and receipt endpoints return the verifier's JSON as it
/// is, 404 when it has nothing, 503 when no verifier is wired.
@Suite struct VerifierEndpointTests {
    static let verdict: JSONValue = .object([
        ("caseId", .number(10)), ("status", .string("valid")),
        ("checks", .array([.object([("name", .string("root_on_chain")), ("ok", .bool(true))])])),
    ])
    static let receipt: JSONValue = .object([
        ("attestationId", .number(7)), ("root", .string("0x" + String(repeating: "ab", count: 32))),
    ])

    func app(_ tokens: TestTokens, verifier: (any VerificationService)?) throws -> some ApplicationProtocol {
        TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: tokens,
                verification: verifier))
    }

    @Test func verdictAndReceiptPassThrough() async throws {
        let tokens = TestTokens()
        let app = try app(tokens, verifier: FixedVerifier(verdicts: [10: Self.verdict], receipts: [7: Self.receipt]))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(tokens.auditor)
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let parsed = try JSONValue.parse(Array(response.body.readableBytesView))
                #expect(parsed == Self.verdict)
            }
            try await client.execute(
                uri: "/v1/attestations/7/receipt", method: .get, headers: tokens.headers(tokens.auditor)
            ) { response in
                #expect(response.status == .ok)
                let parsed = try JSONValue.parse(Array(response.body.readableBytesView))
                #expect(parsed == Self.receipt)
            }
        }
    }

    @Test func nothingKnownIs404() async throws {
        let tokens = TestTokens()
        let app = try app(tokens, verifier: FixedVerifier(verdicts: [:], receipts: [:]))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/99/verification", method: .get, headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .notFound)
                #expect(TestSupport.errorCode($0) == "case_not_found")
            }
            try await client.execute(
                uri: "/v1/attestations/99/receipt", method: .get, headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .notFound)
                #expect(TestSupport.errorCode($0) == "attestation_not_found")
            }
        }
    }

    @Test func withoutVerifierIs503() async throws {
        let tokens = TestTokens()
        let app = try app(tokens, verifier: nil)
        try await app.test(.router) { client in
            for uri in ["/v1/cases/10/verification", "/v1/attestations/1/receipt"] {
                try await client.execute(uri: uri, method: .get, headers: tokens.headers(tokens.auditor)) {
                    #expect($0.status == .serviceUnavailable)
                    #expect(TestSupport.errorCode($0) == "unavailable")
                }
            }
        }
    }

    /// A verifier that fails is a clean 500 with our error body, not a crash
    /// and not its error text.
    @Test func failingVerifierIsJSON500() async throws {
        struct Broken: VerificationService {
            struct Failure: Error {}
            func verification(caseID: Int64) async throws -> JSONValue? { throw Failure() }
            func receipt(attestationID: Int64, issuedTo recipient: ReceiptRecipient) async throws -> JSONValue? {
                throw Failure()
            }
        }
        let tokens = TestTokens()
        let app = try app(tokens, verifier: Broken())
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .internalServerError)
                #expect(TestSupport.errorCode($0) == "internal")
            }
        }
    }
}
