import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

@testable import AttestationService

/// Issue 16: an operator transaction (`admin` in the nonce table) that the
/// node refuses does not leave its nonce open. The last nonce allocated is
/// given back; one with later nonces after it is used up by a zero-value
/// self-transfer (the daemon's rule for a nonce it cannot use); one a daemon
/// already sent is left to the daemon.
struct OperatorNonceReleaseTests {
    /// `contract deploy` with a key the dev chain refuses for its funds.
    @Test func aRefusedDeployGivesItsNonceBackAndTheNextRunUsesIt() async throws {
        try await VerifierWorld.with { world in
            let (key, keyFile) = try Self.keyFile()
            defer { try? FileManager.default.removeItem(atPath: keyFile) }
            var environment = world.cliEnvironment()
            environment["CASEATTEST_PRIVATE_KEY_FILE"] = keyFile
            let signer = Hex.encodePrefixed(key.address.bytes)

            let refused = try await CLI.run(["contract", "deploy"], environment: environment)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("insufficient-funds"), "\(refused.stderr.suffix(600))")
            #expect(refused.stderr.contains("nonce 0 given back"), "\(refused.stderr.suffix(600))")
            let left = try await world.database.query(
                "SELECT count(*)::bigint AS n FROM attestation_transaction WHERE signer = \(signer)"
            ).rows[0].decode(Int64.self, "n")
            #expect(left == 0, "the refused transaction is still in the nonce table")
            let next = try await world.database.query(
                "SELECT next_nonce FROM attestation_signer WHERE signer = \(signer)"
            ).rows[0].decode(Int64.self, "next_nonce")
            #expect(next == 0)

            // Funded, the same command takes nonce 0 again: nothing open before it, nothing skipped.
            _ = try await DevFaucet.shared.fund(key, rpcURL: world.rpcURL)
            let deployed = try await CLI.run(["contract", "deploy"], environment: environment)
            #expect(deployed.status == 0, "\(deployed.stderr.suffix(600))")
            let nonces = try await world.database.query(
                """
                SELECT nonce FROM attestation_transaction WHERE signer = \(signer) AND purpose = 'admin' ORDER BY nonce
                """
            ).rows.map { try $0.decode(Int64.self, "nonce") }
            #expect(nonces == [0, 1], "deploy and setAttester at \(nonces)")
            #expect(try await world.eth.transactionCount(of: key.address, at: .latest) == 2)
        }
    }

    /// A fresh key (unfunded) and its hex key file (mode 0600).
    static func keyFile() throws -> (PrivateKey, String) {
        var secret = (0..<32).map { _ in UInt8.random(in: 0...255) }
        defer { for index in secret.indices { secret[index] = 0 } }
        let key = try PrivateKey(bytes: secret)
        let path = NSTemporaryDirectory() + "operator-\(UUID().uuidString).key"
        try Data((Hex.encode(secret) + "\n").utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return (key, path)
    }

    /// The dev chain suggests a 1 gwei tip; a profile whose floor is 2 gwei
    /// (as Polygon's is 25 gwei while its nodes have suggested less) wins.
    @Test func operatorTransactionsPayAtLeastTheProfilesFloor() async throws {
        try await VerifierWorld.with { world in
            let (key, keyFile) = try Self.keyFile()
            let profiles = NSTemporaryDirectory() + "floor-\(UUID().uuidString).conf"
            defer { for path in [keyFile, profiles] { try? FileManager.default.removeItem(atPath: path) } }
            try Data(
                """
                [chain \(world.chainID)]
                name = dev chain with a floor
                finality = blocks:2
                fee-model = auto
                min-tip-wei = 2000000000

                """.utf8
            ).write(to: URL(fileURLWithPath: profiles))
            _ = try await DevFaucet.shared.fund(key, rpcURL: world.rpcURL)
            var environment = world.cliEnvironment()
            environment["CASEATTEST_PRIVATE_KEY_FILE"] = keyFile
            environment["CASEATTEST_CHAIN_PROFILES"] = profiles
            #expect(try await world.eth.maxPriorityFeePerGas() == UInt256(1_000_000_000))
            let deployed = try await CLI.run(["contract", "deploy"], environment: environment)
            #expect(deployed.status == 0, "\(deployed.stderr.suffix(600))")
            let tips = try await world.database.query(
                """
                SELECT max_priority_fee_per_gas::text AS tip FROM attestation_transaction
                WHERE signer = \(Hex.encodePrefixed(key.address.bytes)) ORDER BY nonce
                """
            ).rows.map { try $0.decode(String.self, "tip") }
            #expect(tips == ["2000000000", "2000000000"], "deploy and setAttester tips: \(tips)")
        }
    }

    /// The three outcomes of `NonceTable.release`, against the dev chain.
    @Test func aRefusedNonceWithLaterOnesIsUsedUpByASelfTransfer() async throws {
        try await VerifierWorld.with { world in
            let table = NonceTable(database: world.database, chainID: world.chainID)
            let key = world.key
            let baseFee = try #require(try await world.eth.block(.latest)?.baseFeePerGas)
            let tip = UInt256(1_000_000_000)
            let fees = Fees(maxFeePerGas: baseFee * UInt256(2) + tip, maxPriorityFeePerGas: tip)
            let chainID = world.chainID
            let build: @Sendable (UInt64) -> UnsignedTransaction = { nonce in
                .eip1559(
                    UnsignedEIP1559Transaction(
                        chainId: chainID, nonce: nonce, maxPriorityFeePerGas: fees.maxPriorityFeePerGas,
                        maxFeePerGas: fees.maxFeePerGas, gasLimit: 30_000, to: key.address, value: UInt256(1),
                        data: [1, 2, 3]))
            }
            let pending = try await world.eth.transactionCount(of: key.address, at: .pending)
            // The refused one, then a later allocation (a daemon's anchor, another command) behind it.
            let (refusedID, refused) = try await table.allocateAndStore(
                pending: pending, key: key, fees: fees, build: build)
            let (laterID, later) = try await table.allocateAndStore(
                pending: pending, key: key, fees: fees, build: build)
            #expect(later.transaction.nonce == refused.transaction.nonce + 1)

            let outcome = try await table.release(
                transactionID: refusedID, key: key, cancelFees: fees, reason: "refused in a test")
            guard case .cancelled(let cancel) = outcome else {
                Issue.record("expected a cancel, got \(outcome)")
                return
            }
            #expect(cancel.transaction.nonce == refused.transaction.nonce)
            #expect(cancel.transaction.to == key.address && cancel.transaction.data.isEmpty)
            let row = try #require(
                try await world.database.query(
                    "SELECT purpose, tx_hash, status FROM attestation_transaction WHERE id = \(refusedID)"
                ).rows.first)
            #expect(try row.decode(String.self, "purpose") == "cancel")
            #expect(try row.decode(String.self, "tx_hash") == Hex.encodePrefixed(cancel.hash))
            #expect(try await table.hashes(of: refusedID) == [refused.hash, cancel.hash])

            // The cancel and the later transaction are both mined, at contiguous nonces.
            _ = try await world.eth.sendRawTransaction(cancel.rawBytes)
            _ = try await world.eth.sendRawTransaction(later.rawBytes)
            try await world.mine(1)
            let cancelled = try #require(try await world.eth.transactionReceipt(cancel.hash))
            let mined = try #require(try await world.eth.transactionReceipt(later.hash))
            #expect(cancelled.succeeded && mined.succeeded)
            #expect(try await world.eth.transactionCount(of: key.address, at: .latest) == pending + 2)

            // A row a daemon has sent is the daemon's: nothing is released.
            try await world.execute("UPDATE attestation_transaction SET first_sent_at = now() WHERE id = \(laterID)")
            let sent = try await table.release(transactionID: laterID, key: key, cancelFees: fees, reason: "test")
            guard case .followedByDaemon = sent else {
                Issue.record("a sent transaction was released: \(sent)")
                return
            }
            // The last one allocated is given back: the row goes, the nonce is the next again.
            let (lastID, last) = try await table.allocateAndStore(pending: pending, key: key, fees: fees, build: build)
            let given = try await table.release(transactionID: lastID, key: key, cancelFees: fees, reason: "test")
            guard case .givenBack = given else {
                Issue.record("the last nonce was not given back: \(given)")
                return
            }
            let next = try await world.database.query(
                """
                SELECT next_nonce FROM attestation_signer WHERE signer = \(Hex.encodePrefixed(key.address.bytes))
                """
            ).rows[0].decode(Int64.self, "next_nonce")
            #expect(next == Int64(last.transaction.nonce))
            #expect(try await table.hashes(of: lastID).isEmpty)
        }
    }
}
