import Ethereum
import EthereumRPC
import Foundation
import Postgres
import Testing

/// What the fee suites (`DaemonFeeTests`: EIP-1559; `DaemonLegacyFeeTests`:
/// pre-London gasPrice) share: a dev chain of the test's own that mines
/// nothing, so the daemon's anchor is stuck and replaced; the checks on the
/// hashes it signed; then mining resumed, the cases confirmed and audited.
/// Each suite keeps only what differs (the chain's mode, the ceiling, which
/// fee field a bump must raise, what the mined transaction must be).
struct StuckAnchor {
    static let gwei = UInt256(1_000_000_000)

    struct SignedHash {
        let hash: String
        /// maxFeePerGas (for a legacy transaction: its gasPrice).
        let maxFee: UInt256
        /// maxPriorityFeePerGas (for a legacy transaction: its gasPrice again).
        let tip: UInt256
    }

    /// The fee fields of a transaction the chain mined.
    struct MinedFees {
        /// maxFeePerGas, or a legacy transaction's gasPrice: the most it may pay per gas.
        let price: UInt256
        let legacy: Bool
    }

    let context: DaemonTestContext
    let signer: DaemonSigner
    let eth: EthereumClient

    /// A dedicated chain (`chainArguments` added) with a deployed registry, then mining stopped.
    static func start(_ context: DaemonTestContext, chainArguments: [String] = []) async throws -> StuckAnchor {
        let chainURL = try await context.startDedicatedChain(arguments: chainArguments)
        let signer = try await context.makeSigner(rpcURL: chainURL)
        let eth = try context.ethereum(chainURL)
        #expect(try await eth.rpc.call("evm_setAutomine", [.bool(false)]) == .bool(true))
        #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(0)]) == .bool(true))
        return StuckAnchor(context: context, signer: signer, eth: eth)
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

    /// The daemon's options for a stuck anchor: replaced after 1 s under a ceiling of `ceilingGwei`.
    static func options(ceilingGwei: UInt64) -> DaemonOptions {
        DaemonOptions(batchWait: 0.3, confirmations: 2, replaceAfter: 1, rebroadcastAfter: 1, maxFeeGwei: ceilingGwei)
    }

    /// Seeds `cases` and starts a daemon with `options`; returns it once it
    /// reports the anchor's fees at the ceiling (checked, as `what`).
    func runUntilAtCeiling(
        cases: Int, options: DaemonOptions, what: String, timeout: Duration = .seconds(60)
    ) async throws -> ManagedProcess {
        try await context.seedCases(cases)
        let daemon = context.daemon(signer, options: options)
        try daemon.start()
        let atCeiling = try await context.waitUntil(what, timeout: timeout) {
            daemon.output.contains("fees are at the ceiling")
        }
        context.check(atCeiling, "the daemon never reported \(what)")
        return daemon
    }

    /// Every hash within `ceiling`; each replacement raises `field` (max fee,
    /// or tip) by at least 12.5%; every hash at the one nonce.
    func checkReplacements(
        _ signed: [SignedHash], ceiling: UInt256, raising fields: [(name: String, value: KeyPath<SignedHash, UInt256>)]
    ) async throws {
        for hash in signed {
            context.check(
                hash.maxFee <= ceiling && hash.tip <= hash.maxFee,
                "\(hash.hash) offers \(hash.maxFee) (tip \(hash.tip)) above the ceiling \(ceiling)")
        }
        for (previous, next) in zip(signed, signed.dropFirst()) {
            for field in fields {
                // next >= previous * 1.125, in integers: next * 1000 >= previous * 1125.
                context.check(
                    next[keyPath: field.value] * UInt256(1000) >= previous[keyPath: field.value] * UInt256(1125),
                    "\(field.name) rose from \(previous[keyPath: field.value]) to only \(next[keyPath: field.value])")
            }
        }
        let nonces = try await context.int("SELECT count(DISTINCT nonce) AS n FROM attestation_transaction")
        context.check(nonces == 1, "replacements used \(nonces) nonces")
    }

    /// Mining resumes: the `cases` confirm, by one of the hashes we signed,
    /// paying at most `ceiling`; then every audit. Returns the mined
    /// transaction's fees for what a suite checks beyond that.
    @discardableResult
    func resumeAndConfirm(
        _ daemon: ManagedProcess, cases: Int, ceiling: UInt256, options: DaemonOptions
    ) async throws -> MinedFees? {
        let signed = try await Self.hashes(context)
        #expect(try await eth.rpc.call("evm_setIntervalMining", [.integer(1)]) == .bool(true))
        let confirmed = try await context.waitUntil("confirmed once mining resumed", timeout: .seconds(40)) {
            try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") == cases
        }
        let counts = try await context.attestationCounts()
        context.check(confirmed, "not confirmed after mining resumed: \(counts)")
        await daemon.terminate()
        let minedHash = try await context.database.query(
            "SELECT mined_hash FROM attestation_transaction WHERE purpose = 'anchor'"
        ).rows.first?.decode(String?.self, "mined_hash")
        context.check(
            minedHash.map { hash in signed.contains { $0.hash == hash } } == true,
            "the mined hash is not one we signed")
        var mined: MinedFees?
        if let minedHash {
            mined = try await minedFees(minedHash)
            context.check(
                mined.map { $0.price <= ceiling } == true,
                "the mined anchor offers \(String(describing: mined?.price)) > \(ceiling)")
        }
        try await context.checkEveryCaseConfirmedOnce(expected: cases)
        _ = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
        try await context.checkNonces(signer, eth: eth)
        return mined
    }

    private func minedFees(_ hash: String) async throws -> MinedFees? {
        let json = try await eth.rpc.call("eth_getTransactionByHash", [.string(hash)])
        if let maxFee = json["maxFeePerGas"]?.stringValue {
            return MinedFees(price: try UInt256(hex: maxFee), legacy: false)
        }
        guard let price = json["gasPrice"]?.stringValue else { return nil }
        return MinedFees(price: try UInt256(hex: price), legacy: json["type"]?.stringValue == "0x0")
    }
}
