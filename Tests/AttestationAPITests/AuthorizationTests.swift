import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// Every protected route, every role: no or bad token 401 (with
/// WWW-Authenticate), wrong role 403. These are refused before any query, so
/// the pool is never connected.
@Suite struct AuthorizationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let method: HTTPRequest.Method
        let uri: String
        let forbiddenRole: APIRole?
        var testDescription: String { "\(method) \(uri)" }
    }

    static let protected: [Case] = [
        Case(method: .post, uri: "/v1/cases/10/attestations", forbiddenRole: .auditor),
        Case(method: .get, uri: "/v1/cases/10/attestations", forbiddenRole: nil),
        Case(method: .get, uri: "/v1/cases/10/verification", forbiddenRole: .backend),
        Case(method: .get, uri: "/v1/attestations/1/receipt", forbiddenRole: .backend),
    ]

    @Test(arguments: protected)
    func missingOrUnknownTokenIs401(_ route: Case) async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        let badHeaders: [HTTPFields] = [
            [:],
            tokens.headers(tokens.stranger),
            [.authorization: "Basic dXNlcjpwYXNz"],
            [.authorization: "Bearer"],
            [.authorization: "Bearer a b"],
            [.authorization: "Bearer " + String(repeating: "x", count: 600)],
        ]
        try await app.test(.router) { client in
            for headers in badHeaders {
                try await client.execute(uri: route.uri, method: route.method, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    #expect(TestSupport.errorCode(response) == "unauthorized")
                }
            }
        }
    }

    @Test(arguments: protected.filter { $0.forbiddenRole != nil })
    func wrongRoleIs403(_ route: Case) async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        let token = route.forbiddenRole == .backend ? tokens.backend : tokens.auditor
        try await app.test(.router) { client in
            try await client.execute(
                uri: route.uri, method: route.method, headers: tokens.jsonHeaders(token),
                body: TestSupport.body(#"{"counsellorId": 1}"#)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(TestSupport.errorCode(response) == "forbidden")
            }
        }
    }

    /// The roles that may call an endpoint get past the guard: with a
    /// verifier wired, auditors get the verdict and the receipt.
    @Test func auditorReachesVerifierEndpoints() async throws {
        let tokens = TestTokens()
        let verifier = FixedVerifier(
            verdicts: [10: .object([("verdict", .string("valid"))])],
            receipts: [1: .object([("receipt", .bool(true))])])
        let app = TestSupport.application(
            try TestSupport.dependencies(
                pool: try TestSupport.unusedPool(), tokens: tokens,
                verification: verifier))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/10/verification", method: .get, headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: "/v1/attestations/1/receipt", method: .get, headers: tokens.headers(tokens.auditor)
            ) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func operationalEndpointsNeedNoToken() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.router) { client in
            for uri in ["/healthz", "/readyz", "/metrics", "/openapi.yaml", "/verify"] {
                try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
            }
        }
    }

    @Test func tokenMatchingBothRolesGetsBoth() throws {
        let token = NewAPIToken.generate(role: .backend)
        let digest = token.fileLine.split(separator: " ")[1]
        let store = try TokenStore(fileContents: "backend \(digest)\nauditor \(digest)\n")
        #expect(store.caller(token: token.token)?.roles == [.backend, .auditor])
    }
}
