import Attestation
import AttestationService
import Foundation
import Postgres
import Testing

/// Receipts, checked with no database at all, and erasure.
struct VerifierReceiptTests {
    @Test func receiptsVerifyWithNoDatabaseAndEditedFieldsFailNamingThem() async throws {
        var receiptText = ""
        var environment: [String: String] = [:]
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(3, appointments: 2)
            try await world.attest(cases)
            try await world.mine(2)
            let path = NSTemporaryDirectory() + "receipt-\(UUID().uuidString).json"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let written = try await CLI.run(
                ["receipt", "--case", String(cases[1]), "--out", path, "--log-level", "warning"],
                environment: world.cliEnvironment())
            #expect(written.status == 0, "stderr: \(written.stderr)")
            receiptText = try String(contentsOfFile: path, encoding: .utf8)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            environment = world.cliEnvironment(database: false)
            // The database goes away before any receipt is checked.
            try await VerifierWorld.dropDatabase(serverURL: world.serverURL, name: world.databaseName)
        }
        guard !receiptText.isEmpty else { return }
        #expect(environment["DATABASE_URL"] == nil)

        func check(_ text: String) async throws -> CLI.Output {
            let path = NSTemporaryDirectory() + "receipt-\(UUID().uuidString).json"
            defer { try? FileManager.default.removeItem(atPath: path) }
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return try await CLI.run(
                [
                    "verify-receipt", path, "--rpc", environment["CASEATTEST_RPC_URL"] ?? "",
                    "--contract", environment["CASEATTEST_CONTRACT"] ?? "",
                ], environment: ["PATH": "/usr/bin:/bin"])
        }
        let original = try await check(receiptText)
        #expect(original.status == 0, "stdout: \(original.stdout) stderr: \(original.stderr)")
        #expect(original.stdout.hasPrefix("verified"))

        let receipt = try JSONValue.parse(receiptText)
        let otherHash = JSONValue.string("0x" + String(repeating: "ef", count: 32))
        let edits: [(field: String, value: JSONValue, verdict: String, mentions: String)] = [
            ("contentHash", otherHash, "record-changed", "contentHash"),
            ("leaf", otherHash, "proof-invalid", "leaf"),
            ("root", otherHash, "proof-invalid", "root"),
            ("txHash", otherHash, "not-anchored", "txHash"),
            ("blockHash", otherHash, "not-anchored", "blockHash"),
            ("blockNumber", .number((receipt["blockNumber"]?.numberValue ?? 0) + 1), "not-anchored", "blockNumber"),
            ("chainId", 1, "wrong-contract", "chainId"),
            ("contract", "0x000000000000000000000000000000000000dead", "wrong-contract", "contract"),
            ("attestedAt", "2020-01-01T00:00:00.000000Z", "not-anchored", "attestedAt"),
            ("leafIndex", 99, "proof-invalid", "leafIndex"),
        ]
        for edit in edits {
            let output = try await check(replacing(edit.field, with: edit.value, in: receipt).canonicalString)
            #expect(output.status == 1, "\(edit.field): \(output.stdout) \(output.stderr)")
            #expect(output.stdout.hasPrefix(edit.verdict + ":"), "\(edit.field): \(output.stdout)")
            #expect(output.stdout.contains(edit.mentions), "\(edit.field): \(output.stdout)")
        }
        // An edited document field (the salt) no longer hashes to contentHash.
        var document = try #require(receipt["document"])
        document = replacing("salt", with: .string(String(repeating: "0", count: 64)), in: document)
        let editedDocument = try await check(replacing("document", with: document, in: receipt).canonicalString)
        #expect(editedDocument.status == 1)
        #expect(editedDocument.stdout.hasPrefix("record-changed: document"))

        let garbage = try await check("{\"format\": \"something else\"}")
        #expect(garbage.status == 2)
    }

    @Test func forgetErasesOneCaseAndTheRestOfTheBatchStillVerifies() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(3, appointments: 1)
            try await world.attest(cases)
            try await world.mine(2)

            let refused = try await CLI.run(
                ["forget", "--case", String(cases[0])], environment: world.cliEnvironment())
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("--yes"))

            let forgotten = try await CLI.run(
                ["forget", "--case", String(cases[0]), "--yes", "--log-level", "warning"],
                environment: world.cliEnvironment())
            #expect(forgotten.status == 0, "stderr: \(forgotten.stderr)")
            #expect(forgotten.stdout.contains("erased 1 attestation"))
            let salts = try await world.database.query(
                """
                SELECT count(*)::bigint AS n FROM attestation WHERE case_id = \(cases[0]) AND (salt IS NOT NULL OR \
                attested_document IS NOT NULL)
                """
            ).rows[0].decode(Int64.self, "n")
            #expect(salts == 0)

            let verify = try await CLI.run(
                ["verify", "--all", "--json", "--log-level", "warning"], environment: world.cliEnvironment())
            #expect(verify.status == 1)
            let verdicts = try CLI.verdicts(verify)
            #expect(verdicts.byCase[cases[0]]?.verdict == "erased")
            #expect(verdicts.byCase[cases[1]]?.verdict == "verified")
            #expect(verdicts.byCase[cases[2]]?.verdict == "verified")

            let receipt = try await CLI.run(
                ["receipt", "--case", String(cases[0])], environment: world.cliEnvironment())
            #expect(receipt.status == 1)
            #expect(receipt.stderr.contains("erased"))

            let unknown = try await CLI.run(
                ["forget", "--case", "987654321", "--yes"], environment: world.cliEnvironment())
            #expect(unknown.status == 1)
        }
    }

    /// A chain whose profile names an explorer: `receipt` and `receipt --all`
    /// write the links, which change nothing `verify-receipt` checks; a link
    /// edited to another transaction is refused, naming it.
    @Test func receiptsLinkToTheProfilesExplorerAndStillVerify() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(2, appointments: 1)
            try await world.attest(cases)
            try await world.mine(2)
            let folder = NSTemporaryDirectory() + "links-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let profiles = folder + "/chains.conf"
            try Data(
                """
                [chain \(world.chainID)]
                name = campus test chain
                finality = blocks:2
                fee-model = auto
                explorer-tx = https://explorer.campus.example/tx/{tx}
                explorer-address = https://explorer.campus.example/address/{address}

                """.utf8
            ).write(to: URL(fileURLWithPath: profiles))
            var environment = world.cliEnvironment()
            let bare = try await CLI.run(["receipt", "--case", String(cases[0])], environment: environment)
            #expect(bare.status == 0 && !bare.stdout.contains("\"links\""), "\(bare.stdout) \(bare.stderr)")

            environment["CASEATTEST_CHAIN_PROFILES"] = profiles
            let written = try await CLI.run(["receipt", "--case", String(cases[0])], environment: environment)
            #expect(written.status == 0, "stderr: \(written.stderr)")
            let receipt = try JSONValue.parse(written.stdout)
            let tx = try #require(receipt["txHash"]?.stringValue)
            #expect(receipt["links"]?["transaction"]?.stringValue == "https://explorer.campus.example/tx/" + tx)
            #expect(
                receipt["links"]?["contract"]?.stringValue
                    == "https://explorer.campus.example/address/" + world.registry.lowercased)

            func check(_ value: JSONValue) async throws -> CLI.Output {
                let path = folder + "/case-\(UUID().uuidString).json"
                try Data(value.canonicalString.utf8).write(to: URL(fileURLWithPath: path))
                defer { try? FileManager.default.removeItem(atPath: path) }
                return try await CLI.run(
                    ["verify-receipt", path, "--rpc", world.rpcURL, "--contract", world.registry.lowercased],
                    environment: ["PATH": "/usr/bin:/bin"])
            }
            let verified = try await check(receipt)
            #expect(verified.status == 0 && verified.stdout.hasPrefix("verified"), "\(verified.stdout)")
            let elsewhere = JSONValue.object([
                ("transaction", .string("https://explorer.campus.example/tx/0x" + String(repeating: "ab", count: 32)))
            ])
            let edited = try await check(replacing("links", with: elsewhere, in: receipt))
            #expect(edited.status == 2 && edited.stderr.contains("links.transaction"), "\(edited.stderr)")

            // The archive carries them too, and the folder verifies.
            let archive = folder + "/archive"
            let archived = try await CLI.run(
                ["receipt", "--all", "--out", archive, "--log-level", "warning"], environment: environment)
            #expect(archived.status == 0, "stderr: \(archived.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".json") }
            #expect(files.count == 2)
            for file in files {
                let text = try String(contentsOfFile: archive + "/" + file, encoding: .utf8)
                let links = try JSONValue.parse(text)["links"]
                #expect(links?["transaction"]?.stringValue?.hasPrefix("https://explorer.campus.example/tx/0x") == true)
            }
            let folderChecked = try await CLI.run(
                ["verify-receipt", archive, "--rpc", world.rpcURL, "--contract", world.registry.lowercased],
                environment: ["PATH": "/usr/bin:/bin"])
            #expect(folderChecked.status == 0, "\(folderChecked.stdout) \(folderChecked.stderr)")
        }
    }

    private func replacing(_ key: String, with value: JSONValue, in object: JSONValue) -> JSONValue {
        guard case .object(var members) = object, let index = members.firstIndex(where: { $0.key == key }) else {
            return object
        }
        members[index].value = value
        return .object(members)
    }
}
