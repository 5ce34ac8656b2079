import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 6, "Done when" 5: a transaction that is not mined (a dev chain of
/// the test's own with automine and interval mining off) is replaced at the
/// same nonce with fees raised by at least 12.5%, never above
/// --max-fee-gwei; once mining resumes the case confirms. EIP-1559 here;
/// the run they share with the legacy suite is `StuckAnchor`.
struct DaemonFeeTests {
    static let gwei = StuckAnchor.gwei

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aStuckAnchorIsReplacedWithHigherFeesUpToTheCeiling() async throws {
        try await DaemonTestContext.run { context in
            let run = try await StuckAnchor.start(context)
            let ceilingGwei: UInt64 = 6
            let ceiling = UInt256(ceilingGwei) * Self.gwei
            let options = StuckAnchor.options(ceilingGwei: ceilingGwei)
            // Replaced again and again until a further bump would cross the ceiling.
            let daemon = try await run.runUntilAtCeiling(
                cases: 10, options: options, what: "the fees to reach the ceiling")
            let signed = try await StuckAnchor.hashes(context)
            let replacements = try await context.int(
                "SELECT replacements AS n FROM attestation_transaction WHERE purpose = 'anchor'")
            context.log(
                """
                \(signed.count) hashes signed, \(replacements) replacements; fees \
                \(signed.map { "\($0.maxFee)/\($0.tip)" })
                """
            )
            context.check(
                replacements > 0 && replacements == signed.count - 1,
                "\(replacements) replacements for \(signed.count) hashes")
            // Both fields rise: a replacement with only a higher max fee is refused by nodes.
            try await run.checkReplacements(
                signed, ceiling: ceiling, raising: [("max fee", \.maxFee), ("tip", \.tip)])
            let mined = try await run.resumeAndConfirm(daemon, cases: 10, ceiling: ceiling, options: options)
            context.check(mined?.legacy == false, "the mined anchor is not an EIP-1559 transaction")
        }
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aCeilingThatAllowsNoBumpIsNeverCrossed() async throws {
        try await DaemonTestContext.run { context in
            let run = try await StuckAnchor.start(context)
            // The lowest whole-gwei ceiling that still covers the next base fee plus the 1 gwei tip:
            // the first fees sit at (or within 12.5% of) it, so no replacement fits under it.
            let history = try await run.eth.feeHistory(blockCount: 1, rewardPercentiles: [50])
            let nextBase = try #require(history.baseFeePerGas.last)
            let needed = nextBase + Self.gwei
            let ceilingGwei = ((needed + Self.gwei - UInt256(1)) / Self.gwei).uint64Value ?? 0
            let ceiling = UInt256(ceilingGwei) * Self.gwei
            let firstFee = min(nextBase * UInt256(2) + Self.gwei, ceiling)
            try #require(
                context.check(
                    firstFee * UInt256(1125) > ceiling * UInt256(1000),
                    "next base fee \(nextBase): no whole-gwei ceiling forbids every bump"))
            context.log("next base fee \(nextBase) wei; ceiling \(ceilingGwei) gwei")

            let options = StuckAnchor.options(ceilingGwei: ceilingGwei)
            let daemon = try await run.runUntilAtCeiling(
                cases: 5, options: options, what: "the stuck warning", timeout: .seconds(30))
            // Several replace-after periods pass with no replacement.
            try await Task.sleep(for: .seconds(5))
            let signed = try await StuckAnchor.hashes(context)
            let replacements = try await context.int(
                "SELECT coalesce(sum(replacements), 0)::int AS n FROM attestation_transaction")
            context.check(
                signed.count == 1 && replacements == 0, "\(replacements) replacements, \(signed.count) hashes")
            try await run.checkReplacements(signed, ceiling: ceiling, raising: [])
            try await run.resumeAndConfirm(daemon, cases: 5, ceiling: ceiling, options: options)
        }
    }
}
