import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import AttestationAPI

/// openapi.yaml, the embedded copy the server serves, and the router agree.
@Suite struct OpenAPIDocumentTests {
    static var documentURL: URL { TestSupport.repositoryRoot.appendingPathComponent("openapi.yaml") }

    /// (method, path, operationId) triples by a line scan of the document's
    /// `paths:` section: paths at two spaces, methods at four, operationId
    /// at six. The document is ours and kept in that shape.
    static func operations(in text: String) -> [(method: String, path: String, operationID: String?)] {
        var result: [(method: String, path: String, operationID: String?)] = []
        var inPaths = false
        var path: String?
        let methods: Set<String> = ["get", "post", "put", "patch", "delete", "head", "options"]
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:"; continue }
            guard inPaths else { continue }
            if line.hasPrefix("  /") && line.hasSuffix(":") && !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
            } else if line.hasPrefix("    ") && !line.hasPrefix("     ") && line.hasSuffix(":"),
                let path, methods.contains(String(line.dropFirst(4).dropLast()))
            {
                result.append((String(line.dropFirst(4).dropLast()), path, nil))
            } else if line.hasPrefix("      operationId: "), !result.isEmpty {
                result[result.count - 1].operationID = String(line.dropFirst("      operationId: ".count))
            }
        }
        return result
    }

    @Test func documentAndRouteTableAgree() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let documented = Self.operations(in: text)
        #expect(documented.count == APIRoutes.table.count)
        let documentedSet = Set(documented.map { "\($0.method.uppercased()) \($0.path) \($0.operationID ?? "-")" })
        let routedSet = Set(APIRoutes.table.map { "\($0.method.rawValue) \($0.path) \($0.endpoint.rawValue)" })
        #expect(documentedSet == routedSet)
    }

    @Test func embeddedCopyMatchesTheFile() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(OpenAPIDocument.yaml == text, "openapi.yaml changed: run `python3 scripts/embed-openapi.py`")
    }

    /// Every documented operation is routed (an unauthenticated call gets
    /// anything but the router's not_found).
    @Test func everyDocumentedOperationIsRouted() async throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: TestTokens()))
        try await app.test(.router) { client in
            for operation in Self.operations(in: text) {
                let uri = operation.path.replacingOccurrences(of: "{caseId}", with: "10")
                    .replacingOccurrences(of: "{attestationId}", with: "1")
                let method = HTTPRequest.Method(operation.method.uppercased()) ?? .get
                try await client.execute(uri: uri, method: method) { response in
                    #expect(TestSupport.errorCode(response) != "not_found", "\(method) \(uri)")
                    #expect(response.status != .methodNotAllowed, "\(method) \(uri)")
                }
            }
        }
    }

    @Test func servedDocumentIsTheFile() async throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let app = TestSupport.application(
            try TestSupport.dependencies(pool: try TestSupport.unusedPool(), tokens: TestTokens()))
        try await app.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
                #expect(TestSupport.string(response) == text)
            }
        }
    }
}
