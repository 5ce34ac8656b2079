import Attestation
import Testing

struct DocumentDiffTests {
    func fields(_ old: CaseDocumentV1, _ new: CaseDocumentV1) throws -> [String] {
        DocumentDiff.changedFields(attested: try old.json(), current: try new.json())
    }

    @Test func identicalDocumentsHaveNoChangedFields() throws {
        #expect(try fields(VerifierFixtures.document(), VerifierFixtures.document()) == [])
    }

    @Test func namesTheCaseFieldThatChanged() throws {
        let changed = VerifierFixtures.document(resolvedAt: 1_767_225_600_000_001)
        #expect(try fields(VerifierFixtures.document(), changed) == ["case.resolved_at"])
    }

    @Test func namesAnAppointmentFieldByTheAppointmentsID() throws {
        let changed = VerifierFixtures.document(appointmentStatus: "no_show")
        #expect(try fields(VerifierFixtures.document(), changed) == ["appointments[id=12].status"])
    }

    @Test func namesRemovedAndAddedAppointments() throws {
        let original = VerifierFixtures.document(appointments: [12, 13])
        #expect(try fields(original, VerifierFixtures.document(appointments: [12])) == ["appointments[id=13] removed"])
        #expect(
            try fields(original, VerifierFixtures.document(appointments: [12, 13, 14])) == ["appointments[id=14] added"]
        )
    }

    @Test func aDifferentSaltIsNamed() throws {
        let resalted = VerifierFixtures.document(salt: VerifierFixtures.salt(8))
        #expect(try fields(VerifierFixtures.document(), resalted) == ["salt"])
    }

    @Test func arraysWithoutIDsCompareByPosition() {
        let old: JSONValue = ["list": [1, 2, 3]]
        let new: JSONValue = ["list": [1, 5]]
        #expect(DocumentDiff.changedFields(attested: old, current: new) == ["list[1]", "list[2] removed"])
    }

    @Test func objectMembersAddedOrRemovedAreNamed() {
        let old: JSONValue = ["case": ["a": 1, "b": 2]]
        let new: JSONValue = ["case": ["a": 1, "c": 3]]
        #expect(DocumentDiff.changedFields(attested: old, current: new) == ["case.b removed", "case.c added"])
    }
}
