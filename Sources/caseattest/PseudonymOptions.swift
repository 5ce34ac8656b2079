import ArgumentParser
import Attestation
import Foundation

/// The pseudonym key: --pseudonym-key-file or CASEATTEST_PSEUDONYM_KEY_FILE.
struct PseudonymOptions: ParsableArguments {
    @Option(
        name: .customLong("pseudonym-key-file"),
        help: "File holding the pseudonym key (default: $CASEATTEST_PSEUDONYM_KEY_FILE).")
    var pseudonymKeyFile: String?

    var path: String? {
        if let pseudonymKeyFile, !pseudonymKeyFile.isEmpty { return pseudonymKeyFile }
        return ProcessInfo.processInfo.environment[UtilPseudonym.keyFileVariable].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The key; the error names the file, never its content.
    func load() throws -> PseudonymKey {
        guard let path else {
            throw CommandFailure(
                2, "no pseudonym key: pass --pseudonym-key-file or set \(UtilPseudonym.keyFileVariable)")
        }
        do {
            return try PseudonymKey(contentsOfFile: path)
        } catch {
            throw CommandFailure(2, error.message)
        }
    }

    /// The key when one is configured (commands that need it only sometimes).
    func loadIfConfigured() throws -> PseudonymKey? {
        path == nil ? nil : try load()
    }
}

/// A command's end with a chosen exit status and a message on stderr.
struct CommandFailure: Error, CustomStringConvertible {
    let status: Int32
    let message: String

    init(_ status: Int32, _ message: String) {
        self.status = status
        self.message = message
    }

    var description: String { message }

    /// Prints "caseattest COMMAND: message" and exits.
    static func exit(_ command: String, _ error: any Error) -> Never {
        let failure = error as? CommandFailure ?? CommandFailure(2, "\(error)")
        FileHandle.standardError.write(Data("caseattest \(command): \(failure.message)\n".utf8))
        Foundation.exit(failure.status)
    }
}

enum Terminal {
    static var standardInputIsTTY: Bool { isatty(STDIN_FILENO) == 1 }
    static var standardOutputIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var standardErrorIsTTY: Bool { isatty(STDERR_FILENO) == 1 }
}
