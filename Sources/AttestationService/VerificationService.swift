import Attestation

/// What the HTTP API asks of the verifier. The verifier (`caseattest verify`)
/// implements it; the API returns these JSON documents as they are.
public protocol VerificationService: Sendable {
    /// The live verdict for the latest attestation of a case, as the JSON
    /// object `caseattest verify --history --json` prints for it (with every
    /// version and whether the case was amended); nil for an unknown case.
    func verification(caseID: Int64) async throws -> JSONValue?

    /// The portable receipt of an attestation (`caseattest receipt`), issued
    /// to `recipient` and recorded as such in the access log; nil when the
    /// attestation does not exist or is not confirmed yet.
    func receipt(attestationID: Int64, issuedTo recipient: ReceiptRecipient) async throws -> JSONValue?
}

/// The verifier behind the API: live verdicts and receipts from the
/// database and the node.
public struct DatabaseVerificationService: VerificationService {
    let verifier: Verifier
    let receipts: ReceiptBuilder

    public init(verifier: Verifier, receipts: ReceiptBuilder) {
        self.verifier = verifier
        self.receipts = receipts
    }

    public func verification(caseID: Int64) async throws -> JSONValue? {
        let selection = VerificationSelection(caseID: caseID)
        let report = try await verifier.verify(selection)
        guard let result = report.results.first else { return nil }
        // Every version, each verified, and the fields changed between them.
        let history = try await verifier.history(selection, latest: report)
        // The same profiles as the receipts': the service's (built in, and the operator's file).
        let profile = receipts.profiles[verifier.configuration.chainID]
        return result.withExplorerLink(history.annotate(result.json, caseID: caseID), profile: profile)
    }

    public func receipt(attestationID: Int64, issuedTo recipient: ReceiptRecipient) async throws -> JSONValue? {
        try await receipts.issue(attestationID: attestationID, to: recipient)?.json
    }
}
