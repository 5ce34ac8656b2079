import Attestation
import AttestationService
import EthereumRPC
import Foundation
import Testing

/// The auditor's offline archive: `receipt --all --out DIR` from the
/// database, then `verify-receipt DIR` with no database at all.
struct ReceiptArchiveTests {
    @Test func tenThousandReceiptsAreArchivedAndVerifiedFromTheFolderAlone() async throws {
        try await VerifierWorld.with { world in
            let count = 10_000, batches = 4
            let cases = try await world.seedCases(count, appointments: 1)
            let size = count / batches
            for start in stride(from: 0, to: count, by: size) {
                try await world.attest(Array(cases[start..<min(start + size, count)]))
            }
            try await world.mine(2)

            let directory = NSTemporaryDirectory() + "caseattest-archive-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let archived = try await CLI.run(
                ["receipt", "--all", "--out", directory], environment: world.cliEnvironment(),
                timeout: .seconds(300))
            #expect(archived.status == 0, "\(archived.stderr.prefix(400))")
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
            #expect(files.count == count)
            let mode =
                try FileManager.default.attributesOfItem(atPath: directory + "/" + files[0])[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // No database: only the node (through a counting proxy) and the registry the auditor trusts.
            let proxy = try await LoopbackProxy.start(upstream: world.rpcURL)
            do {
                var environment = world.cliEnvironment(database: false)
                environment.removeValue(forKey: "CASEATTEST_PSEUDONYM_KEY_FILE")
                environment["CASEATTEST_RPC_URL"] = proxy.url
                let started = ContinuousClock.now
                let checked = try await CLI.run(
                    ["verify-receipt", directory, "--json"], environment: environment,
                    timeout: .seconds(300))
                let elapsed = ContinuousClock.now - started
                #expect(checked.status == 0, "\(checked.stderr.prefix(400))")
                let document = try JSONValue.parse(checked.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(document["summary"]?["verified"] == .number(Double(count)))
                #expect(document["summary"]?["total"] == .number(Double(count)))
                print("verify-receipt: \(count) receipts from the folder in \(elapsed)")
                // One batched lookup per anchor: chain id and head, anchors and receipts, blocks.
                let client = try JSONRPCClient(configuration: .init(urls: [proxy.url]), logger: VerifierWorld.logger)
                let stats = try await client.call("proxy_stats")
                if case .integer(let forwarded)? = stats["forwarded"] {
                    #expect(forwarded <= 4)
                } else {
                    Issue.record("no stats")
                }

                // A tampered receipt and a file that is not one: exit 1, each named.
                let victim = directory + "/" + files.sorted()[0]
                let original = try String(contentsOfFile: victim, encoding: .utf8)
                try original.replacingOccurrences(of: "\"completed\"", with: "\"cancelled\"")
                    .write(toFile: victim, atomically: true, encoding: .utf8)
                try "not json".write(toFile: directory + "/zz-broken.json", atomically: true, encoding: .utf8)
                let tampered = try await CLI.run(
                    ["verify-receipt", directory], environment: environment, timeout: .seconds(300))
                #expect(tampered.status == 1)
                #expect(tampered.stdout.contains(files.sorted()[0]))
                #expect(tampered.stdout.contains("zz-broken.json: unreadable"))
                #expect(tampered.stdout.contains("\(count - 1) verified"))

                // No registry the auditor trusts: refused, not the receipt's own.
                environment.removeValue(forKey: "CASEATTEST_CONTRACT")
                let untrusted = try await CLI.run(["verify-receipt", victim], environment: environment)
                #expect(untrusted.status == 2)
                #expect(untrusted.stderr.contains("no registry you trust"))
            } catch {
                await proxy.stop()
                throw error
            }
            await proxy.stop()
        }
    }
}
