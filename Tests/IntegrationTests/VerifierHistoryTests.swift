import Attestation
import AttestationService
import Ethereum
import Foundation
import Postgres
import Testing

/// A closed case re-opened, changed and resolved again gets a second
/// version: `verify --history` shows both, each verified, and what changed.
struct VerifierHistoryTests {
    @Test func anAmendedCaseShowsBothVersionsAndTheChangedField() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(2, appointments: 2)
            let amended = cases[0]
            try await world.attest(cases)  // v1 of both, confirmed
            // Re-opened, an appointment changed, re-resolved.
            try await world.execute("UPDATE cases SET status = 'in_progress', resolved_at = NULL WHERE id = \(amended)")
            let appointment = try #require(
                try await world.database.query(
                    """
                    SELECT min(id) AS id FROM appointments WHERE case_id = \(amended)
                    """
                ).rows.first?.decode(Int64.self, "id"))
            try await world.execute("UPDATE appointments SET status = 'no_show' WHERE id = \(appointment)")
            try await world.execute(
                """
                UPDATE cases SET status = 'resolved', resolved_at = (SELECT resolved_at FROM cases WHERE id = \
                \(cases[1]))
                WHERE id = \(amended)
                """)
            let second = try await world.attest([amended])  // v2, confirmed
            try await world.mine(2)

            // The library: both versions, each verified; the change named.
            let verifier = try world.verifier()
            let latest = try await verifier.verify(VerificationSelection())
            #expect(latest.summary.allVerified)
            let history = try await verifier.history(VerificationSelection(), latest: latest)
            #expect(history.amendedCount == 1)
            #expect(history.earlierProblems == 0)
            let versions = try #require(history.cases[amended]?.versions)
            #expect(versions.map(\.result.version) == [1, 2])
            #expect(versions.map(\.result.verdict) == [.verified, .verified])
            #expect(versions[0].changedFromPrevious == nil)
            let changed = try #require(versions[1].changedFromPrevious)
            #expect(changed.contains("appointments[id=\(appointment)].status"))
            #expect(!changed.contains("salt"))
            #expect(versions[1].result.root == Hex.encodePrefixed(second.root))
            #expect(history.cases[cases[1]]?.amended == false)

            // The CLI: --history --json, and the human form.
            let output = try await CLI.run(
                ["verify", "--all", "--history", "--json", "--attester", world.key.address.lowercased],
                environment: world.cliEnvironment())
            #expect(output.status == 0, "\(output.stderr.prefix(400))")
            let (byCase, summary) = try CLI.verdicts(output)
            #expect(summary["amended"] == 1)
            #expect(summary["findings"] == 0)
            let entry = try #require(byCase[amended])
            #expect(entry["amended"] == .bool(true))
            guard case .array(let entries)? = entry["history"] else { Issue.record("no history"); return }
            #expect(entries.map { $0.verdict } == ["verified", "verified"])
            guard case .array(let fields)? = entries[1]["changed_from_previous"] else {
                Issue.record("no changes"); return
            }
            #expect(fields.contains(.string("appointments[id=\(appointment)].status")))

            let text = try await CLI.run(
                ["verify", "--case", String(amended), "--history"], environment: world.cliEnvironment())
            #expect(text.status == 0)
            #expect(text.stdout.contains("1 case amended after the first attestation"))
            #expect(text.stdout.contains("changed: appointments[id=\(appointment)].status"))

            // The API's view carries the same history.
            let service = DatabaseVerificationService(
                verifier: verifier,
                receipts: ReceiptBuilder(database: world.database, pseudonymKey: nil))
            let json = try #require(try await service.verification(caseID: amended))
            #expect(json["amended"] == .bool(true))
            guard case .array(let apiVersions)? = json["history"] else { Issue.record("no API history"); return }
            #expect(apiVersions.count == 2)

            // An earlier version is itself verified: forging its stored document is caught.
            try await world.execute(
                """
                UPDATE attestation SET attested_document = convert_to('{}', 'UTF8') WHERE case_id = \(amended) AND \
                version = 1
                """)
            let forged = try await verifier.history(
                VerificationSelection(caseID: amended),
                latest: try await verifier.verify(VerificationSelection(caseID: amended)))
            #expect(forged.cases[amended]?.versions.map(\.result.verdict) == [.recordChanged, .verified])
            #expect(forged.earlierProblems == 1)
        }
    }
}
