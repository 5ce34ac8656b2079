import Attestation
import AttestationService
import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Registry
import Testing

/// Chain-to-database reconciliation: what the database no longer names, the
/// registry's Anchored logs still show.
struct ReconciliationTests {
    @Test func aDeletedCaseAndAWholeBatchAreFoundAndAnErasedCaseIsNot() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(5, appointments: 1)
            let first = try await world.attest(Array(cases.prefix(3)))
            let second = try await world.attest(Array(cases.suffix(2)))
            try await world.mine(2)
            var report = try await world.reconciler().reconcile()
            #expect(report.anchors == 2)
            #expect(report.findings.isEmpty)

            // Erasure keeps a tombstone row: still counted, no finding.
            let erased = try await AttestationErasure(database: world.database).forget(caseID: cases[1])
            #expect(erased?.erased == 1)
            report = try await world.reconciler().reconcile()
            #expect(report.findings.isEmpty)
            #expect(report.tombstones == 1)
            // An insider removes case 0 entirely, and every row of the second batch.
            try await world.execute("DELETE FROM public.caseattestation WHERE case_id = \(cases[0])")
            try await world.execute("DELETE FROM attestation WHERE case_id = \(cases[0])")
            try await world.execute("DELETE FROM appointments WHERE case_id = \(cases[0])")
            try await world.execute("DELETE FROM cases WHERE id = \(cases[0])")
            try await world.execute(
                """
                DELETE FROM attestation WHERE batch_id = (SELECT id FROM attestation_batch WHERE root = \
                \(Hex.encodePrefixed(second.root)))
                """)

            report = try await world.reconciler().reconcile()
            #expect(report.count(.deleted) == 2)
            #expect(report.findings.count == 2)
            let byRoot = Dictionary(uniqueKeysWithValues: report.findings.map { ($0.anchor.root, $0) })
            let partial = try #require(byRoot[first.root])
            #expect(partial.kind == .deleted)
            #expect(partial.rowsFound == 2)
            // The erased row (position 1) has no position any more: it is counted, not placed.
            #expect(partial.missingLeafIndexes == [0, 1])
            #expect(partial.reason.contains("1 of them erased"))
            #expect(partial.anchor.leafCount == 3)
            #expect(partial.anchor.transactionHash == first.txHash)
            let whole = try #require(byRoot[second.root])
            #expect(whole.rowsFound == 0)
            #expect(whole.missingLeafIndexes == [0, 1])

            // The CLI: a finding fails the audit and is counted in the summary.
            let output = try await CLI.run(
                ["verify", "--all", "--json", "--attester", world.key.address.lowercased],
                environment: world.cliEnvironment())
            #expect(output.status == 1)
            let document = try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
            #expect(document["summary"]?["findings"] == 2)
            #expect(document["reconciliation"]?["summary"]?["deleted"] == 2)
            // The erased case is erased, not a finding of its own.
            let verdicts = try CLI.verdicts(output)
            #expect(verdicts.byCase[cases[1]]?.verdict == "erased")
            #expect(verdicts.byCase[cases[0]] == nil)

            // --problems-only: only what is not verified is listed; the summary still counts all.
            let problems = try await CLI.run(
                [
                    "verify", "--all", "--json", "--problems-only",
                    "--attester", world.key.address.lowercased,
                ], environment: world.cliEnvironment())
            #expect(problems.status == 1)
            let listed = try CLI.verdicts(problems)
            #expect(listed.byCase.keys.sorted() == [cases[1], cases[3], cases[4]])
            #expect(listed.summary["total"] == verdicts.summary["total"])
            #expect(listed.summary["verified"] == 1)
        }
    }

    @Test func anUnknownRootAndAMismatchedCountAreFindingsAnotherAttestersAnchorIsNot() async throws {
        try await VerifierWorld.with { world in
            let cases = try await world.seedCases(2, appointments: 1)
            let batch = try await world.attest(cases)
            // Our signer anchors a root the database never had.
            let sender = OneShotSender(
                ethereum: world.eth, key: world.key, chainID: world.chainID, logger: VerifierWorld.logger)
            let stray = [UInt8](repeating: 0x5a, count: 32)
            _ = try await sender.send(to: world.registry, data: try RegistryCalls.anchor(root: stray, leafCount: 7))
            // Another attester of the same registry anchors its own root.
            let other = try await DevFaucet.shared.fundedKey(rpcURL: world.rpcURL)
            _ = try await sender.send(
                to: world.registry, data: try RegistryCalls.setAttester(other.address, enabled: true))
            let neighbour = OneShotSender(
                ethereum: world.eth, key: other, chainID: world.chainID, logger: VerifierWorld.logger)
            let theirs = [UInt8](repeating: 0x77, count: 32)
            _ = try await neighbour.send(to: world.registry, data: try RegistryCalls.anchor(root: theirs, leafCount: 3))
            // The database's batch claims one leaf more than was anchored.
            try await world.execute(
                "UPDATE attestation_batch SET leaf_count = 3 WHERE root = \(Hex.encodePrefixed(batch.root))")
            try await world.mine(2)

            let report = try await world.reconciler().reconcile()
            #expect(report.anchors == 3)
            #expect(
                report.findings.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [
                    .leafCountMismatch, .unknownAnchor,
                ])
            let unknown = try #require(report.findings.first { $0.kind == .unknownAnchor })
            #expect(unknown.anchor.root == stray)
            #expect(unknown.anchor.leafCount == 7)
            #expect(unknown.anchor.attester == world.key.address)
            let mismatch = try #require(report.findings.first { $0.kind == .leafCountMismatch })
            #expect(mismatch.databaseLeafCount == 3)
            #expect(mismatch.anchor.leafCount == 2)
            #expect(report.foreignAnchors.map(\.root) == [theirs])
            #expect(report.foreignAnchors.first?.attester == other.address)
            #expect(!report.attesters.contains(other.address))

            // --reconcile alone, human output; our signer recorded as the daemon records it.
            try await world.execute(
                """
                INSERT INTO attestation_signer (chain_id, signer, next_nonce)
                VALUES (\(Int64(world.chainID)), \(world.key.address.lowercased), 0)
                """)
            let output = try await CLI.run(["verify", "--reconcile"], environment: world.cliEnvironment())
            #expect(output.status == 1)
            #expect(output.stdout.contains("FINDING unknown-anchor"))
            #expect(output.stdout.contains("FINDING leaf-count-mismatch"))
            #expect(output.stdout.contains("other attester \(other.address.lowercased)"))
            #expect(output.stdout.contains("2 findings"))
        }
    }

    /// Hosted providers refuse eth_getLogs over wide ranges: the scan shrinks
    /// its range and still finds every anchor. A dedicated chain, because
    /// thousands of blocks are mined.
    @Test func aProviderRefusingRangesOver1000BlocksIsScannedInSmallerRanges() async throws {
        guard TestEnvironment.requireDatabase() != nil else { return }
        let chain = try await DedicatedDevChain.start()
        var proxy: LoopbackHelper?
        do {
            proxy = try await LoopbackProxy.start(upstream: chain.url)
            let devKey = try PrivateKey(hex: TestEnvironment.devKeyHex)
            try await VerifierWorld.with(rpcURL: chain.url, key: devKey) { world in
                let cases = try await world.seedCases(4, appointments: 1)
                try await world.attest(Array(cases.prefix(2)))
                // 2,500 blocks, in calls short enough for the RPC timeout on a loaded machine.
                for _ in 0..<10 { _ = try await world.eth.rpc.call("evm_mine", [.object(["blocks": .string("0xfa")])]) }
                try await world.attest(Array(cases.suffix(2)))
                try await world.mine(2)

                let through = EthereumClient(
                    rpc: try JSONRPCClient(
                        configuration: .init(urls: [try #require(proxy?.url)]),
                        logger: VerifierWorld.logger))
                _ = try await through.rpc.call("proxy_setMode", [.string("max-log-range"), .string("1000")])
                let report = try await Reconciler(
                    database: world.database, rpc: through.rpc, registry: world.registry,
                    chainID: world.chainID, attesters: [world.key.address],
                    initialLogRange: 10_000, logger: VerifierWorld.logger
                ).reconcile()
                #expect(report.anchors == 2)
                #expect(report.findings.isEmpty)
                #expect(report.logRefusals >= 4)  // 10,000 -> 5,000 -> 2,500 -> 1,250 -> 625
                #expect(report.scannedTo - report.deploymentBlock > 2_500)
                let stats = try await through.rpc.call("proxy_stats")
                guard case .integer(let refused)? = stats["logs-refused"] else {
                    Issue.record("no proxy stats"); return
                }
                #expect(refused >= 4)

                // The deployment block was stored once and is reused.
                let stored = try await world.database.query(
                    """
                    SELECT deployment_block FROM attestation_registry_deployment WHERE contract_address = \
                    \(world.registry.lowercased)
                    """
                ).rows.first?.decode(Int64.self, "deployment_block")
                #expect(stored == Int64(report.deploymentBlock))

                var environment = world.cliEnvironment()
                environment["CASEATTEST_RPC_URL"] = try #require(proxy?.url)
                let output = try await CLI.run(["verify", "--reconcile", "--json"], environment: environment)
                #expect(output.status == 0, "\(output.stderr.prefix(400))")
                let document = try JSONValue.parse(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
                #expect(document["summary"]?["findings"] == 0)
                #expect(document["reconciliation"]?["summary"]?["anchors"] == 2)
            }
        } catch {
            await proxy?.stop()
            await chain.stop()
            throw error
        }
        await proxy?.stop()
        await chain.stop()
    }
}

extension VerifierWorld {
    func reconciler() -> Reconciler {
        Reconciler(
            database: database, rpc: eth.rpc, registry: registry, chainID: chainID,
            attesters: [key.address], logger: Self.logger)
    }
}

/// tests/support/rpc_proxy.py in front of a node, owned by one test.
enum LoopbackProxy {
    static func start(upstream: String) async throws -> LoopbackHelper {
        try await LoopbackHelper.start(
            script: "tests/support/rpc_proxy.py", arguments: ["--upstream", upstream],
            marker: "rpc proxy listening on ", name: "rpc proxy")
    }
}
