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
    ]

    /// Methods a path does not serve get 405 with Allow, not 404.
    static let otherMethods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .options, .head]
}
