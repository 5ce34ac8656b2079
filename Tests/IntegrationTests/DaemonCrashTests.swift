import Ethereum
import Foundation
import Testing

/// Issue 6, "Done when" 2: `kill -9` at any instant loses nothing and
/// doubles nothing. Cases resolve in waves while the daemon is killed at 20
/// random moments and restarted, so the kills land in every pipeline step.
struct DaemonCrashTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func twentySIGKILLsDuringTwoThousandCasesLoseAndDoubleNothing() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            try await context.seedCases(2_000, status: "in_progress")
            // Small batches: many nonces, many transactions in flight to be killed under.
            let options = DaemonOptions(batchMax: 40, batchWait: 0.3, confirmations: 2, sweepInterval: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            var generator = SystemRandomNumberGenerator()
            var killedInStates: [String: Int] = [:]
            for kill in 1...20 {
                try await context.resolveCases(100)
                try await Task.sleep(for: .milliseconds(Int.random(in: 150...2_200, using: &generator)))
                let counts = try await context.attestationCounts()
                for (status, count) in counts where count > 0 && status != "confirmed" {
                    killedInStates[status, default: 0] += 1
                }
                await daemon.kill()
                context.log("SIGKILL \(kill)/20 (pid gone); rows by status then: \(counts)")
                if Bool.random(using: &generator) {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...500, using: &generator)))
                }
                try daemon.start()
            }
            context.log("kills landed with rows in states: \(killedInStates)")

            let done = try await context.waitUntil("2,000 confirmed", timeout: .seconds(120), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 2_000
            }
            let counts = try await context.attestationCounts()
            context.check(done, "not all cases confirmed after the kills: \(counts)")
            context.log("after the last restart: \(counts)")
            // Let the daemon see a couple more blocks: nothing may change any more.
            try await Task.sleep(for: .seconds(2))
            await daemon.terminate()

            try await context.checkEveryCaseConfirmedOnce(expected: 2_000)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 2_000, "audited \(audited) confirmed rows")
            let failedBatches = try await context.int(
                "SELECT count(*) AS n FROM attestation_batch WHERE status <> 'confirmed'")
            context.check(failedBatches == 0, "\(failedBatches) batches not confirmed")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            let batches = try await context.int("SELECT count(*) AS n FROM attestation_batch")
            context.log("\(audited) rows in \(batches) batches audited; daemon started \(daemon.starts) times")
        }
    }
}
