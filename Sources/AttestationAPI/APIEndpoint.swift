/// The operations of the API, named as in openapi.yaml's operationIds (in
/// snake case). Rate limits and metrics are kept per endpoint.
public enum APIEndpoint: String, Sendable, CaseIterable, Hashable {
    case requestAttestation = "request_attestation"
    case listAttestations = "list_attestations"
    case verification = "verification"
    case receipt = "receipt"
    case health = "health"
    case readiness = "readiness"
    case metrics = "metrics"
    case openAPI = "openapi"
    /// The auditor's page (web/verify.html): static, holds no data.
    case verifyPage = "verify_page"

    /// Who may call it; nil for the operational endpoints, which are open.
    public var allowedRoles: Set<APIRole>? {
        switch self {
        case .requestAttestation: [.backend]
        case .listAttestations: [.backend, .auditor]
        case .verification, .receipt: [.auditor]
        case .health, .readiness, .metrics, .openAPI, .verifyPage: nil
        }
    }

    public var isRateLimited: Bool { allowedRoles != nil }

    /// Answers no cache may keep (`Cache-Control: no-store`): receipts and
    /// verdicts, successful or not.
    public var isNeverCached: Bool { self == .receipt || self == .verification }

    public static var limited: [APIEndpoint] { allCases.filter(\.isRateLimited) }
}

/// A caller's role, as written in the tokens file.
public enum APIRole: String, Sendable, CaseIterable, Hashable {
    /// The UGM-AICare backend: requests attestations and reads them.
    case backend
    /// An auditor: reads attestations, live verdicts and receipts.
    case auditor
}
