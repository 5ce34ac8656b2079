import ArgumentParser
import Attestation
import AttestationService
import Ethereum
import Foundation
import Logging

/// `caseattest verify`: is every attested case exactly what was attested,
/// anchored in the configured registry with enough confirmations?
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Verify attested cases against the database and the chain.",
        discussion: """
            For each case's latest attestation: rebuilds the document from the current rows and \
            the stored salt, hashes it, follows the stored proof to the batch root, then asks the \
            chain (once per root, batched): anchorOf(root) in the configured registry, the \
            transaction's receipt (status 1, sent to the registry, its Anchored log emitted by the \
            registry), the block still canonical with --confirmations, the chain id.

            Verdicts: verified, record-changed (naming the changed fields), proof-invalid, \
            not-anchored, tx-failed, wrong-contract, unconfirmed, pending, erased, missing \
            (resolved, never attested).

            Exit codes: 0 every case checked is verified; 1 some case is not; 2 usage or \
            infrastructure error (no database, no node, wrong chain).
            """)

    @Option(name: .customLong("case"), help: "Verify this case only.")
    var caseID: Int64?

    @Flag(help: "Verify every attested or resolved case.")
    var all = false

    @Option(help: "Only cases resolved on or after this date (YYYY-MM-DD, UTC, or an RFC 3339 time).")
    var since: String?

    @Option(help: "Only cases of this counsellor (user id).")
    var counsellor: Int64?

    @Flag(help: "Print one JSON document: {\"cases\": [...], \"summary\": {...}}.")
    var json = false

    @Option(help: "Blocks required on top of (and including) the anchoring block.")
    var confirmations: UInt64 = 2

    @Option(name: .customLong("metrics-file"),
            help: "Also write the outcome here in Prometheus text format (for node_exporter's textfile collector).")
    var metricsFile: String?

    @OptionGroup var service: ServiceOptions
    @OptionGroup var contract: ContractOptions
    @OptionGroup var pseudonym: PseudonymOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.verify")
        let report: VerificationReport
        do {
            let selection = try selection()
            let configuration = VerifierConfiguration(
                registry: try registry(), chainID: try service.resolvedChainID(), confirmations: confirmations,
                pseudonymKey: try pseudonym.load())
            let database = try service.databasePool(logger: logger)
            let rpc = try service.ethereumClient(logger: logger).rpc
            let verifier = Verifier(database: database, rpc: rpc, configuration: configuration, logger: logger)
            let progress = ProgressBar()
            defer { progress.finish() }
            do {
                report = try await verifier.verify(selection) { done, total in progress.update(done: done, total: total) }
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        } catch {
            if let metricsFile { try? VerifyMetricsFile.write(nil, to: metricsFile) }
            CommandFailure.exit("verify", error)
        }
        if let metricsFile {
            do { try VerifyMetricsFile.write(report.summary, to: metricsFile) } catch { CommandFailure.exit("verify", error) }
        }
        if json {
            print(report.json.canonicalString)
        } else {
            print(VerifyTable.render(report), terminator: "")
        }
        if !report.summary.allVerified { throw ExitCode(1) }
    }

    private func registry() throws -> Address {
        do {
            return try contract.address()
        } catch {
            throw CommandFailure(2, "\(error)")
        }
    }

    func selection() throws -> VerificationSelection {
        if caseID != nil && (all || since != nil || counsellor != nil) {
            throw CommandFailure(2, "--case cannot be combined with --all, --since or --counsellor")
        }
        if caseID == nil && !all && since == nil && counsellor == nil {
            throw CommandFailure(2, "say what to verify: --case ID, --all, --since DATE or --counsellor ID")
        }
        return VerificationSelection(caseID: caseID, resolvedSince: try since.map(Self.parseDate), counsellorID: counsellor)
    }

    static func parseDate(_ text: String) throws -> Date {
        if text.utf8.count == 10, let date = try? Timestamp(rfc3339: text + "T00:00:00.000000Z") {
            return Date(timeIntervalSince1970: Double(date.microsecondsSinceEpoch) / 1_000_000)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        if let date = formatter.date(from: text) { return date }
        throw CommandFailure(2, "--since: expected YYYY-MM-DD or an RFC 3339 time, got \"\(text.prefix(40))\"")
    }
}
