import Attestation
import AttestationService
import Foundation
import Postgres
import Testing

/// Case document v2 (issue 14): two cases of one student share no value
/// derived from the student in their receipts, and a v1 attestation made
/// before the upgrade still verifies beside them.
struct CaseDocumentV2Tests {
    @Test func twoCasesOfOneStudentShareNothingOfTheStudentAndV1StillVerifies() async throws {
        try await VerifierWorld.with { world in
            // seedCases gives every case the same student.
            let cases = try await world.seedCases(3, appointments: 1)
            try await world.attest([cases[0]], schema: .v1)  // before the upgrade
            try await world.attest([cases[1], cases[2]], schema: .current)
            try await world.mine(2)
            let environment = world.cliEnvironment()

            var receipts: [JSONValue] = []
            for caseID in cases {
                let output = try await CLI.run(
                    [
                        "receipt", "--case", String(caseID), "--operator", "test",
                        "--log-level", "warning",
                    ], environment: environment)
                #expect(output.status == 0, "stderr: \(output.stderr)")
                receipts.append(try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            }
            let schemas = receipts.map { $0["document"]?["schema"]?.stringValue }
            #expect(schemas == [CaseDocument.schemaV1, CaseDocument.schemaV2, CaseDocument.schemaV2])
            let userID = try await world.database.query("SELECT user_id FROM cases WHERE id = \(cases[1])").rows[0]
                .decode(Int64.self, "user_id")
            let v1Hash = world.pseudonymKey.userHash(for: userID)
            let hashes = receipts.map { $0["document"]?["case"]?["user_hash"]?.stringValue }
            #expect(hashes[0] == v1Hash)
            #expect(hashes[1] == world.pseudonymKey.caseUserHash(caseID: cases[1], userID: userID))
            #expect(hashes[2] == world.pseudonymKey.caseUserHash(caseID: cases[2], userID: userID))

            // Every value in the two v2 receipts' documents that comes from
            // the student: only user_hash does, and the two differ; neither
            // receipt carries the student's v1 pseudonym or raw id.
            let first = Self.strings(in: receipts[1]["document"]?["case"])
            let second = Self.strings(in: receipts[2]["document"]?["case"])
            let shared = first.intersection(second)
            #expect(hashes[1] != hashes[2])
            #expect(!shared.contains { $0.count == 64 }, "no pseudonym-shaped value in common: \(shared)")
            for receipt in receipts.dropFirst() {
                let text = receipt.canonicalString
                #expect(!text.contains(v1Hash))
                #expect(receipt["document"]?["case"]?["user_id"] == nil)
            }

            // All three verify: the v1 one with its own schema after the upgrade.
            let verify = try await CLI.run(
                ["verify", "--all", "--json", "--log-level", "warning"],
                environment: environment)
            let verdicts = try CLI.verdicts(verify)
            for caseID in cases {
                #expect(verdicts.byCase[caseID]?.verdict == "verified", "case \(caseID): \(verify.stdout.prefix(800))")
            }
            for receipt in receipts {
                let path = NSTemporaryDirectory() + "receipt-\(UUID().uuidString).json"
                defer { try? FileManager.default.removeItem(atPath: path) }
                try Data(receipt.canonicalString.utf8).write(to: URL(fileURLWithPath: path))
                let checked = try await CLI.run(
                    [
                        "verify-receipt", path, "--rpc", world.rpcURL,
                        "--contract", world.registry.lowercased,
                    ],
                    environment: ["PATH": "/usr/bin:/bin"])
                #expect(checked.stdout.hasPrefix("verified"), "\(checked.stdout) \(checked.stderr)")
            }
        }
    }

    static func strings(in value: JSONValue?) -> Set<String> {
        switch value {
        case .string(let text)?: return [text]
        case .object(let members)?: return members.reduce(into: []) { $0.formUnion(strings(in: $1.value)) }
        case .array(let items)?: return items.reduce(into: []) { $0.formUnion(strings(in: $1)) }
        default: return []
        }
    }
}
