import Attestation
import AttestationService
import Postgres
import Testing

/// Intake against a real database: a repeated request is answered from the
/// case's current content (the unlocked one-query read must rebuild exactly
/// the committed hash), and a changed case gets a new version.
struct IntakeTests {
    @Test func repeatedRequestsAreIdempotentUntilTheCaseChanges() async throws {
        try await DaemonTestContext.run { context in
            let caseID = try await context.seedCases(2)[0]
            let key = try PseudonymKey(bytes: Array(repeating: 7, count: 32))
            let intake = AttestationIntake(
                database: context.database, pseudonymKey: key, logger: DaemonTestContext.quietLogger)

            guard case .created(let first) = try await intake.request(caseID: caseID, source: "test") else {
                Issue.record("the first request should create version 1")
                return
            }
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
}
