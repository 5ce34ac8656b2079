import Hummingbird

/// Every route the API serves, in one table: the router is built from it and
/// a test checks it against openapi.yaml.
public enum APIRoutes {
    public struct Route: Sendable, Hashable {
        public let method: HTTPRequest.Method
        /// OpenAPI-style template, e.g. /v1/cases/{caseId}/attestations.
        public let path: String
        public let endpoint: APIEndpoint
    }

    public static let table: [Route] = [
        Route(method: .post, path: "/v1/cases/{caseId}/attestations", endpoint: .requestAttestation),
        Route(method: .get, path: "/v1/cases/{caseId}/attestations", endpoint: .listAttestations),
        Route(method: .get, path: "/v1/cases/{caseId}/verification", endpoint: .verification),
        Route(method: .get, path: "/v1/attestations/{attestationId}/receipt", endpoint: .receipt),
        Route(method: .get, path: "/healthz", endpoint: .health),
        Route(method: .get, path: "/readyz", endpoint: .readiness),
        Route(method: .get, path: "/metrics", endpoint: .metrics),
        Route(method: .get, path: "/openapi.yaml", endpoint: .openAPI),
        Route(method: .get, path: "/verify", endpoint: .verifyPage),
    ]

    /// The methods served at `path` (HEAD wherever GET is), or nil when no
    /// route's template matches it: a known path with another method gets
    /// 405 with this list in Allow, not 404.
    static func allowedMethods(forPath path: Substring) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        let matching = table.filter { route in
            let template = route.path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
            return template.count == segments.count
                && zip(template, segments).allSatisfy { pattern, segment in
                    pattern.hasPrefix("{") ? !segment.isEmpty : pattern == segment
                }
        }
        guard !matching.isEmpty else { return nil }
        var methods = matching.map(\.method.rawValue)
        if methods.contains("GET") { methods.append("HEAD") }
        return methods
    }
}
