import Attestation

/// What becomes of one requested attestation when it is committed: its
/// document, or a failure of that case alone with a reason that names no
/// data (the row is retried when its case's rows change).
enum CommitDecision: Sendable, Equatable {
    case commit(canonical: [UInt8], contentHash: String)
    case fail(reason: String)

    static let notAttestable = "the case is no longer resolved or closed"
    static let unreadable =
        "the case's rows hold a value no document can carry (an infinite or out-of-range timestamp?)"

    static func decide(
        snapshot: CaseSnapshot?, readable: Bool, attestable: Bool, key: PseudonymKey,
        salt: Salt
    ) -> CommitDecision {
        guard readable else { return .fail(reason: unreadable) }
        guard attestable, let snapshot else { return .fail(reason: notAttestable) }
        do {
            let canonical = try snapshot.document(pseudonymKey: key, salt: salt, schema: .current).canonicalBytes()
            return .commit(canonical: canonical, contentHash: ContentHash(canonicalBytes: canonical).hex)
        } catch {
            return .fail(reason: "the case cannot become a document: \(error.code)")
        }
    }
}

/// When a failed attestation is tried again by itself: after a reverted
/// anchor, 1 min, 2 min, ... up to 1 h, for `maxAttempts` attempts; after
/// that (and for a case whose rows cannot become a document) only when the
/// case's rows change or an operator asks.
public struct RetryPolicy: Sendable, Hashable {
    public var backoff = Backoff(base: 60, maximum: 3600)
    public var maxAttempts = 8

    public init() {}

    /// Seconds from now to the next try after `attempts` failures, or nil.
    public func delay(afterAttempts attempts: Int) -> Double? {
        guard attempts < maxAttempts else { return nil }
        return backoff.delay(afterFailures: max(1, attempts))
    }
}
