import ArgumentParser
import Attestation
import Foundation

/// The server secret behind `user_hash`: read from a file, never logged.
struct PseudonymOptions: ParsableArguments {
    @Option(name: .customLong("pseudonym-key-file"),
            help: "File holding the pseudonym key (default: $CASEATTEST_PSEUDONYM_KEY_FILE).")
    var pseudonymKeyFile: String?

    func loadKey() throws -> PseudonymKey {
        guard let path = pseudonymKeyFile ?? ProcessInfo.processInfo.environment["CASEATTEST_PSEUDONYM_KEY_FILE"],
              !path.isEmpty
        else {
            throw ValidationError("no pseudonym key: pass --pseudonym-key-file or set CASEATTEST_PSEUDONYM_KEY_FILE")
        }
        do {
            return try PseudonymKey(contentsOfFile: path)
        } catch {
            throw startupFailure("pseudonym key \(path): \(error)")
        }
    }
}
