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

/// `judge` with the stored document unread: only its hash is known.
struct RecordCheckUnreadDocumentTests {
    private static func unread(_ stored: StoredAttestation) -> StoredAttestation {
        var stored = stored
        stored.unreadDocumentHash = stored.attestedDocument.map { ContentHash(canonicalBytes: $0) }
        stored.attestedDocument = nil
        return stored
    }

    @Test func unchangedRowsAndAnIntactDocumentNeedNoDocument() throws {
        let document = VerifierFixtures.document()
        let stored = Self.unread(try VerifierFixtures.stored(document))
        #expect(RecordCheck.judge(stored, current: document) == .judged(nil))
        #expect(RecordCheck.judge(stored, current: document, proofs: MerkleProofCache()) == .judged(nil))
        #expect(RecordCheck.judge(stored, current: nil) == .judged(RecordCheck.evaluate(stored, current: nil)))
    }

    @Test func anAlteredDocumentIsToldByItsHashAlone() throws {
        let document = VerifierFixtures.document()
        var full = try VerifierFixtures.stored(document)
        full.attestedDocument = try VerifierFixtures.document(appointmentStatus: "no_show").canonicalBytes()
        let verdict = RecordCheck.judge(Self.unread(full), current: document)
        #expect(verdict == .judged(RecordCheck.evaluate(full, current: document)))
        guard case .judged(let outcome?) = verdict else {
            Issue.record("expected a verdict, got \(verdict)")
            return
        }
        #expect(outcome.changedFields == ["attested_document"])
    }

    @Test func changedRowsAskForTheDocumentThenJudgeAsEvaluateDoes() throws {
        let full = try VerifierFixtures.stored(VerifierFixtures.document())
        let now = VerifierFixtures.document(appointmentStatus: "cancelled")
        var stored = Self.unread(full)
        #expect(RecordCheck.judge(stored, current: now) == .needsDocument)
        stored.attestedDocument = full.attestedDocument
        stored.unreadDocumentHash = nil
        let outcome = RecordCheck.evaluate(full, current: now)
        #expect(outcome?.verdict == .recordChanged)
        #expect(RecordCheck.judge(stored, current: now) == .judged(outcome))
    }

    @Test func aForgedProofIsProofInvalidWithTheCache() throws {
        let document = VerifierFixtures.document()
        var stored = Self.unread(try VerifierFixtures.stored(document))
        stored.proof[0][0] ^= 0x01
        guard case .judged(let outcome?) = RecordCheck.judge(stored, current: document, proofs: MerkleProofCache())
        else {
            Issue.record("expected proof-invalid")
            return
        }
        #expect(outcome.verdict == .proofInvalid)
    }
}
