import ArgumentParser
import AttestationService
import Ethereum
import Foundation
import PKCS11

/// The signer's key: a keystore plus password file, a raw key file, or (with
/// `--signer pkcs11`) a key that stays in a PKCS #11 token.
/// Flags first, then CASEATTEST_SIGNER, CASEATTEST_KEYSTORE (+ _PASSWORD_FILE),
/// CASEATTEST_PRIVATE_KEY_FILE or CASEATTEST_PKCS11_*.
struct SignerOptions: ParsableArguments {
    @Option(
        name: .customLong("signer"),
        help: "Where the signer's key is: file (keystore or key file) or pkcs11 (default: $CASEATTEST_SIGNER or file).")
    var kind: String?

    @OptionGroup var pkcs11: PKCS11Options

    @Option(name: .customLong("keystore"), help: "Keystore v3 file of the signer (default: $CASEATTEST_KEYSTORE).")
    var keystore: String?

    @Option(
        name: .customLong("password-file"),
        help: "File holding the keystore's password (default: $CASEATTEST_KEYSTORE_PASSWORD_FILE).")
    var passwordFile: String?

    @Option(
        name: .customLong("private-key-file"),
        help: "File holding the signer's key as hex, instead of a keystore (default: $CASEATTEST_PRIVATE_KEY_FILE).")
    var privateKeyFile: String?

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    func source() throws -> SignerKeySource {
        if let keystore = keystore ?? (privateKeyFile == nil ? Self.environment("CASEATTEST_KEYSTORE") : nil) {
            guard let passwordFile = passwordFile ?? Self.environment("CASEATTEST_KEYSTORE_PASSWORD_FILE") else {
                throw ValidationError("a keystore needs --password-file or CASEATTEST_KEYSTORE_PASSWORD_FILE")
            }
            return .keystore(path: keystore, passwordFile: passwordFile)
        }
        if let path = privateKeyFile ?? Self.environment("CASEATTEST_PRIVATE_KEY_FILE") {
            return .keyFile(path: path)
        }
        throw ValidationError(
            "no signer key: pass --keystore with --password-file, or --private-key-file "
                + "(or set CASEATTEST_KEYSTORE and CASEATTEST_KEYSTORE_PASSWORD_FILE, or CASEATTEST_PRIVATE_KEY_FILE)")
    }

    /// The configured signer: the file key, or the PKCS #11 token's key.
    func loadKey() throws -> any TransactionSigner {
        switch kind ?? Self.environment("CASEATTEST_SIGNER") ?? "file" {
        case "file": break
        case "pkcs11": return try pkcs11.openSigner()
        case let other: throw ValidationError("--signer must be file or pkcs11, not \(other)")
        }
        do {
            return try source().load()
        } catch let error as SignerKeySource.LoadError {
            throw startupFailure(error.description)
        }
    }
}

/// The registry's address: --contract or CASEATTEST_CONTRACT.
struct ContractOptions: ParsableArguments {
    @Option(name: .customLong("contract"), help: "Registry contract address (default: $CASEATTEST_CONTRACT).")
    var contract: String?

    func address() throws -> Address {
        guard let text = contract ?? ProcessInfo.processInfo.environment["CASEATTEST_CONTRACT"], !text.isEmpty else {
            throw ValidationError("no registry address: pass --contract or set CASEATTEST_CONTRACT")
        }
        do {
            return try Address(hex: text)
        } catch {
            throw ValidationError("--contract: \(error)")
        }
    }
}
