import ArgumentParser
import Ethereum
import Foundation

/// `caseattest util sign-tx`: JSON lines in, raw signed transactions out.
struct UtilSignTx: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign-tx",
        abstract: "Sign transactions given as JSON lines on stdin; print one 0x raw transaction per line.",
        discussion: """
            Each line is {"privateKey": "0x..", "transaction": {...}} with hex quantities: to, nonce, \
            gasLimit, value, data, chainId, and either maxFeePerGas/maxPriorityFeePerGas/accessList \
            (EIP-1559, type 2) or gasPrice (legacy with EIP-155; chainId required). A bad line is \
            reported on stderr by line number and skipped (nothing is printed for it on stdout); the \
            exit status is then 1. Keys never appear in messages. With --signer (file or pkcs11, \
            e.g. a key in an HSM) each line is {"transaction": {...}} and that signer signs it.
            """)

    @OptionGroup var signer: SignerOptions

    func run() throws {
        // Only an explicit --signer flag switches to a configured signer (not the environment).
        let configured = signer.kind == nil ? nil : try signer.loadKey()
        var lineNumber = 0
        var failures = 0
        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                let signed =
                    try configured.map { try SignTxRequest.sign(jsonLine: line, signer: $0) }
                    ?? SignTxRequest.sign(jsonLine: line)
                print(Hex.encodePrefixed(signed.rawBytes))
            } catch {
                failures += 1
                StandardError.write("line \(lineNumber): \(error)")
            }
        }
        if failures > 0 {
            StandardError.write("\(failures) of \(lineNumber) lines failed")
            throw ExitCode(1)
        }
    }
}

enum StandardError {
    static func write(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
