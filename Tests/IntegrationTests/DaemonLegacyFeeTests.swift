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
    static let gwei = UInt256(1_000_000_000)

    /// The gas price of the transaction the chain mined (a legacy transaction has no maxFeePerGas).
    static func minedGasPrice(_ eth: EthereumClient, _ hash: String) async throws -> (UInt256, Bool)? {
        let json = try await eth.rpc.call("eth_getTransactionByHash", [.string(hash)])
        guard let price = json["gasPrice"]?.stringValue else { return nil }
        return (try UInt256(hex: price), json["type"]?.stringValue == "0x0" && json["maxFeePerGas"] == nil)
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aStuckLegacyAnchorIsReplacedWithAHigherGasPriceUpToTheCeiling() async throws {
        try await DaemonTestContext.run { context in
            let chainURL = try await context.startDedicatedChain(arguments: ["--pre-london"])
            let signer = try await context.makeSigner(rpcURL: chainURL)
            let eth = try context.ethereum(chainURL)
            #expect(try await eth.block(.latest)?.baseFeePerGas == nil)
            #expect(try await eth.rpc.call("evm_setAutomine", [.bool(false)]) == .bool(true))
            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(0)]) == .bool(true))

            // The node suggests 1 gwei; 2 gwei leaves room for five bumps of 12.5% and no sixth.
            let ceilingGwei: UInt64 = 2
            let ceiling = UInt256(ceilingGwei) * Self.gwei
            try await context.seedCases(6)
            let options = DaemonOptions(
                batchWait: 0.3, confirmations: 2, replaceAfter: 1, rebroadcastAfter: 1,
                maxFeeGwei: ceilingGwei)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let atCeiling = try await context.waitUntil("the gas price to reach the ceiling", timeout: .seconds(60)) {
                daemon.output.contains("fees are at the ceiling")
            }
            context.check(atCeiling, "the daemon never reported the gas price at the ceiling")
            let signed = try await DaemonFeeTests.hashes(context)
            context.log("\(signed.count) legacy hashes signed; gas prices \(signed.map { "\($0.maxFee)" })")
            context.check(signed.count >= 2, "no replacement was signed (\(signed.count) hashes)")
            context.check(
                signed.first?.maxFee == Self.gwei,
                "the first gas price is \(signed.first?.maxFee ?? .zero), not the node's 1 gwei")
            for hash in signed {
                context.check(hash.maxFee <= ceiling, "\(hash.hash) offers \(hash.maxFee) above the ceiling \(ceiling)")
                context.check(hash.tip == hash.maxFee, "\(hash.hash) is not a one-price legacy transaction")
            }
            for (previous, next) in zip(signed, signed.dropFirst()) {
                context.check(
                    next.maxFee * UInt256(1000) >= previous.maxFee * UInt256(1125),
                    "gas price rose from \(previous.maxFee) to only \(next.maxFee)")
            }
            // A further bump would cross the ceiling.
            if let last = signed.last {
                context.check(
                    last.maxFee * UInt256(1125) > ceiling * UInt256(1000),
                    "stopped at \(last.maxFee) below the ceiling")
            }
            let nonces = try await context.int("SELECT count(DISTINCT nonce) AS n FROM attestation_transaction")
            context.check(nonces == 1, "replacements used \(nonces) nonces")

            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
            let confirmed = try await context.waitUntil("confirmed once mining resumed", timeout: .seconds(40)) {
                try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'confirmed'") == 6
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not confirmed after mining resumed: \(counts)")
            await daemon.terminate()
            let minedHash = try await context.database.query(
                "SELECT mined_hash FROM attestation_transaction WHERE purpose = 'anchor'"
            ).rows[0].decode(String?.self, "mined_hash")
            context.check(
                minedHash.map { hash in signed.contains { $0.hash == hash } } == true,
                "the mined hash is not one we signed")
            if let minedHash {
                let mined = try await Self.minedGasPrice(eth, minedHash)
                context.check(mined?.1 == true, "the mined anchor is not a legacy transaction")
                context.check(
                    mined.map { $0.0 <= ceiling } == true,
                    "the mined anchor pays \(String(describing: mined?.0))")
            }
            try await context.checkEveryCaseConfirmedOnce(expected: 6)
            _ = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            try await context.checkNonces(signer, eth: eth)
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
                try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'confirmed'") == 4
            }
            let counts = try await context.attestationCounts()
            context.check(confirmed, "not confirmed: \(counts)")
            await daemon.terminate()
            let signed = try await DaemonFeeTests.hashes(context)
            context.check(signed.count == 1, "\(signed.count) hashes signed: the first was not acceptable")
            context.check(signed.first?.tip == floor, "the tip is \(signed.first?.tip ?? .zero), not the 3 gwei floor")
            context.check(!daemon.output.contains("node refused"), "the node refused a transaction")
            try await context.checkEveryCaseConfirmedOnce(expected: 4)
            try await context.checkNonces(signer, eth: eth)
        }
    }
}
