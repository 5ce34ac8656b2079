import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// Issue 6, "Done when" 5: a transaction that is not mined (a dev chain of
/// the test's own with automine and interval mining off) is replaced at the
/// same nonce with fees raised by at least 12.5%, never above
/// --max-fee-gwei; once mining resumes the case confirms.
struct DaemonFeeTests {
    static let gwei = UInt256(1_000_000_000)

    struct SignedHash {
        let hash: String
        let maxFee: UInt256
        let tip: UInt256
    }

    /// Every hash signed for the signer's anchor, oldest first.
    static func hashes(_ context: DaemonTestContext) async throws -> [SignedHash] {
        try await context.database.query(
            """
            SELECT h.tx_hash, h.max_fee_per_gas::text AS max_fee, h.max_priority_fee_per_gas::text AS tip
            FROM attestation_transaction_hash h JOIN attestation_transaction t ON t.id = h.transaction_id
            WHERE t.purpose = 'anchor' ORDER BY h.created_at, h.tx_hash
            """
        ).rows.map {
            SignedHash(
                hash: try $0.decode(String.self, "tx_hash"),
                maxFee: try UInt256(decimal: try $0.decode(String.self, "max_fee")),
                tip: try UInt256(decimal: try $0.decode(String.self, "tip")))
        }
    }

    /// A dedicated chain with a deployed registry, then mining stopped.
    static func stalledChain(_ context: DaemonTestContext) async throws -> (DaemonSigner, EthereumClient) {
        let chainURL = try await context.startDedicatedChain()
        let signer = try await context.makeSigner(rpcURL: chainURL)
        let eth = try context.ethereum(chainURL)
        #expect(try await eth.rpc.call("evm_setAutomine", [.bool(false)]) == .bool(true))
        #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(0)]) == .bool(true))
        return (signer, eth)
    }

    /// The fee fields of the transaction the chain mined.
    static func minedFees(_ eth: EthereumClient, _ hash: String) async throws -> (maxFee: UInt256, tip: UInt256)? {
        let json = try await eth.rpc.call("eth_getTransactionByHash", [.string(hash)])
        guard let maxFee = json["maxFeePerGas"]?.stringValue, let tip = json["maxPriorityFeePerGas"]?.stringValue else {
            return nil
        }
        return (try UInt256(hex: maxFee), try UInt256(hex: tip))
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aStuckAnchorIsReplacedWithHigherFeesUpToTheCeiling() async throws {
        try await DaemonTestContext.run { context in
            let (signer, eth) = try await Self.stalledChain(context)
            let ceilingGwei: UInt64 = 6
            let ceiling = UInt256(ceilingGwei) * Self.gwei
            try await context.seedCases(10)
            let options = DaemonOptions(
                batchWait: 0.3, confirmations: 2, replaceAfter: 1, rebroadcastAfter: 1,
                maxFeeGwei: ceilingGwei)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()

            // Replaced again and again until a further bump would cross the ceiling.
            let atCeiling = try await context.waitUntil("the fees to reach the ceiling", timeout: .seconds(60)) {
                daemon.output.contains("fees are at the ceiling")
            }
            context.check(atCeiling, "the daemon never reported the fees at the ceiling")
            let signed = try await Self.hashes(context)
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
            for hash in signed {
                context.check(
                    hash.maxFee <= ceiling && hash.tip <= hash.maxFee,
                    "\(hash.hash) offers \(hash.maxFee) above the ceiling \(ceiling)")
            }
            for (previous, next) in zip(signed, signed.dropFirst()) {
                // next >= previous * 1.125, in integers: next * 1000 >= previous * 1125.
                context.check(
                    next.maxFee * UInt256(1000) >= previous.maxFee * UInt256(1125),
                    "max fee rose from \(previous.maxFee) to only \(next.maxFee)")
                context.check(
                    next.tip * UInt256(1000) >= previous.tip * UInt256(1125),
                    "tip rose from \(previous.tip) to only \(next.tip)")
            }
            let nonces = try await context.int("SELECT count(DISTINCT nonce) AS n FROM attestation_transaction")
            context.check(nonces == 1, "replacements used \(nonces) nonces")

            // Mining resumes: one of the hashes is mined and the cases confirm.
            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
            let confirmed = try await context.waitUntil("confirmed once mining resumed", timeout: .seconds(40)) {
                try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'confirmed'") == 10
            }
            let counts1 = try await context.attestationCounts()
            context.check(confirmed, "not confirmed after mining resumed: \(counts1)")
            await daemon.terminate()
            let minedHash = try await context.database.query(
                "SELECT mined_hash FROM attestation_transaction WHERE purpose = 'anchor'"
            )
            .rows[0].decode(String?.self, "mined_hash")
            context.check(
                minedHash.map { hash in signed.contains { $0.hash == hash } } == true,
                "the mined hash is not one we signed")
            if let minedHash, let fees = try await Self.minedFees(eth, minedHash) {
                context.check(fees.maxFee <= ceiling, "the mined transaction offers \(fees.maxFee) > \(ceiling)")
            }
            try await context.checkEveryCaseConfirmedOnce(expected: 10)
            _ = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            try await context.checkNonces(signer, eth: eth)
        }
    }

    @Test(.timeLimit(.minutes(20)))  // includes the wait for a daemon slot
    func aCeilingThatAllowsNoBumpIsNeverCrossed() async throws {
        try await DaemonTestContext.run { context in
            let (signer, eth) = try await Self.stalledChain(context)
            // The lowest whole-gwei ceiling that still covers the next base fee plus the 1 gwei tip:
            // the first fees sit at (or within 12.5% of) it, so no replacement fits under it.
            let history = try await eth.feeHistory(blockCount: 1, rewardPercentiles: [50])
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

            try await context.seedCases(5)
            let options = DaemonOptions(
                batchWait: 0.3, confirmations: 2, replaceAfter: 1, rebroadcastAfter: 1,
                maxFeeGwei: ceilingGwei)
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let stuck = try await context.waitUntil("the stuck warning", timeout: .seconds(30)) {
                daemon.output.contains("fees are at the ceiling")
            }
            context.check(stuck, "the daemon never reported the transaction stuck at the ceiling")
            // Several replace-after periods pass with no replacement.
            try await Task.sleep(for: .seconds(5))
            let signed = try await Self.hashes(context)
            let replacements = try await context.int(
                "SELECT coalesce(sum(replacements), 0)::int AS n FROM attestation_transaction")
            context.check(
                signed.count == 1 && replacements == 0, "\(replacements) replacements, \(signed.count) hashes")
            for hash in signed {
                context.check(hash.maxFee <= ceiling, "\(hash.hash) offers \(hash.maxFee) above the ceiling \(ceiling)")
            }

            #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
            let confirmed = try await context.waitUntil("confirmed once mining resumed", timeout: .seconds(40)) {
                try await context.int("SELECT count(*) AS n FROM attestation WHERE status = 'confirmed'") == 5
            }
            let counts2 = try await context.attestationCounts()
            context.check(confirmed, "not confirmed after mining resumed: \(counts2)")
            await daemon.terminate()
            if let minedHash = try await context.database.query(
                "SELECT mined_hash FROM attestation_transaction WHERE purpose = 'anchor'"
            ).rows.first?.decode(String?.self, "mined_hash"),
                let fees = try await Self.minedFees(eth, minedHash)
            {
                context.check(fees.maxFee <= ceiling, "the mined transaction offers \(fees.maxFee) > \(ceiling)")
            }
            try await context.checkEveryCaseConfirmedOnce(expected: 5)
            try await context.checkNonces(signer, eth: eth)
        }
    }
}
