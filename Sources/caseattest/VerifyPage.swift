import ArgumentParser
import AttestationAPI
import Foundation

/// `caseattest verify-page --out FILE`: writes the auditor's page, the same
/// bytes `caseattest serve` answers at GET /verify.
struct VerifyPage: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-page",
        abstract: "Write the auditor's verification page: one self-contained HTML file.",
        discussion: """
            The page verifies receipts entirely in the browser: it recomputes canonical document -> \
            content hash -> leaf -> root, then asks the JSON-RPC node the auditor types whether the \
            registry the auditor trusts anchored that root, with the verdicts and reasons of \
            verify-receipt. It makes no other request (no CDN, no server of ours), so it can be \
            opened straight from the file. The node must allow the page with CORS (geth: \
            --http.corsdomain; a provider: its allowed-origins setting). `caseattest serve` \
            serves the same file at GET /verify.

            Exit codes: 0 written; 2 the file cannot be written.
            """)

    @Option(help: "Write the page to this file (default: standard output).")
    var out: String?

    func run() throws {
        let bytes = Data(VerifyPageDocument.html.utf8)
        guard let out else {
            FileHandle.standardOutput.write(bytes)
            return
        }
        do {
            try bytes.write(to: URL(fileURLWithPath: out), options: .atomic)
        } catch {
            CommandFailure.exit("verify-page", CommandFailure(2, "cannot write \(out): \(error.localizedDescription)"))
        }
        print("wrote \(out) (\(bytes.count) bytes); open it in a browser")
    }
}
