import Attestation
import AttestationService
import Foundation
import Postgres
import Testing

/// Every receipt issued, by the CLI or the API's verifier, is in the access
/// log before it is handed out, and `caseattest access-log` lists it.
struct ReceiptAccessLogTests {
    @Test func everyReceiptIssuedIsLoggedAndListedByCaseAndTime() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(2, appointments: 1)
            let batch = try await world.attest(cases)
            try await world.mine(2)
            let environment = world.cliEnvironment()

            // The CLI, by operator name.
            let written = try await CLI.run(
                [
                    "receipt", "--case", String(cases[0]), "--operator", "alice",
                    "--log-level", "warning",
                ], environment: environment)
            #expect(written.status == 0, "stderr: \(written.stderr)")
            // The API's verifier, by token id.
            let receipts = ReceiptBuilder(database: world.database, pseudonymKey: nil)
            let service = DatabaseVerificationService(verifier: try world.verifier(), receipts: receipts)
            let issued = try await service.receipt(
                attestationID: batch.attestationIDs[1],
                issuedTo: .token(id: "0123abcd"))
            #expect(issued != nil)
            // Nothing issued, nothing logged: an unknown attestation.
            #expect(try await service.receipt(attestationID: 987_654_321, issuedTo: .token(id: "0123abcd")) == nil)
            // The archive: one entry per receipt file, $USER naming the operator.
            let directory = NSTemporaryDirectory() + "receipts-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var archiveEnvironment = environment
            archiveEnvironment["USER"] = "bob"
            let archive = try await CLI.run(
                ["receipt", "--all", "--out", directory, "--log-level", "warning"],
                environment: archiveEnvironment)
            #expect(archive.status == 0, "stderr: \(archive.stderr)")

            let rows = try await world.database.query(
                """
                SELECT case_id, attestation_id, channel, accessor FROM attestation_receipt_access ORDER BY id
                """
            ).rows.map {
                "\(try $0.decode(Int64.self, "case_id")) \(try $0.decode(Int64.self, "attestation_id")) "
                    + "\(try $0.decode(String.self, "channel")) \(try $0.decode(String.self, "accessor"))"
            }
            #expect(
                rows == [
                    "\(cases[0]) \(batch.attestationIDs[0]) cli alice",
                    "\(cases[1]) \(batch.attestationIDs[1]) api 0123abcd",
                    "\(cases[0]) \(batch.attestationIDs[0]) cli bob",
                    "\(cases[1]) \(batch.attestationIDs[1]) cli bob",
                ])

            let listed = try await CLI.run(
                [
                    "access-log", "--case", String(cases[0]), "--json",
                    "--log-level", "warning",
                ], environment: environment)
            #expect(listed.status == 0, "stderr: \(listed.stderr)")
            let lines = listed.stdout.split(separator: "\n").map { try? JSONValue.parse(Array($0.utf8)) }
            #expect(lines.count == 2)
            #expect(lines.compactMap { $0?["accessor"]?.stringValue } == ["bob", "alice"], "newest first")
            #expect(lines.allSatisfy { $0?["case_id"]?.numberValue == Double(cases[0]) })

            let text = try await CLI.run(["access-log", "--log-level", "warning"], environment: environment)
            #expect(text.stdout.split(separator: "\n").count == 4)
            #expect(text.stdout.contains("case \(cases[1]) attestation \(batch.attestationIDs[1]) api 0123abcd"))

            let future = try await CLI.run(
                ["access-log", "--since", "2999-01-01", "--log-level", "warning"],
                environment: environment)
            #expect(future.status == 0)
            #expect(future.stdout.isEmpty)
            let past = try await CLI.run(
                ["access-log", "--since", "2000-01-01T00:00:00Z", "--log-level", "warning"],
                environment: environment)
            #expect(past.stdout.split(separator: "\n").count == 4)
            let bad = try await CLI.run(["access-log", "--since", "yesterday"], environment: environment)
            #expect(bad.status != 0)
        }
    }
}
