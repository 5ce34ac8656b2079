import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry
import Testing

/// Verdicts that depend on the stored proof and on the chain.
struct VerifierChainTests {
    @Test func forgedProofMissingPendingAndUnconfirmed() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(5, appointments: 1)
            let batch = try await world.attest(Array(cases.prefix(3)))
            try await world.mine(2)
            // A forger swaps one sibling of case 0's proof.
            try await world.execute(
                """
                UPDATE attestation SET proof = jsonb_set(proof, '{0}', \
                to_jsonb(\("0x" + String(repeating: "ab", count: 32))::text))
                WHERE id = \(batch.attestationIDs[0])
                """)
            // Case 3 is resolved and never attested; case 4 has only a request.
            try await world.execute(
                """
                INSERT INTO attestation (case_id, counsellor_id, status, version, requested_by)
                SELECT id, counsellor_id, 'requested', 1, 'sweep' FROM cases WHERE id = \(cases[4])
                """)
            let report = try await world.verifier().verify(VerificationSelection())
            let verdicts = Dictionary(uniqueKeysWithValues: report.results.map { ($0.caseID, $0.verdict) })
            #expect(
                verdicts == [
                    cases[0]: .proofInvalid, cases[1]: .verified, cases[2]: .verified,
                    cases[3]: .missing, cases[4]: .pending,
                ])
            #expect(report.summary.total == 5)

            // Demanding more confirmations than the chain has: unconfirmed.
            let strict = try await world.verifier(confirmations: 1_000_000).verify(
                VerificationSelection(caseID: cases[1]))
            #expect(strict.results.map(\.verdict) == [.unconfirmed])

            // The API's view is the same object verify --json prints.
            let service = DatabaseVerificationService(
                verifier: try world.verifier(),
                receipts: ReceiptBuilder(database: world.database, pseudonymKey: nil))
            let json = try #require(try await service.verification(caseID: cases[0]))
            #expect(json.verdict == "proof-invalid")
            #expect(try await service.verification(caseID: 987_654_321) == nil)
            let receipt = try await service.receipt(
                attestationID: batch.attestationIDs[1],
                issuedTo: .token(id: "test"))
            #expect(receipt?["format"] == "caseattest-receipt/v1")
            // The dev chain's profile names no explorer: no link anywhere.
            #expect(receipt?["links"] == nil && json["explorer_tx"] == nil)

            // A profile that names one: the verdict and the receipt link to the anchoring transaction.
            var profiles = ChainProfiles.builtIn
            profiles.add([
                ChainProfile(
                    chainID: world.chainID, name: "campus", finality: .blocks(2), feeModel: .auto, minimumTipWei: 0,
                    blockTime: 1, explorerTransaction: "https://explorer.campus.example/tx/{tx}",
                    explorerAddress: "https://explorer.campus.example/address/{address}")
            ])
            let linked = DatabaseVerificationService(
                verifier: try world.verifier(),
                receipts: ReceiptBuilder(database: world.database, pseudonymKey: nil, profiles: profiles))
            let verified = try #require(try await linked.verification(caseID: cases[1]))
            let tx = try #require(verified["tx_hash"]?.stringValue)
            #expect(verified["explorer_tx"]?.stringValue == "https://explorer.campus.example/tx/" + tx)
            let withLinks = try #require(
                try await linked.receipt(attestationID: batch.attestationIDs[1], issuedTo: .token(id: "test")))
            #expect(withLinks["links"]?["transaction"]?.stringValue == "https://explorer.campus.example/tx/" + tx)
            #expect(
                withLinks["links"]?["contract"]?.stringValue
                    == "https://explorer.campus.example/address/" + world.registry.lowercased)
            // Still a receipt every reader takes, and the same claim as without links.
            let parsed = try PortableReceipt(json: withLinks)
            #expect(parsed.localCheck() == nil && parsed.links != nil)
            #expect(try PortableReceipt(json: try #require(receipt)).claim == parsed.claim)
        }
    }

    @Test func aRootAnchoredByASecondRegistryIsNotAcceptedForTheFirst() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(3, appointments: 1)
            let second = try await VerifierWorld.deployRegistry(eth: world.eth, key: world.key, chainID: world.chainID)
            #expect(second != world.registry)
            let elsewhere = try await world.attest(cases, registry: second)
            try await world.mine(2)

            // The rows honestly name the second registry: wrong contract for the configured one.
            var report = try await world.verifier().verify(VerificationSelection())
            #expect(report.results.map(\.verdict) == [.wrongContract, .wrongContract, .wrongContract])
            // Verified against the registry that did anchor it, so the rows are otherwise sound.
            report = try await world.verifier(registry: second).verify(VerificationSelection())
            #expect(report.summary.allVerified)

            // A forger rewrites the rows to claim the configured registry: the
            // transaction went elsewhere and the registry never saw the root.
            try await world.execute(
                "UPDATE attestation SET contract_address = \(world.registry.lowercased) WHERE case_id = \(cases[0])")
            report = try await world.verifier().verify(VerificationSelection(caseID: cases[0]))
            let outcome = try #require(report.results.first?.outcome)
            #expect(outcome.verdict == .wrongContract)
            #expect(outcome.reason.contains(second.lowercased))

            // A transaction hash that never existed: not anchored.
            try await world.execute(
                """
                UPDATE attestation SET contract_address = \(second.lowercased), tx_hash = \
                \("0x" + String(repeating: "cd", count: 32))
                WHERE case_id = \(cases[1])
                """)
            report = try await world.verifier(registry: second).verify(VerificationSelection(caseID: cases[1]))
            #expect(report.results.map(\.verdict) == [.notAnchored])
            #expect(elsewhere.attestationIDs.count == 3)
        }
    }

    /// evm_revert on a shared chain would pull blocks from under other tests:
    /// this test starts a dev chain of its own.
    @Test func aReorgedAwayAnchorIsNotAnchored() async throws {
        guard TestEnvironment.requireDatabase() != nil else { return }
        try await DedicatedDevChain.with { chain in try await reorg(on: chain) }
    }

    private func reorg(on chain: LoopbackHelper) async throws {
        let devKey = try PrivateKey(hex: TestEnvironment.devKeyHex)
        try await VerifierWorld.with(rpcURL: chain.url, key: devKey) { world in
            let cases = try await world.seedCases(2, appointments: 1)
            let kept = try await world.attest([cases[0]])
            let snapshot = SnapshotBox()
            let reorged = try await world.attest([cases[1]]) {
                snapshot.id = try await world.eth.rpc.call("evm_snapshot").stringValue
            }
            try await world.mine(2)
            var report = try await world.verifier().verify(VerificationSelection())
            #expect(report.results.map(\.verdict) == [.verified, .verified])

            let reverted = try await world.eth.rpc.call("evm_revert", [.string(try #require(snapshot.id))])
            #expect(reverted == .bool(true))
            try await world.mine(3)
            report = try await world.verifier().verify(VerificationSelection())
            #expect(report.results.map(\.verdict) == [.verified, .notAnchored])
            #expect(report.results.last?.outcome.reason.contains(Hex.encodePrefixed(reorged.txHash)) == true)
            #expect(kept.blockNumber < reorged.blockNumber)
        }
    }
}

final class SnapshotBox: @unchecked Sendable {
    var id: String?
}

/// `devchain/server.py --port 0 --block-time 1`, owned by one test.
enum DedicatedDevChain {
    static func start(arguments: [String] = ["--block-time", "1"]) async throws -> LoopbackHelper {
        try await LoopbackHelper.start(
            script: "devchain/server.py", arguments: ["--port", "0"] + arguments,
            marker: "devchain listening on ", name: "dedicated dev chain")
    }

    /// Runs `body` with a chain of its own, stopped afterwards whatever happens.
    static func with(
        arguments: [String] = ["--block-time", "1"], _ body: (LoopbackHelper) async throws -> Void
    ) async throws {
        let chain = try await start(arguments: arguments)
        do {
            try await body(chain)
        } catch {
            await chain.stop()
            throw error
        }
        await chain.stop()
    }
}

/// A Python helper of the tests (a dev chain, an RPC proxy) that prints
/// "<marker>URL ..." once it listens, owned by one test.
final class LoopbackHelper: @unchecked Sendable {
    let process: Process
    let url: String

    private init(process: Process, url: String) {
        self.process = process
        self.url = url
    }

    static func start(script: String, arguments: [String], marker: String, name: String) async throws -> LoopbackHelper
    {
        let root = VerifierWorld.repoRoot
        let process = Process()
        process.executableURL = root.appendingPathComponent(".venv/bin/python")
        process.arguments = [root.appendingPathComponent(script).path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Read the first line on a thread of its own: a blocking read must
        // not hold a cooperative thread.
        let reader = output.fileHandleForReading
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            Thread {
                var text = ""
                for _ in 0..<100 where !text.contains("\n") {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    text += String(decoding: chunk, as: UTF8.self)
                }
                continuation.resume(returning: text)
            }.start()
        }
        guard let range = line.range(of: marker),
            let url = line[range.upperBound...].split(whereSeparator: \.isWhitespace).first.map(String.init)
        else {
            process.terminate()
            throw CLI.CLIError(message: "\(name) did not start: \(line.prefix(200))")
        }
        return LoopbackHelper(process: process, url: url)
    }

    /// SIGTERM, then SIGKILL after 5 s: the server waits for open keep-alive
    /// connections on shutdown, and this process may still hold some.
    func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<50 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
