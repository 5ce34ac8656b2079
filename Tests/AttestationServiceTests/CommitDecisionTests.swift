import Attestation
import Testing

@testable import AttestationService

/// New attestations are committed as case document v2, with the case-scoped
/// `user_hash`.
struct CommitDecisionTests {
    @Test func newAttestationsAreV2WithTheCaseScopedPseudonym() throws {
        let key = try PseudonymKey(bytes: Array(repeating: 0x41, count: 32))
        let record = CaseRecord(
            id: 12, userID: 7, counsellorID: 3, status: "resolved", riskLevelAtCreation: 1,
            createdAt: Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000),
            resolvedAt: Timestamp(microsecondsSinceEpoch: 1_700_100_000_000_000))
        let snapshot = CaseSnapshot(record: record, appointments: [])
        let salt = try Salt(bytes: Array(repeating: 9, count: 32))
        guard
            case .commit(let canonical, let contentHash) = CommitDecision.decide(
                snapshot: snapshot, readable: true, attestable: true, key: key, salt: salt)
        else {
            Issue.record("a readable, attestable case is committed")
            return
        }
        let document = try JSONValue.parse(canonical)
        #expect(document["schema"]?.stringValue == CaseDocument.schemaV2)
        #expect(document["case"]?["user_hash"]?.stringValue == key.caseUserHash(caseID: 12, userID: 7))
        #expect(contentHash == ContentHash(canonicalBytes: canonical).hex)
        // The same student in another case: another value.
        #expect(key.caseUserHash(caseID: 13, userID: 7) != key.caseUserHash(caseID: 12, userID: 7))
    }
}
