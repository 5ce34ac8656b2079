import ArgumentParser
import Ethereum
import Foundation

/// `caseattest util decode-tx 0x...`: a raw signed transaction as JSON.
struct UtilDecodeTx: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-tx",
        abstract:
            "Decode a raw signed transaction (legacy EIP-155 or EIP-1559) and print it as JSON with from and hash.")

    @Argument(help: "The raw transaction, 0x-prefixed hex.")
    var raw: String

    func run() throws {
        let bytes: [UInt8]
        do { bytes = try Hex.decode(raw) } catch { throw ValidationError("not hex: \(error.description)") }
        let signed: SignedTransaction
        do throws(TransactionError) { signed = try SignedTransaction.decode(raw: bytes) } catch {
            StandardError.write(error.description)
            throw ExitCode(1)
        }
        let object = TransactionJSON.object(describing: signed)
        let json = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }
}
