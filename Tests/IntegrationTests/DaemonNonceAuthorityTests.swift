import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 16: one nonce authority. `caseattest contract attesters add`, run
/// with the daemon's key while the daemon anchors, takes its nonce from the
/// daemon's nonce table: no nonce is used twice and the nonces stay contiguous.
struct DaemonNonceAuthorityTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func attesterChangesBesideARunningDaemonShareItsNonces() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum(signer.rpcURL)
            try await context.seedCases(30)
            // Small batches: the daemon signs anchor after anchor while the commands run.
            let options = DaemonOptions(batchMax: 2, batchWait: 0.2, confirmations: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let anchoring = try await context.waitUntil("the first anchor signed", timeout: .seconds(60)) {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction WHERE purpose = 'anchor'") > 0
            }
            try #require(context.check(anchoring, "the daemon signed no anchor"))

            let environment = [
                "PATH": "/usr/bin:/bin", "DATABASE_URL": context.databaseURL, "CASEATTEST_RPC_URL": signer.rpcURL,
                "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID),
                "CASEATTEST_CONTRACT": signer.contract.checksummed,
                "CASEATTEST_PRIVATE_KEY_FILE": signer.keyFile,
            ]
            let attesters = try (0..<3).map { _ in try PrivateKey.generate().address }
            try await withThrowingTaskGroup(of: CLI.Output.self) { group in
                for attester in attesters {
                    group.addTask {
                        try await CLI.run(
                            ["contract", "attesters", "add", attester.checksummed],
                            environment: environment)
                    }
                }
                for try await output in group {
                    context.check(
                        output.status == 0 && output.stderr.contains("nonce table"),
                        "attesters add failed or used the node's nonce: \(output.status) "
                            + "\(output.stderr.suffix(600))")
                }
            }
            let admin = try await context.int(
                "SELECT count(*) AS n FROM attestation_transaction WHERE purpose = 'admin'")
            context.check(admin == 3, "\(admin) attester changes stored in the nonce table, expected 3")

            let confirmed = try await context.waitUntil("every case confirmed", timeout: .seconds(120)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == 30
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not all confirmed: \(counts)")
            await daemon.terminate()
            try await context.checkEveryCaseConfirmedOnce(expected: 30)
            // Contiguous stored nonces, each used once on chain by a hash we stored.
            try await context.checkNonces(signer, eth: eth)
            let interleaved = try await context.int(
                """
                SELECT count(*) AS n FROM attestation_transaction a
                WHERE a.purpose = 'admin' AND EXISTS (
                    SELECT 1 FROM attestation_transaction b WHERE b.purpose = 'anchor' AND b.nonce > a.nonce)
                """)
            context.log("\(interleaved) of 3 attester changes took a nonce below a later anchor's")
        }
    }
}
