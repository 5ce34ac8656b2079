import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// Bad input is a clean 4xx with our error body, refused before any query
/// (the pool here is never connected: a query would show as a 500).
@Suite struct ValidationTests {
    static let badIDs = [
        "0", "-1", "abc", "1.5", "9223372036854775808", "99999999999999999999", "+5", "%31", "1e3", " 1",
    ]

    @Test(arguments: badIDs)
    func badPathIDsAre400(_ id: String) async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        let encoded = id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? id
        try await app.test(.router) { client in
            let requests: [(HTTPRequest.Method, String, NewAPIToken)] = [
                (.get, "/v1/cases/\(encoded)/attestations", tokens.backend),
                (.post, "/v1/cases/\(encoded)/attestations", tokens.backend),
                (.get, "/v1/cases/\(encoded)/verification", tokens.auditor),
                (.get, "/v1/attestations/\(encoded)/receipt", tokens.auditor),
            ]
            for (method, uri, token) in requests {
                try await client.execute(
                    uri: uri, method: method, headers: tokens.jsonHeaders(token),
                    body: TestSupport.body(#"{"counsellorId":1}"#)
                ) { response in
                    #expect(response.status == .badRequest, "\(method) \(uri)")
                    #expect(TestSupport.errorCode(response) == "invalid_parameter", "\(method) \(uri)")
                }
            }
        }
    }

    static let badBodies: [String] = [
        "", "null", "[]", "1", #""x""#, "{", "{}", #"{"counsellorId":0}"#, #"{"counsellorId":-3}"#,
        #"{"counsellorId":"1"}"#, #"{"counsellorId":1.5}"#, #"{"counsellorId":null}"#,
        #"{"counsellorId":9223372036854775808}"#, #"{"counsellorId":1,"extra":true}"#, #"{"counsellorid":1}"#,
        "{\"counsellorId\":1}\u{0}", "\u{FF}\u{FE}",
    ]

    @Test(arguments: badBodies)
    func badBodiesAre400(_ body: String) async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/10/attestations", method: .post, headers: tokens.jsonHeaders(tokens.backend),
                body: TestSupport.body(body)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(TestSupport.errorCode(response) == "invalid_body")
            }
        }
    }

    @Test func contentTypeMustBeJSON() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.router) { client in
            for type in [nil, "text/plain", "application/x-www-form-urlencoded", "application/jsonx"] as [String?] {
                var headers = tokens.headers(tokens.backend)
                if let type { headers[.contentType] = type }
                try await client.execute(
                    uri: "/v1/cases/10/attestations", method: .post, headers: headers,
                    body: TestSupport.body(#"{"counsellorId":1}"#)
                ) { response in
                    #expect(response.status == .unsupportedMediaType, "\(type ?? "none")")
                    #expect(TestSupport.errorCode(response) == "unsupported_media_type")
                }
            }
        }
    }

    @Test func bodiesOver16KiBAre413() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        let big = #"{"counsellorId":1,"pad":""# + String(repeating: "a", count: 17 * 1024) + #""}"#
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/v1/cases/10/attestations", method: .post,
                headers: tokens.jsonHeaders(tokens.backend), body: TestSupport.body(big)
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(TestSupport.errorCode(response) == "payload_too_large")
            }
        }
    }

    @Test func unknownPathIsJSON404() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.router) { client in
            for uri in ["/", "/v1", "/v1/cases/10", "/v2/cases/10/attestations", "/v1/cases/10/attestations/extra"] {
                try await client.execute(uri: uri, method: .get, headers: tokens.headers(tokens.backend)) { response in
                    #expect(response.status == .notFound, "\(uri)")
                    #expect(TestSupport.errorCode(response) == "not_found", "\(uri)")
                }
            }
        }
    }

    @Test func otherMethodsAre405WithAllow() async throws {
        let tokens = TestTokens()
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: tokens))
        try await app.test(.router) { client in
            try await client.execute(uri: "/v1/cases/10/attestations", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "POST, GET, HEAD")
                #expect(TestSupport.errorCode(response) == "method_not_allowed")
            }
            // Any method, even one HTTP does not define yet.
            for method in [HTTPRequest.Method.trace, .put, .options, HTTPRequest.Method("QUERY")].compactMap({ $0 }) {
                try await client.execute(uri: "/v1/attestations/5/receipt", method: method) { response in
                    #expect(response.status == .methodNotAllowed, "\(method)")
                    #expect(response.headers[.allow] == "GET, HEAD")
                }
            }
            try await client.execute(uri: "/healthz", method: .post) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
            }
        }
    }

    @Test func requestBodyDecodesStrictly() throws {
        #expect(try AttestationRequestBody.decode(Data(#"{"counsellorId": 42}"#.utf8)).counsellorID == 42)
        #expect(
            try AttestationRequestBody.decode(Data(#" { "counsellorId" : 9223372036854775807 } "#.utf8)).counsellorID
                == .max)
        #expect(throws: APIError.self) { try AttestationRequestBody.decode(Data(#"{"counsellorId": 1, "x": 2}"#.utf8)) }
    }
}
