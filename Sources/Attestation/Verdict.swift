/// What the verifier concludes about one case. The raw values are what
/// `caseattest verify --json` prints and auditors script against.
public enum Verdict: String, Sendable, CaseIterable, Codable {
    /// The record is exactly what was attested, anchored and confirmed.
    case verified
    /// The database rows differ from what was attested.
    case recordChanged = "record-changed"
    /// The stored leaf or proof does not lead to the batch root.
    case proofInvalid = "proof-invalid"
    /// The root is not anchored (or no longer, after a reorg) in the registry.
    case notAnchored = "not-anchored"
    /// The anchoring transaction reverted.
    case txFailed = "tx-failed"
    /// Anchored, but not through the configured registry on the configured chain.
    case wrongContract = "wrong-contract"
    /// Anchored in a canonical block with fewer confirmations than required.
    case unconfirmed
    /// Not attested yet (requested, in a batch, in flight, or failed and waiting).
    case pending
    /// The salt was deliberately destroyed (`caseattest forget`).
    case erased
    /// A resolved case with no attestation at all.
    case missing
    /// A row the backend wrote before this service existed (no salt, no
    /// document, no anchor): nothing can be checked; never `verified`.
    case legacy
}

/// A verdict with the reason an auditor reads, and for `record-changed` the
/// document fields that differ (e.g. "case.resolved_at",
/// "appointments[id=12].status", "appointments[id=13] removed").
public struct VerificationOutcome: Sendable, Hashable {
    public let verdict: Verdict
    public let reason: String
    public let changedFields: [String]

    public init(_ verdict: Verdict, _ reason: String, changedFields: [String] = []) {
        self.verdict = verdict
        self.reason = reason
        self.changedFields = changedFields
    }

    public var isVerified: Bool { verdict == .verified }
}

/// Counts per verdict, in the order of `Verdict.allCases`.
public struct VerdictSummary: Sendable, Hashable {
    public private(set) var counts: [Verdict: Int] = [:]
    public private(set) var total = 0

    public init() {}

    public init<S: Sequence>(_ verdicts: S) where S.Element == Verdict {
        for verdict in verdicts { add(verdict) }
    }

    public mutating func add(_ verdict: Verdict) {
        counts[verdict, default: 0] += 1
        total += 1
    }

    public func count(_ verdict: Verdict) -> Int { counts[verdict] ?? 0 }

    /// Everything checked is verified (an empty selection counts as verified).
    public var allVerified: Bool { count(.verified) == total }

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [("total", .number(Double(total)))]
        for verdict in Verdict.allCases {
            members.append((verdict.rawValue, .number(Double(count(verdict)))))
        }
        return .object(members)
    }
}
