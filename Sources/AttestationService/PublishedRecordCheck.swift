import Attestation
import Foundation

/// A confirmed attestation's row in the backend's `caseattestation`, as read.
struct PublishedRecord: Sendable, Hashable {
    let caseID: Int64
    let contentHash: String
    let txHash: String?
    let attestedAt: Date
}

/// The backend's copy must say what the service recorded: a row edited,
/// deleted or never written is the kind of change an auditor must hear of,
/// even when the attestation itself still verifies. Pure.
enum PublishedRecordCheck {
    /// nil when the copy agrees (or the attestation is not one that is published).
    static func evaluate(_ record: AttestationRecord, published: PublishedRecord?) -> VerificationOutcome? {
        guard record.status == .confirmed, !record.legacy, record.erasedAt == nil else { return nil }
        guard let published else {
            return VerificationOutcome(
                .recordChanged, "the confirmed attestation has no row in caseattestation",
                changedFields: ["caseattestation removed"])
        }
        var changed: [String] = []
        if published.caseID != record.caseID { changed.append("caseattestation.case_id") }
        if published.contentHash != record.contentHash { changed.append("caseattestation.content_hash") }
        if published.txHash != record.txHash { changed.append("caseattestation.tx_hash") }
        if let attestedAt = record.attestedAt, abs(published.attestedAt.timeIntervalSince(attestedAt)) >= 0.000_001 {
            changed.append("caseattestation.attested_at")
        }
        guard !changed.isEmpty else { return nil }
        return VerificationOutcome(
            .recordChanged, "the caseattestation row no longer says what was attested",
            changedFields: changed)
    }
}
