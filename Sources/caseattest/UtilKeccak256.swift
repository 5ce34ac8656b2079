import ArgumentParser
import Ethereum
import Foundation

/// `caseattest util keccak256`: Ethereum's Keccak-256 of stdin or of --hex bytes.
struct UtilKeccak256: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keccak256",
        abstract: "Print 0x + the Keccak-256 (Ethereum) hash of stdin, or of the bytes given with --hex.")

    @Option(help: "Hash these bytes (0x-prefixed hex) instead of reading stdin.")
    var hex: String?

    @Flag(
        help:
            """
            Read one 0x-prefixed hex input per stdin line and print one hash per line (for conformance checks in \
            bulk).
            """
    )
    var lines = false

    func run() throws {
        if lines {
            var output = ""
            for (number, line) in UtilStreams.readStandardInput().split(
                separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false
            ).enumerated() {
                if line.isEmpty { continue }
                let text = String(decoding: line, as: UTF8.self)
                do {
                    output += Hex.encodePrefixed(Keccak256.hash(try Hex.decode(text))) + "\n"
                } catch {
                    throw ValidationError("line \(number + 1): \(error.description)")
                }
            }
            UtilStreams.writeStandardOutput(output)
            return
        }
        var hasher = Keccak256()
        if let hex {
            do { hasher.update(try Hex.decode(hex)) } catch { throw ValidationError("--hex: \(error.description)") }
        } else {
            // Streamed in chunks so large inputs need no large buffer.
            let input = FileHandle.standardInput
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                hasher.update(chunk)
            }
        }
        print(Hex.encodePrefixed(hasher.finalize()))
    }
}
