import ArgumentParser
import Attestation
import Foundation

/// A configuration problem found at start-up (unreadable key, wrong password):
/// said plainly on stderr, exit code 2, no usage text, no secret in the message.
func startupFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}

extension PseudonymOptions {
    /// For long-running commands: a missing or unreadable key ends start-up.
    func loadKey() throws -> PseudonymKey {
        do {
            return try load()
        } catch let failure as CommandFailure {
            throw startupFailure(failure.message)
        }
    }
}
