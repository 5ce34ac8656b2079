import ArgumentParser
import Attestation
import Foundation

/// `caseattest util canonicalize`: one JSON text on stdin, its RFC 8785
/// canonical form on stdout (no trailing newline).
struct UtilCanonicalize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "canonicalize",
        abstract: "Canonicalise one JSON text from stdin with RFC 8785 (JCS).",
        discussion: """
            Reads a single JSON text on standard input and writes its canonical form to standard \
            output without a trailing newline. Invalid JSON (including duplicate member names, \
            lone surrogates, invalid UTF-8, NaN/Infinity, numbers beyond a double, nesting deeper \
            than 512) is reported on standard error with exit code 1.
            """
    )

    @Flag(
        help:
            """
            Read one JSON text per stdin line; print its canonical form on one line, or `!` and the error for invalid \
            input.
            """
    )
    var lines = false

    func run() throws {
        if lines {
            var output: [UInt8] = []
            var input = UtilStreams.readStandardInput()
            if input.last == UInt8(ascii: "\n") { input.removeLast() }
            for line in input.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
                do {
                    output += try JSONValue.parse(Array(line)).canonicalBytes()
                } catch {
                    output += Array(
                        "!\(error)".utf8.map {
                            $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") ? UInt8(ascii: " ") : $0
                        })
                }
                output.append(UInt8(ascii: "\n"))
            }
            UtilStreams.writeStandardOutput(output)
            return
        }
        let input = UtilStreams.readStandardInput()
        do {
            let value = try JSONValue.parse(input)
            UtilStreams.writeStandardOutput(value.canonicalBytes())
        } catch {
            UtilStreams.fail("canonicalize: \(error)")
        }
    }
}

/// Byte-exact standard streams for the util subcommands.
enum UtilStreams {
    static func readStandardInput() -> [UInt8] {
        [UInt8](FileHandle.standardInput.readDataToEndOfFile())
    }

    static func writeStandardOutput(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func writeStandardOutput(_ text: String) {
        writeStandardOutput(Array(text.utf8))
    }

    /// Prints `message` on stderr and exits with status 1.
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        Foundation.exit(1)
    }
}
