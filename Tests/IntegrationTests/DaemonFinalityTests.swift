import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 16: `--finality finalized` on the dev chain with `finalized` lagging
/// 8 blocks: an anchor however deep is not confirmed before its block is
/// finalized, and `caseattest verify --finality finalized` agrees.
struct DaemonFinalityTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func nothingIsConfirmedBeforeItsBlockIsFinalized() async throws {
        try await DaemonTestContext.run { context in
            // Automine only: the anchor is mined in a block of its own, and no
            // other block is mined until the test mines it.
            let chainURL = try await context.startDedicatedChain(arguments: ["--finalized-depth", "8"])
            let signer = try await context.makeSigner(rpcURL: chainURL)
            let eth = try context.ethereum(chainURL)
            try await context.seedCases(5)
            var options = DaemonOptions(batchWait: 0.3, confirmations: 2)
            options.extra = ["--finality", "finalized"]
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let mined = try await context.waitUntil("the anchor mined", timeout: .seconds(60)) {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction WHERE status = 'mined'") == 1
            }
            let countsAtMining = try await context.attestationCounts()
            try #require(context.check(mined, "the anchor was never mined: \(countsAtMining)"))
            let anchorBlock = UInt64(
                try await context.int(
                    "SELECT block_number::int AS n FROM attestation_transaction WHERE purpose = 'anchor'"))
            // Seven blocks on top: eight deep (far beyond --confirmations 2), one short of finalized.
            _ = try await eth.rpc.call("evm_mine", [.object(["blocks": .integer(7)])])
            let finalized = try #require(try await eth.block(.finalized)).number
            context.check(
                finalized + 1 == anchorBlock,
                "finalized is block \(finalized), the anchor's is \(anchorBlock)")
            // Several tracking passes (a pass every 0.25 s) see it and confirm nothing.
            try await Task.sleep(for: .seconds(4))
            let early = try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'")
            context.check(early == 0, "\(early) attestations confirmed before their block was finalized")
            let early2 = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE status = 'confirmed'")
            context.check(early2 == 0, "the anchor was confirmed before its block was finalized")

            _ = try await eth.rpc.call("evm_mine", [.object(["blocks": .integer(1)])])
            let confirmed = try await context.waitUntil("confirmed once finalized", timeout: .seconds(30)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == 5
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not confirmed after the anchor's block was finalized: \(counts)")
            // A finalized anchor is final by consensus: watching stops at once.
            let final = try await context.waitUntil("the anchor final", timeout: .seconds(30)) {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction WHERE status = 'final'") == 1
            }
            context.check(final, "the finalized anchor was not recorded final")
            await daemon.terminate()
            try await context.checkEveryCaseConfirmedOnce(expected: 5)
            _ = try await context.auditConfirmed(signer, confirmations: 9, eth: eth)
            try await context.checkNonces(signer, eth: eth)

            // The verifier honours the same finality (it reads the node's finalized block).
            let environment = [
                "PATH": "/usr/bin:/bin", "CASEATTEST_RPC_URL": chainURL, "DATABASE_URL": context.databaseURL,
                "CASEATTEST_CONTRACT": signer.contract.checksummed,
                "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID),
                "CASEATTEST_PSEUDONYM_KEY_FILE": signer.pseudonymKeyFile,
            ]
            let output = try await CLI.run(
                ["verify", "--all", "--json", "--finality", "finalized"],
                environment: environment)
            let verdicts = try CLI.verdicts(output)
            context.check(
                output.status == 0 && verdicts.summary["verified"] == 5,
                "verify --finality finalized: status \(output.status), \(verdicts.summary)")
            let refused = try await CLI.run(["verify", "--all", "--finality", "blocks:0"], environment: environment)
            context.check(
                refused.status != 0 && refused.stderr.contains("finality"),
                "verify took --finality blocks:0: \(refused.stderr.prefix(300))")
        }
    }
}
