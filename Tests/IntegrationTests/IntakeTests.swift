import Attestation
import Postgres
import Testing

@testable import AttestationService

/// Intake against a real database: a repeated request is answered from the
/// case's current content (the unlocked one-query read must rebuild exactly
/// the committed hash), and a changed case gets a new version.
struct IntakeTests {
    @Test func repeatedRequestsAreIdempotentUntilTheCaseChanges() async throws {
        try await DaemonTestContext.run { context in
            guard let (caseID, key, intake, first) = try await Self.firstRequest(context, seeding: 2) else { return }
            #expect(first.version == 1)
            guard case .existing = try await intake.request(caseID: caseID, source: "test") else {
                Issue.record("a pending request covers the case")
                return
            }

            // Commit and confirm it the way the daemon does: salt, hash of the canonical bytes.
            let salt = try Salt.random()
            let snapshot = try await context.database.withConnection { connection in
                try CaseRows.load(ids: [caseID], on: connection)[caseID]
            }
            let hash = try #require(snapshot).document(pseudonymKey: key, salt: salt, schema: .v1).contentHash().hex
            try await context.database.query(
                """
                UPDATE attestation SET status = 'confirmed', salt = \(salt.bytes), content_hash = \(hash) WHERE id = \
                \(first.id)
                """)
            guard case .existing(let same) = try await intake.request(caseID: caseID, source: "test") else {
                Issue.record("an unchanged confirmed case must not get a new version")
                return
            }
            #expect(same.id == first.id)

            try await context.database.query(
                """
                UPDATE appointments SET status = CASE WHEN status = 'cancelled' THEN 'completed' ELSE 'cancelled' END
                WHERE case_id = \(caseID)
                """)
            guard case .created(let second) = try await intake.request(caseID: caseID, source: "test") else {
                Issue.record("a changed case must get a new version")
                return
            }
            #expect(second.version == 2)
            #expect(try await intake.request(caseID: 9_999_999, source: "test") == .unknownCase)
        }
    }

    /// Outcomes and the API's list read every column but the attested
    /// document and the proof (which no caller shows): the same values as
    /// the full row otherwise, on the quick path and the locked one.
    @Test func outcomesLeaveTheDocumentAndProofUnreadAndReadTheRestAsTheFullRow() async throws {
        try await DaemonTestContext.run { context in
            guard let (caseID, key, intake, first) = try await Self.firstRequest(context) else { return }
            let salt = try Salt.random()
            let snapshot = try await context.database.withConnection { connection in
                try CaseRows.load(ids: [caseID], on: connection)[caseID]
            }
            let document = try #require(snapshot).document(pseudonymKey: key, salt: salt, schema: .v1)
            let hash = try document.contentHash().hex
            let proof = "[\"0x\(String(repeating: "ab", count: 32))\"]"
            try await context.database.query(
                """
                UPDATE attestation SET status = 'confirmed', salt = \(salt.bytes), content_hash = \(hash),
                    attested_document = \(try document.canonicalBytes()),
                    proof = \(proof)::jsonb, leaf_index = 0, tx_hash = '0x01', block_number = 7
                WHERE id = \(first.id)
                """)
            let full = try #require(try await AttestationQueries(database: context.database).attestation(id: first.id))
            #expect(full.attestedDocument != nil && full.proof != nil)

            guard case .existing(let quick) = try await intake.request(caseID: caseID, source: "test") else {
                Issue.record("an unchanged confirmed case must be answered by its row")
                return
            }
            let locked = try await context.database.transaction { connection in
                try AttestationIntake.request(
                    caseID: caseID, counsellorID: nil, source: "test", key: key, on: connection)
            }
            guard case .existing(let lockedRecord) = locked else {
                Issue.record("the locked path must answer the same: \(locked)")
                return
            }
            let listed = try await AttestationQueries(database: context.database).attestations(caseID: caseID)
            for record in [quick, lockedRecord] + listed {
                #expect(record.attestedDocument == nil && record.proof == nil)
                #expect(Self.shownFields(record) == Self.shownFields(full))
            }

            try await AttestationErasure(database: context.database).forget(caseID: caseID)
            guard case .erased(let erased) = try await intake.request(caseID: caseID, source: "api") else {
                Issue.record("an erased case is answered as erased")
                return
            }
            #expect(erased.id == first.id && erased.erasedAt != nil)
        }
    }

    /// Positions read by a statement of known shape (the intake's peek) are
    /// the ones the names give.
    @Test func recordColumnsByPositionMatchTheirNames() async throws {
        try await DaemonTestContext.run { context in
            let caseID = try await context.seedCases(1)[0]
            let intake = AttestationIntake(
                database: context.database, pseudonymKey: try PseudonymKey(bytes: Array(repeating: 7, count: 32)),
                logger: DaemonTestContext.quietLogger)
            _ = try await intake.request(caseID: caseID, source: "test")
            for list in [AttestationRecord.columns, AttestationRecord.columnsWithoutDocumentOrProof] {
                let row = try #require(
                    try await context.database.query(
                        "SELECT 1 AS before, \(unescaped: list) FROM \(unescaped: AttestationRecord.view)"
                    ).rows.first)
                #expect(Array(row.columns.dropFirst().map(\.name)) == AttestationRecord.columnNames)
                #expect(try AttestationRecord.Columns(row) == AttestationRecord.Columns(consecutiveFrom: 1))
            }
        }
    }

    /// One seeded case (of `count`), an intake with a fixed key, and the
    /// case's first request (version 1); nil, with an issue, when it is not created.
    private static func firstRequest(
        _ context: DaemonTestContext, seeding count: Int = 1
    ) async throws -> (caseID: Int64, key: PseudonymKey, intake: AttestationIntake, first: AttestationRecord)? {
        let caseID = try await context.seedCases(count)[0]
        let key = try PseudonymKey(bytes: Array(repeating: 7, count: 32))
        let intake = AttestationIntake(
            database: context.database, pseudonymKey: key, logger: DaemonTestContext.quietLogger)
        guard case .created(let first) = try await intake.request(caseID: caseID, source: "test") else {
            Issue.record("the first request should create version 1")
            return nil
        }
        return (caseID, key, intake, first)
    }

    /// Every field but the document and the proof.
    static func shownFields(_ record: AttestationRecord) -> [String] {
        Mirror(reflecting: record).children.compactMap { child in
            guard let label = child.label, label != "attestedDocument", label != "proof" else { return nil }
            return "\(label)=\(child.value)"
        }
    }
}
