import Attestation
import Ethereum
import Testing

struct RecordCheckTests {
    @Test func anUnchangedRecordWithAValidProofGoesOnToTheChain() throws {
        let document = VerifierFixtures.document()
        #expect(RecordCheck.evaluate(try VerifierFixtures.stored(document), current: document) == nil)
    }

    @Test func changedRowsAreRecordChangedNamingTheFields() throws {
        let stored = try VerifierFixtures.stored(VerifierFixtures.document())
        let now = VerifierFixtures.document(
            resolvedAt: 1_800_000_000_000_000, appointmentStatus: "cancelled", appointments: [12])
        let outcome = try #require(RecordCheck.evaluate(stored, current: now))
        #expect(outcome.verdict == .recordChanged)
        #expect(
            outcome.changedFields == ["appointments[id=12].status", "appointments[id=13] removed", "case.resolved_at"])
        #expect(outcome.reason.contains("case.resolved_at"))
    }

    @Test func aDeletedCaseRowIsRecordChanged() throws {
        let outcome = try #require(
            RecordCheck.evaluate(try VerifierFixtures.stored(VerifierFixtures.document()), current: nil))
        #expect(outcome.verdict == .recordChanged)
        #expect(outcome.changedFields == ["case removed"])
    }

    @Test func withoutAnAttestedDocumentTheChangeIsReportedWithoutFields() throws {
        var stored = try VerifierFixtures.stored(VerifierFixtures.document())
        stored.attestedDocument = nil
        let outcome = try #require(
            RecordCheck.evaluate(stored, current: VerifierFixtures.document(appointmentStatus: "no_show")))
        #expect(outcome.verdict == .recordChanged)
        #expect(outcome.changedFields.isEmpty)
    }

    @Test func anAlteredAttestedDocumentIsDetectedEvenWhenTheRowsMatch() throws {
        let document = VerifierFixtures.document()
        var stored = try VerifierFixtures.stored(document)
        stored.attestedDocument = try VerifierFixtures.document(appointmentStatus: "no_show").canonicalBytes()
        let outcome = try #require(RecordCheck.evaluate(stored, current: document))
        #expect(outcome.verdict == .recordChanged)
        #expect(outcome.changedFields == ["attested_document"])
    }

    @Test func aForgedProofSiblingIsProofInvalid() throws {
        let document = VerifierFixtures.document()
        var stored = try VerifierFixtures.stored(document)
        stored.proof[0][0] ^= 0x01
        #expect(RecordCheck.evaluate(stored, current: document)?.verdict == .proofInvalid)
    }

    @Test func aWrongStoredLeafIsProofInvalid() throws {
        let document = VerifierFixtures.document()
        var stored = try VerifierFixtures.stored(document)
        stored.leaf = Keccak256.hash(stored.contentHash.bytes)
        let outcome = try #require(RecordCheck.evaluate(stored, current: document))
        #expect(outcome.verdict == .proofInvalid)
        #expect(outcome.reason.contains("leaf"))
    }

    @Test func anotherBatchRootIsProofInvalid() throws {
        let document = VerifierFixtures.document()
        var stored = try VerifierFixtures.stored(document)
        stored.root = Keccak256.hash([1, 2, 3])
        #expect(RecordCheck.evaluate(stored, current: document)?.verdict == .proofInvalid)
    }
}
