import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// The same application through a real socket on loopback.
@Suite struct LiveServerTests {
    @Test func operationalAndRefusalsOverHTTP() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.live) { client in
            #expect(client.port != nil)
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/openapi.yaml", method: .get) {
                #expect(TestSupport.string($0).hasPrefix("openapi: 3.0.3"))
            }
            try await client.execute(
                uri: "/v1/cases/10/attestations", method: .post,
                headers: [.contentType: "application/json"], body: TestSupport.body(#"{"counsellorId":1}"#)
            ) {
                #expect($0.status == .unauthorized)
                #expect($0.headers[.wwwAuthenticate] != nil)
            }
            try await client.execute(
                uri: "/v1/cases/10/attestations", method: .post, headers: tokens.jsonHeaders(tokens.backend),
                body: TestSupport.body(String(repeating: " ", count: 20_000))
            ) {
                #expect($0.status == .contentTooLarge)
            }
        }
    }

    @Test func requestAndListOverHTTP() async throws {
        try await TestDatabase.withSeededDatabase { pool in
            let tokens = TestTokens()
            let app = TestSupport.application(try TestSupport.dependencies(pool: pool, tokens: tokens))
            try await app.test(.live) { client in
                try await client.execute(
                    uri: "/v1/cases/10/attestations", method: .post, headers: tokens.jsonHeaders(tokens.backend),
                    body: TestSupport.body(#"{"counsellorId":1}"#)
                ) {
                    #expect($0.status == .accepted)
                }
                try await client.execute(
                    uri: "/v1/cases/10/attestations", method: .get, headers: tokens.headers(tokens.auditor)
                ) {
                    #expect($0.status == .ok)
                    #expect((TestSupport.json($0)["attestations"] as? [Any])?.count == 1)
                }
            }
        }
    }
}
