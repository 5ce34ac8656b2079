import ArgumentParser
import Attestation
import Foundation

/// `caseattest util pseudonym --user ID`: the user_hash an operator holding
/// the pseudonym key would find in case documents.
struct UtilPseudonym: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pseudonym",
        abstract: "Print a user's pseudonym (user_hash) using the server's pseudonym key.",
        discussion: """
            user_hash = lowercase hex HMAC-SHA256(key, decimal user id). The key is read from the \
            file named by --key-file or by CASEATTEST_PSEUDONYM_KEY_FILE; it is never printed.
            """
    )

    static let keyFileVariable = "CASEATTEST_PSEUDONYM_KEY_FILE"

    @Option(name: .customLong("user"), help: "The numeric user id.")
    var userID: Int64

    @Option(help: "Pseudonym key file (default: $\(Self.keyFileVariable)).")
    var keyFile: String?

    func run() throws {
        let environmentPath = ProcessInfo.processInfo.environment[Self.keyFileVariable].flatMap {
            $0.isEmpty ? nil : $0
        }
        guard let path = keyFile ?? environmentPath else {
            UtilStreams.fail("pseudonym: no pseudonym key file: set \(Self.keyFileVariable) or pass --key-file")
        }
        do {
            let key = try PseudonymKey(contentsOfFile: path)
            UtilStreams.writeStandardOutput(key.userHash(for: userID) + "\n")
        } catch {
            UtilStreams.fail("pseudonym: \(error)")
        }
    }
}
