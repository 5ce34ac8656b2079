import ArgumentParser
import Foundation
import PKCS11

/// A key in a PKCS #11 token (HSM): module, token label, key label and the
/// file holding the user PIN. Flags first, then CASEATTEST_PKCS11_MODULE,
/// _TOKEN, _KEY and _PIN_FILE. The PIN itself is never a flag.
struct PKCS11Options: ParsableArguments {
    @Option(
        name: .customLong("pkcs11-module"),
        help: "PKCS#11 module (.so) of the token, loaded at run time (default: $CASEATTEST_PKCS11_MODULE).")
    var module: String?

    @Option(name: .customLong("pkcs11-token"), help: "Label of the token (default: $CASEATTEST_PKCS11_TOKEN).")
    var token: String?

    @Option(
        name: .customLong("pkcs11-key"),
        help: "CKA_LABEL of the signer's key pair on the token (default: $CASEATTEST_PKCS11_KEY).")
    var key: String?

    @Option(
        name: .customLong("pkcs11-pin-file"),
        help: "File holding the token's user PIN (default: $CASEATTEST_PKCS11_PIN_FILE).")
    var pinFile: String?

    private static func environment(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }

    func configuration() throws -> PKCS11Configuration {
        let fields = [
            ("--pkcs11-module", "CASEATTEST_PKCS11_MODULE", module),
            ("--pkcs11-token", "CASEATTEST_PKCS11_TOKEN", token),
            ("--pkcs11-key", "CASEATTEST_PKCS11_KEY", key),
            ("--pkcs11-pin-file", "CASEATTEST_PKCS11_PIN_FILE", pinFile),
        ]
        var values: [String] = []
        for (flag, variable, given) in fields {
            guard let value = given ?? Self.environment(variable) else {
                throw ValidationError("a PKCS#11 signer needs \(flag) or \(variable)")
            }
            values.append(value)
        }
        return PKCS11Configuration(
            modulePath: values[0], tokenLabel: values[1], keyLabel: values[2], pinFile: values[3])
    }

    /// Opens the token's signer; a failure ends start-up (exit 2) with the
    /// token's error, which holds no PIN or key material.
    func openSigner() throws -> PKCS11Signer {
        do {
            return try PKCS11Signer(try configuration())
        } catch let error as PKCS11Error {
            throw startupFailure(error.description)
        }
    }
}
