import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 16: chains without EIP-1559 and chains with a price floor.
/// - On the dev chain in pre-London mode the daemon anchors with legacy
///   (EIP-155 gasPrice) transactions; a stuck one is replaced at the same
///   nonce with the gas price raised by at least 12.5%, never above the ceiling.
/// - On a chain that refuses tips under a floor (--min-tip), the daemon's
///   --min-tip-gwei makes its first transaction acceptable.
struct DaemonLegacyFeeTests {
    static let gwei = StuckAnchor.gwei

    /// The stuck-anchor run of `DaemonFeeTests` (shared in `StuckAnchor`), on a chain with no base fee.
    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aStuckLegacyAnchorIsReplacedWithAHigherGasPriceUpToTheCeiling() async throws {
        try await DaemonTestContext.run { context in
            let run = try await StuckAnchor.start(context, chainArguments: ["--pre-london"])
            #expect(try await run.eth.block(.latest)?.baseFeePerGas == nil)
            // The node suggests 1 gwei; 2 gwei leaves room for five bumps of 12.5% and no sixth.
            let ceilingGwei: UInt64 = 2
            let ceiling = UInt256(ceilingGwei) * Self.gwei
            let options = StuckAnchor.options(ceilingGwei: ceilingGwei)
            let daemon = try await run.runUntilAtCeiling(
                cases: 6, options: options, what: "the gas price to reach the ceiling")
            let signed = try await StuckAnchor.hashes(context)
            context.log("\(signed.count) legacy hashes signed; gas prices \(signed.map { "\($0.maxFee)" })")
            context.check(signed.count >= 2, "no replacement was signed (\(signed.count) hashes)")
            context.check(
                signed.first?.maxFee == Self.gwei,
                "the first gas price is \(signed.first?.maxFee ?? .zero), not the node's 1 gwei")
            for hash in signed {
                context.check(hash.tip == hash.maxFee, "\(hash.hash) is not a one-price legacy transaction")
            }
            try await run.checkReplacements(signed, ceiling: ceiling, raising: [("gas price", \.maxFee)])
            // A further bump would cross the ceiling.
            if let last = signed.last {
                context.check(
                    last.maxFee * UInt256(1125) > ceiling * UInt256(1000),
                    "stopped at \(last.maxFee) below the ceiling")
            }
            let mined = try await run.resumeAndConfirm(daemon, cases: 6, ceiling: ceiling, options: options)
            context.check(mined?.legacy == true, "the mined anchor is not a legacy transaction")
        }
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aMinimumTipMakesTheFirstTransactionAcceptable() async throws {
        try await DaemonTestContext.run { context in
            let floor = UInt256(3) * Self.gwei
            // A block a second: confirmations advance after the anchor's block.
            let chainURL = try await context.startDedicatedChain(arguments: [
                "--min-tip", "\(floor)", "--block-time", "1",
            ])
            let signer = try await context.makeSigner(rpcURL: chainURL)
            let eth = try context.ethereum(chainURL)
            // Empty recent blocks: the fee history's tips are 0, so only the floor can set the tip.
            _ = try await eth.rpc.call("evm_mine", [.object(["blocks": .integer(6)])])
            let history = try await eth.feeHistory(blockCount: 5, rewardPercentiles: [50])
            #expect(history.reward.allSatisfy { $0 == [.zero] })

            try await context.seedCases(4)
            var options = DaemonOptions(
                batchWait: 0.3, confirmations: 2, replaceAfter: 30, rebroadcastAfter: 5,
                maxFeeGwei: 50)
            options.extra = ["--min-tip-gwei", "3"]
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let confirmed = try await context.waitUntil("confirmed", timeout: .seconds(60)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == 4
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not confirmed: \(counts)")
            await daemon.terminate()
            let signed = try await StuckAnchor.hashes(context)
            context.check(signed.count == 1, "\(signed.count) hashes signed: the first was not acceptable")
            context.check(signed.first?.tip == floor, "the tip is \(signed.first?.tip ?? .zero), not the 3 gwei floor")
            context.check(!daemon.output.contains("node refused"), "the node refused a transaction")
            try await context.checkEveryCaseConfirmedOnce(expected: 4)
            try await context.checkNonces(signer, eth: eth)
        }
    }
}
