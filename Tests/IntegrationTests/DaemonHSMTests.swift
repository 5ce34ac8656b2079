import Ethereum
import Foundation
import Testing

/// Issue 19: the signer's key never leaves a PKCS #11 token (SoftHSM2 here).
/// The key is generated in the token by `keys new --pkcs11`, the registry is
/// deployed by `contract deploy --signer pkcs11`, and the daemon anchors
/// 1,000 cases with it through a SIGKILL and a restart.
struct DaemonHSMTests {
    /// A stand-in for the token's key in the audit helpers, which only need the address.
    struct TokenAddress: TransactionSigner {
        let address: Address
        func sign(hash: [UInt8]) throws -> Signature { throw HarnessError("the token key signs only inside the token") }
    }

    @Test(.timeLimit(.minutes(8)))
    func tokenKeyAnchorsAThousandCasesThroughASIGKILL() async throws {
        try await DaemonTestContext.run { context in
            guard let token = try HSMTestToken.make(in: context.directory) else { return }
            let binary = context.environment.binary
            let generated = try token.run(binary, ["keys", "new", "--pkcs11"] + token.flags())
            guard context.check(generated.status == 0, "keys new --pkcs11 failed: \(generated.error)") else { return }
            let address = try Address(hex: generated.output.trimmingCharacters(in: .whitespacesAndNewlines))
            for _ in 0..<2 {
                let again = try token.run(binary, ["keys", "address", "--pkcs11"] + token.flags())
                context.check(
                    again.output.trimmingCharacters(in: .whitespacesAndNewlines) == address.checksummed,
                    "keys address --pkcs11 printed \(again.output) \(again.error), not \(address.checksummed)")
            }
            let pin = try String(contentsOfFile: token.pinFile, encoding: .utf8).trimmingCharacters(
                in: .whitespacesAndNewlines)
            let wrong = try token.run(
                binary, ["keys", "address", "--pkcs11"] + token.flags(pinFile: token.wrongPinFile))
            context.check(
                wrong.status != 0 && wrong.error.contains("CKR_PIN_INCORRECT") && !wrong.error.contains("not-the-pin"),
                "wrong PIN: status \(wrong.status), stderr \(wrong.error)")
            let missing = try token.run(binary, ["keys", "address", "--pkcs11"] + token.flags(key: "no-such-key"))
            context.check(
                missing.status != 0 && missing.error.contains("no key pair labelled \"no-such-key\""),
                "missing key: status \(missing.status), stderr \(missing.error)")
            for result in [generated, wrong, missing] {
                context.check(
                    !result.output.contains(pin) && !result.error.contains(pin), "a PIN appeared in the output")
            }

            // The contract commands sign with the token too.
            try await DevFaucet.shared.fund(
                address: address, rpcURL: context.environment.rpcURL, wei: UInt256(10).power(20))
            let chain = [
                "CASEATTEST_RPC_URL": context.environment.rpcURL,
                "CASEATTEST_CHAIN_ID": String(TestEnvironment.chainID),
            ]
            let deployed = try token.run(
                binary, ["contract", "deploy", "--signer", "pkcs11"] + token.flags(), extra: chain)
            guard context.check(deployed.status == 0, "contract deploy --signer pkcs11 failed: \(deployed.error)")
            else { return }
            let contract = try Address(hex: deployed.output.trimmingCharacters(in: .whitespacesAndNewlines))
            let eth = try context.ethereum()
            let pseudonymKeyFile = context.directory + "/pseudonym.key"
            try (Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) }) + "\n")
                .write(toFile: pseudonymKeyFile, atomically: true, encoding: .utf8)
            let signer = DaemonSigner(
                key: TokenAddress(address: address), contract: contract, keyFile: "",
                pseudonymKeyFile: pseudonymKeyFile, rpcURL: context.environment.rpcURL,
                firstNonce: try await eth.transactionCount(of: address, at: .latest),
                firstBlock: try await eth.blockNumber())
            context.log("token signer \(address.checksummed), registry \(contract.checksummed)")

            try await context.seedCases(1_000, status: "in_progress")
            var options = DaemonOptions(batchMax: 50, batchWait: 0.3, confirmations: 2, sweepInterval: 2)
            options.extra = ["--signer", "pkcs11"] + token.flags()
            options.environment = token.environment
            let daemon = context.daemon(signer, options: options)
            try daemon.start()
            let started = ContinuousClock.now
            let line = try await daemon.waitForLine(containing: "caseattest daemon running", timeout: .seconds(60))
            context.check(line.contains(address.checksummed), "the daemon runs as another signer: \(line)")
            try await context.resolveCases(500)
            _ = try await context.waitUntil("some anchors signed", timeout: .seconds(60), every: .milliseconds(200)) {
                try await context.int("SELECT count(*) AS n FROM attestation_transaction") >= 3
            }
            let before = try await context.attestationCounts()
            await daemon.kill()
            context.log("SIGKILL with rows by status \(before)")
            try await context.resolveCases(500)
            try daemon.start()

            let done = try await context.waitUntil("1,000 confirmed", timeout: .seconds(240), every: .seconds(1)) {
                try await context.int("SELECT count(*) AS n FROM attestation_state WHERE status = 'confirmed'") >= 1_000
            }
            let elapsed = ContinuousClock.now - started
            let counts = try await context.attestationCounts()
            context.check(done, "not all cases confirmed with the token signer: \(counts)")
            context.log("1,000 cases confirmed with the token signer in \(elapsed) (incl. the kill and restart)")
            await daemon.terminate()

            try await context.checkEveryCaseConfirmedOnce(expected: 1_000)
            let audited = try await context.auditConfirmed(signer, confirmations: options.confirmations, eth: eth)
            context.check(audited == 1_000, "audited \(audited) confirmed rows")
            try await context.checkRootsAnchoredOnce(signer, eth: eth)
            try await context.checkNonces(signer, eth: eth)

            // Every stored transaction decodes (as `util decode-tx` does) to the token's address.
            let raws = try await context.database.query("SELECT raw FROM attestation_transaction").rows
                .map { try $0.decode([UInt8].self, "raw") }
            var recovered = 0
            for raw in raws where try SignedTransaction.decode(raw: raw).from == address { recovered += 1 }
            context.check(
                !raws.isEmpty && recovered == raws.count,
                "\(recovered) of \(raws.count) transactions recover to the token key")
            if let first = raws.first {
                let decoded = try token.run(binary, ["util", "decode-tx", Hex.encodePrefixed(first)])
                context.check(
                    decoded.output.lowercased().contains(address.checksummed.lowercased()),
                    "util decode-tx does not name the token address: \(decoded.output) \(decoded.error)")
            }
        }
    }
}
