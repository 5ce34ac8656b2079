import ArgumentParser
import Attestation
import AttestationService
import Foundation
import Logging

/// `caseattest receipt --case ID`: the portable receipt of a case's latest
/// confirmed attestation, for an auditor to check with `verify-receipt`.
struct Receipt: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the self-contained JSON receipt of a case's latest confirmed attestation.",
        discussion: """
            The receipt (format caseattest-receipt/v1) holds the canonical case document with its \
            salt, the content hash, leaf, proof, root, chain id, contract, transaction hash, block \
            number and hash, leaf index and the block's time; where the chain profile names an \
            explorer, also `links` (explorer pages; informational, covered by no check but that they \
            name this receipt's transaction and contract). The document is pseudonymous but it \
            is the salt that lets anyone link it to the anchor: share receipts deliberately. \
            Check one with: caseattest verify-receipt FILE --rpc URL --contract ADDRESS

            With --all --out DIR: one receipt per case with a confirmed attestation (its latest), \
            named case-ID-vVERSION.json (mode 0600), read in keyset pages so memory stays bounded: \
            an auditor's offline archive, checked later with verify-receipt DIR.

            Every receipt written is recorded in the access log first (operator name, case, \
            time; see `caseattest access-log`): once handed out, a receipt is beyond erasure.

            Exit codes: 0 written; 1 no confirmed attestation, or erased; 2 usage or \
            infrastructure error.
            """)

    @Option(name: .customLong("case"), help: "The case id.")
    var caseID: Int64?

    @Flag(help: "Every case with a confirmed attestation, one file each in the --out directory.")
    var all = false

    @Option(help: "Write to this file (mode 0600) instead of standard output; with --all, a directory.")
    var out: String?

    @Option(
        name: .customLong("operator"),
        help: ArgumentHelp(
            "Who the receipt is issued to, for the access log "
                + "(default: $CASEATTEST_OPERATOR, else $USER, else uid:N)."))
    var operatorName: String?

    @OptionGroup var service: ServiceOptions
    @OptionGroup var pseudonym: PseudonymOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.receipt")
        if all {
            guard caseID == nil, let out else {
                CommandFailure.exit("receipt", CommandFailure(2, "--all needs --out DIR and no --case"))
            }
            return await ReceiptArchive.write(
                to: out, recipient: recipient, service: service, pseudonym: pseudonym,
                logger: logger)
        }
        guard let caseID else {
            CommandFailure.exit("receipt", CommandFailure(2, "say which: --case ID, or --all --out DIR"))
        }
        do {
            let database = try service.databasePool(logger: logger, maxConnections: 1)
            let builder = ReceiptBuilder(
                database: database, pseudonymKey: try pseudonym.loadIfConfigured(),
                profiles: try service.loadChainProfiles())
            let receipt: PortableReceipt?
            do {
                receipt = try await Self.latest(caseID, builder, to: recipient)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
            guard let receipt else { throw CommandFailure(1, "case \(caseID) has no confirmed attestation") }
            let text = receipt.json.canonicalString + "\n"
            if let out {
                try Self.write(text, to: out)
            } else {
                print(text, terminator: "")
            }
        } catch let error as VerifierError where error.code == .erased || error.code == .inconsistentRow {
            CommandFailure.exit("receipt", CommandFailure(1, error.message))
        } catch {
            CommandFailure.exit("receipt", error)
        }
    }

    static func latest(
        _ caseID: Int64, _ builder: ReceiptBuilder, to recipient: ReceiptRecipient
    )
        async throws -> PortableReceipt?
    {
        guard let id = try await builder.latestConfirmedAttestationID(caseID: caseID) else { return nil }
        return try await builder.issue(attestationID: id, to: recipient)
    }

    /// The operator named in the access log.
    var recipient: ReceiptRecipient {
        let environment = ProcessInfo.processInfo.environment
        let named = [operatorName, environment["CASEATTEST_OPERATOR"], environment["USER"], environment["LOGNAME"]]
            .compactMap { $0?.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty }
        return .operatorName(named ?? "uid:\(getuid())")
    }

    /// Owner-only: the receipt carries the salt.
    static func write(_ text: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw CommandFailure(2, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        handle.write(Data(text.utf8))
    }
}
