import Attestation
import Ethereum
import EthereumRPC
import Foundation
import Testing

/// Issue 16: `verify-receipt` honours `--finality` (default: the chain
/// profile's) as `verify` does. On a dev chain whose `finalized` tag lags 8
/// blocks, a receipt mined and 3 deep is verified at blocks:2 and
/// `unconfirmed` at finalized ("mined but not yet final"), until its block is
/// finalized; one receipt and a folder alike.
struct VerifyReceiptFinalityTests {
    @Test(.timeLimit(.minutes(5)))
    func aReceiptIsNotFinalBeforeItsBlockIsFinalized() async throws {
        guard TestEnvironment.requireDatabase() != nil else { return }
        // Automine only: no block is mined but those the test asks for.
        try await DedicatedDevChain.with(arguments: ["--finalized-depth", "8"]) { chain in try await check(on: chain) }
    }

    private func check(on chain: LoopbackHelper) async throws {
        let devKey = try PrivateKey(hex: TestEnvironment.devKeyHex)
        try await VerifierWorld.with(rpcURL: chain.url, key: devKey) { world in
            let cases = try await world.seedCases(1, appointments: 1)
            let batch = try await world.attest(cases)
            try await world.mine(2)
            let folder = NSTemporaryDirectory() + "finality-\(UUID().uuidString)"
            let archive = folder + "/archive"
            try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let written = try await CLI.run(
                ["receipt", "--case", String(cases[0]), "--out", archive + "/case.json", "--log-level", "warning"],
                environment: world.cliEnvironment())
            try #require(written.status == 0, "receipt: \(written.stderr)")
            // The auditor's profile of the dev chain says `finalized`.
            let profiles = folder + "/chains.conf"
            try Data(
                """
                [chain \(world.chainID)]
                name = dev chain, finalized lagging
                finality = finalized
                fee-model = auto

                """.utf8
            ).write(to: URL(fileURLWithPath: profiles))

            func verify(_ target: String, _ extra: [String], json: Bool = true) async throws -> CLI.Output {
                try await CLI.run(
                    ["verify-receipt", target, "--rpc", chain.url, "--contract", world.registry.lowercased]
                        + (json ? ["--json"] : []) + extra,
                    environment: ["PATH": "/usr/bin:/bin"])
            }
            let receipt = archive + "/case.json"
            let finalized = try #require(try await world.eth.block(.finalized)).number
            #expect(finalized < batch.blockNumber, "finalized \(finalized), anchor \(batch.blockNumber)")

            // Three blocks deep: enough for blocks:2, not for finalized.
            let deep = try await verify(receipt, ["--finality", "blocks:2"])
            let deepJSON = try JSONValue.parse(deep.stdout)
            #expect(deep.status == 0 && deepJSON.verdict == "verified", "\(deep.stdout)")
            let early = try await verify(receipt, ["--finality", "finalized"])
            let earlyJSON = try JSONValue.parse(early.stdout)
            #expect(early.status == 1 && earlyJSON.verdict == "unconfirmed", "\(early.stdout) \(early.stderr)")
            #expect(earlyJSON["reason"]?.stringValue?.contains("is not finalized yet") == true, "\(early.stdout)")
            #expect(earlyJSON["finality"]?.stringValue == "finalized")
            let earlyText = try await verify(receipt, ["--finality", "finalized"], json: false)
            #expect(earlyText.stdout.contains("mined but not yet final at --finality finalized"), "\(earlyText.stdout)")

            // No flag: the profile's finality. An explicit --confirmations still means blocks:N.
            let byProfile = try await verify(receipt, ["--chain-profiles", profiles])
            let byProfileJSON = try JSONValue.parse(byProfile.stdout)
            #expect(byProfile.status == 1 && byProfileJSON.verdict == "unconfirmed", "\(byProfile.stdout)")
            #expect(byProfileJSON["finality"]?.stringValue == "finalized")
            let explicit = try await verify(receipt, ["--chain-profiles", profiles, "--confirmations", "2"])
            #expect(explicit.status == 0, "\(explicit.stdout)")
            let folderEarly = try await verify(archive, ["--chain-profiles", profiles], json: false)
            #expect(folderEarly.status == 1, "\(folderEarly.stdout)")
            #expect(folderEarly.stdout.contains("1 unconfirmed"), "\(folderEarly.stdout)")
            #expect(folderEarly.stdout.contains("mined but not yet final at --finality finalized"))
            // Without a flag or a profile naming the chain: blocks:2, as before.
            let plain = try await verify(receipt, [])
            let plainJSON = try JSONValue.parse(plain.stdout)
            #expect(plain.status == 0 && plainJSON["finality"]?.stringValue == "blocks:2", "\(plain.stdout)")

            // Mined until the anchor's block is finalized: now it is final by the same rule.
            while try #require(try await world.eth.block(.finalized)).number < batch.blockNumber {
                try await world.mine(1)
            }
            let final = try await verify(receipt, ["--chain-profiles", profiles])
            let finalJSON = try JSONValue.parse(final.stdout)
            #expect(final.status == 0 && finalJSON.verdict == "verified", "\(final.stdout)")
            let folderFinal = try await verify(archive, ["--chain-profiles", profiles])
            let summary = try JSONValue.parse(folderFinal.stdout)["summary"]
            #expect(
                folderFinal.status == 0 && summary?["finality"]?.stringValue == "finalized", "\(folderFinal.stdout)")
        }
    }
}
