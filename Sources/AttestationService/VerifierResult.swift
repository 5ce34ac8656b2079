import Attestation
import Foundation

/// The verdict for one case, as `caseattest verify` prints it.
public struct CaseVerification: Sendable, Hashable {
    public let caseID: Int64
    public let attestationID: Int64?
    public let version: Int?
    public let outcome: VerificationOutcome
    public let contentHash: String?
    public let root: String?
    public let txHash: String?
    public let blockNumber: Int64?

    public var verdict: Verdict { outcome.verdict }

    /// One object of `verify --json`.
    public var json: JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        func optional(_ number: Int64?) -> JSONValue { number.map { .number(Double($0)) } ?? .null }
        return .object([
            ("case_id", .number(Double(caseID))),
            ("attestation_id", optional(attestationID)),
            ("version", optional(version.map(Int64.init))),
            ("verdict", .string(outcome.verdict.rawValue)),
            ("reason", .string(outcome.reason)),
            ("changed_fields", .array(outcome.changedFields.map(JSONValue.string))),
            ("content_hash", optional(contentHash)),
            ("root", optional(root)),
            ("tx_hash", optional(txHash)),
            ("block_number", optional(blockNumber)),
        ])
    }

    /// A verdict object (`json`, or it annotated with history) with
    /// `explorer_tx`, its transaction's page, when the chain's profile names
    /// an explorer; unchanged otherwise. `verify --json` and the API's
    /// verification both show it.
    public func withExplorerLink(_ json: JSONValue, profile: ChainProfile?) -> JSONValue {
        guard let url = txHash.flatMap({ profile?.transactionURL($0) }), case .object(var fields) = json else {
            return json
        }
        fields.append(("explorer_tx", .string(url)))
        return .object(fields)
    }
}

/// Every case's verdict, in case id order, and the counts.
public struct VerificationReport: Sendable {
    public let results: [CaseVerification]
    public let summary: VerdictSummary

    public init(results: [CaseVerification]) {
        self.results = results
        self.summary = VerdictSummary(results.map(\.verdict))
    }

    public init(results: [CaseVerification], summary: VerdictSummary) {
        self.results = results
        self.summary = summary
    }

    /// `verify --problems-only`: the cases that are not verified, with the
    /// summary of everything that was checked.
    public var problemsOnly: VerificationReport {
        VerificationReport(results: results.filter { $0.verdict != .verified }, summary: summary)
    }

    /// `verify --json`: {"cases": [...], "summary": {"total": n, "verified": n, ...}}.
    public var json: JSONValue {
        .object([("cases", .array(results.map(\.json))), ("summary", summary.json)])
    }
}
