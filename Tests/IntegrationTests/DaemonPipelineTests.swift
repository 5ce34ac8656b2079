import Ethereum
import Foundation
import Testing

/// Issue 6, "Done when" 1: the real `caseattest serve` takes 1,000 resolved
/// cases all the way to confirmed anchors.
struct DaemonPipelineTests {
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func thousandResolvedCasesEndUpConfirmedAndProvable() async throws {
        try await DaemonTestContext.run { context in
            let signer = try await context.makeSigner()
            let eth = try context.ethereum()
            try await context.seedCases(1_000)
            // A few cases that must not be attested.
            try await context.seedCases(20, status: "in_progress")
            let options = DaemonOptions(batchMax: 256, batchWait: 1, confirmations: 2)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            let done = try await context.waitUntil("1,000 confirmed", timeout: .seconds(150), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'confirmed'") >= 1_000
            }
            let counts = try await context.attestationCounts()
            context.check(done, "not all cases confirmed: \(counts)")
            context.log("attestations by status: \(counts)")
            let status = await daemon.terminate()
            context.check(status == 0, "the daemon exited with \(String(describing: status)) on SIGTERM")

            try await context.checkEveryCaseConfirmedOnce(expected: 1_000)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 1_000, "audited \(audited) confirmed rows")
            let batches = try await context.int(
                "SELECT count(*) AS n FROM attestation_batch WHERE status = 'confirmed'")
            context.check(batches >= 4, "\(batches) batches for 1,000 cases at --batch-max 256")
            let oversized = try await context.int("SELECT count(*) AS n FROM attestation_batch WHERE leaf_count > 256")
            context.check(oversized == 0, "batches above --batch-max")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)
            let untouched = try await context.int(
                """
                SELECT count(*) AS n FROM cases c JOIN attestation a ON a.case_id = c.id WHERE c.status = 'in_progress'
                """)
            context.check(untouched == 0, "\(untouched) in-progress cases were attested")
            context.log("\(audited) rows audited in \(batches) batches")
        }
    }
}
