import Ethereum
import Foundation
import Testing

/// Issue 6, "Done when" 6: two daemons on one database and one signer. Rows
/// are claimed with SKIP LOCKED and the chain work goes through the signer
/// lease, so no case is processed twice and no nonce is used twice, also
/// when the lease holder dies and the other takes over.
struct DaemonConcurrencyTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func twoDaemonsOnOneDatabaseNeverDoubleACaseOrANonce() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            try await context.seedCases(1_200, status: "in_progress")
            let options = DaemonOptions(batchMax: 50, batchWait: 0.3, confirmations: 2, sweepInterval: 2)
            let first = context.daemon(signer, options: options, label: "daemon-a")
            let second = context.daemon(signer, options: options, label: "daemon-b")
            try first.start()
            try second.start()

            for wave in 1...12 {
                try await context.resolveCases(100)
                try await Task.sleep(for: .milliseconds(400))
                if wave == 6 {
                    // Kill the lease holder mid-run: the other must take the lease over and
                    // carry on from the stored rows. Then bring it back.
                    let victim = second.output.contains("signer lease acquired") ? second : first
                    await victim.kill()
                    context.log("SIGKILL \(victim.label) at wave \(wave): \(try await context.attestationCounts())")
                    try await Task.sleep(for: .seconds(1))
                    try victim.start()
                }
            }
            let done = try await context.waitUntil("1,200 confirmed", timeout: .seconds(120), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 1_200
            }
            let counts = try await context.attestationCounts()
            context.check(done, "not all cases confirmed: \(counts)")
            await first.terminate()
            await second.terminate()

            try await context.checkEveryCaseConfirmedOnce(expected: 1_200)
            // Each batch's cases are distinct, and no case sits in two batches.
            let repeated = try await context.int(
                """
                SELECT count(*) AS n FROM (SELECT batch_id, case_id FROM attestation
                GROUP BY batch_id, case_id HAVING count(*) > 1) t
                """)
            context.check(repeated == 0, "\(repeated) cases repeated within a batch")
            let inTwoBatches = try await context.int(
                """
                SELECT count(*) AS n FROM (SELECT case_id FROM attestation GROUP BY case_id HAVING count(DISTINCT \
                batch_id) > 1) t
                """)
            context.check(inTwoBatches == 0, "\(inTwoBatches) cases in more than one batch")
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 1_200, "audited \(audited) confirmed rows")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            // Both daemons did pipeline work (commits and batches are not leased).
            for daemon in [first, second] {
                context.check(
                    daemon.output.contains("attestation worker started"), "\(daemon.label) never started its worker")
            }
            let leases = [first, second].filter { $0.output.contains("signer lease acquired") }.map(\.label)
            context.check(leases.count == 2, "the lease was not taken over after its holder died: held by \(leases)")
            context.log(
                """
                lease acquired by: \(leases); batches: \
                \(try await context.int("SELECT count(*) AS n FROM attestation_batch"))
                """
            )
        }
    }
}
