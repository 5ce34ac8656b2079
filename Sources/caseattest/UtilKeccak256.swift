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

    func run() throws {
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
