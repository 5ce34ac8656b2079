import Attestation
import AttestationService
import Foundation
import Postgres
import Testing

/// The issue's first "Done when": attested cases verify; three direct SQL
/// edits make exactly those cases record-changed, naming the fields.
struct VerifierTamperTests {
    @Test func verifyAllPassesThenNamesExactlyTheTamperedFields() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(6, appointments: 2)
            try await world.attest(Array(cases.prefix(4)))
            try await world.attest(Array(cases.suffix(2)))
            try await world.mine(2)

            let clean = try await CLI.run(
                ["verify", "--all", "--json", "--log-level", "warning"], environment: world.cliEnvironment())
            #expect(clean.status == 0, "stderr: \(clean.stderr)")
            let before = try CLI.verdicts(clean)
            #expect(before.summary["total"] == 6)
            #expect(before.summary["verified"] == 6)

            let appointments = try await world.database.query(
                """
                SELECT id, case_id FROM appointments WHERE case_id = ANY(ARRAY[\(cases[0]), \(cases[2])]::bigint[]) \
                ORDER BY id
                """
            ).rows.map { (try $0.decode(Int64.self, "id"), try $0.decode(Int64.self, "case_id")) }
            let changedAppointment = try #require(appointments.first { $0.1 == cases[0] }).0
            let deletedAppointment = try #require(appointments.last { $0.1 == cases[2] }).0
            try await world.execute("UPDATE appointments SET status = 'no_show' WHERE id = \(changedAppointment)")
            try await world.execute(
                "UPDATE cases SET resolved_at = resolved_at + interval '1 microsecond' WHERE id = \(cases[1])")
            try await world.execute("DELETE FROM appointments WHERE id = \(deletedAppointment)")

            let tampered = try await CLI.run(
                ["verify", "--all", "--json", "--log-level", "warning"], environment: world.cliEnvironment())
            #expect(tampered.status == 1, "stderr: \(tampered.stderr)")
            let after = try CLI.verdicts(tampered)
            #expect(after.summary["verified"] == 3)
            #expect(after.summary["record-changed"] == 3)
            #expect(after.byCase[cases[0]]?.changedFields == ["appointments[id=\(changedAppointment)].status"])
            #expect(after.byCase[cases[1]]?.changedFields == ["case.resolved_at"])
            #expect(after.byCase[cases[2]]?.changedFields == ["appointments[id=\(deletedAppointment)] removed"])
            for caseID in cases.suffix(3) {
                #expect(after.byCase[caseID]?.verdict == "verified")
            }

            // The table for people names the same fields, and the exit code agrees.
            let table = try await CLI.run(
                ["verify", "--case", String(cases[1]), "--log-level", "warning"],
                environment: world.cliEnvironment())
            #expect(table.status == 1)
            #expect(table.stdout.contains("record-changed"))
            #expect(table.stdout.contains("case.resolved_at"))
            #expect(table.stdout.contains("1 case: 1 record-changed"))
        }
    }

    @Test func anEditedOrDeletedCaseAttestationRowIsReported() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(3, appointments: 1)
            try await world.attest(cases)
            try await world.mine(2)
            let clean = try await world.verifier().verify(VerificationSelection())
            #expect(clean.summary.count(.verified) == 3)
            try await world.execute(
                """
                UPDATE public.caseattestation SET tx_hash = \("0x" + String(repeating: "00", count: 32)) WHERE case_id \
                = \(cases[0])
                """)
            try await world.execute("DELETE FROM public.caseattestation WHERE case_id = \(cases[1])")
            let report = try await world.verifier().verify(VerificationSelection())
            let byCase = Dictionary(uniqueKeysWithValues: report.results.map { ($0.caseID, $0) })
            #expect(byCase[cases[0]]?.verdict == .recordChanged)
            #expect(byCase[cases[0]]?.outcome.changedFields == ["caseattestation.tx_hash"])
            #expect(byCase[cases[1]]?.verdict == .recordChanged)
            #expect(byCase[cases[1]]?.outcome.changedFields == ["caseattestation removed"])
            #expect(byCase[cases[2]]?.verdict == .verified)
        }
    }

    @Test func selectionsAndUsageErrors() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(3, appointments: 1)
            try await world.attest(cases)
            try await world.mine(2)
            let one = try await CLI.run(
                ["verify", "--case", String(cases[1]), "--json", "--log-level", "warning"],
                environment: world.cliEnvironment())
            #expect(one.status == 0, "stderr: \(one.stderr)")
            #expect(try CLI.verdicts(one).byCase.keys.sorted() == [cases[1]])

            let none = try await CLI.run(
                ["verify", "--since", "2030-01-01", "--json"], environment: world.cliEnvironment())
            #expect(none.status == 0)
            #expect(try CLI.verdicts(none).summary["total"] == 0)

            let noSelection = try await CLI.run(["verify"], environment: world.cliEnvironment())
            #expect(noSelection.status == 2)
            #expect(noSelection.stderr.contains("--all"))

            var noNode = world.cliEnvironment()
            noNode["CASEATTEST_RPC_URL"] = "http://127.0.0.1:9"
            let unreachable = try await CLI.run(["verify", "--all", "--log-level", "critical"], environment: noNode)
            #expect(unreachable.status == 2)

            var noDatabase = world.cliEnvironment()
            noDatabase["DATABASE_URL"] = "postgres://postgres@127.0.0.1:9/none"
            let noPostgres = try await CLI.run(["verify", "--all", "--log-level", "critical"], environment: noDatabase)
            #expect(noPostgres.status == 2)
        }
    }
}
