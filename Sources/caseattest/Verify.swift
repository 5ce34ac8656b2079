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
            (resolved, never attested), legacy (written before this service: not verifiable).

            Reconciliation (with --all, or --reconcile alone): every Anchored log of the registry \
            since its deployment is held against the database. Findings: deleted (an anchored \
            batch has fewer rows than leaves), unknown-anchor (a root our attester anchored that no \
            batch has), leaf-count-mismatch. Anchors by other attesters are listed, not findings.

            Exit codes: 0 every case checked is verified and there are no findings; 1 some case is \
            not, or there is a finding; 2 usage or infrastructure error (no database, no node, \
            wrong chain).
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

    @Flag(help: "Reconcile the chain's anchors with the database (implied by --all; alone: only that).")
    var reconcile = false

    @Option(
        name: .customLong("attester"),
        help:
            """
            An address this deployment anchors with (repeatable; also $CASEATTEST_ATTESTERS, comma-separated), besides \
            those recorded in attestation_signer.
            """
    )
    var attesters: [String] = []

    @Option(name: .customLong("log-range"), help: "Blocks per eth_getLogs request to start with (shrunk when refused).")
    var logRange: UInt64 = 10_000

    @Flag(help: "Show every version of each case, each verified, and the fields changed between versions.")
    var history = false

    @Flag(
        name: .customLong("problems-only"),
        help: "List only cases that are not verified (the summary still counts all).")
    var problemsOnly = false

    @Option(
        name: .customLong("confirmations"),
        help: "Blocks on top of (and including) the anchoring block (default: the chain profile's, else 2).")
    var confirmationsOption: UInt64?

    @Option(
        name: .customLong("finality"),
        help: """
            The daemon's finality: blocks:N, safe or finalized\
             (default: blocks:<confirmations>, else the profile's).
            """)
    var finality: Finality?

    @Option(
        name: .customLong("metrics-file"),
        help: "Also write the outcome here in Prometheus text format (for node_exporter's textfile collector).")
    var metricsFile: String?

    @OptionGroup var service: ServiceOptions
    @OptionGroup var contract: ContractOptions
    @OptionGroup var pseudonym: PseudonymOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.verify")
        var report: VerificationReport?
        var reconciliation: ReconciliationReport?
        var versions: HistoryReport?
        var profile: ChainProfile?
        do {
            let selection = try selection()
            let reconciling = reconcile || all
            profile = try service.chainProfile()
            let finality = Finality.resolved(
                explicit: self.finality, confirmations: confirmationsOption, profile: profile)
            var confirmations = confirmationsOption ?? 2
            if case .blocks(let count) = finality { confirmations = count }
            let configuration = VerifierConfiguration(
                registry: try registry(), chainID: try service.resolvedChainID(), confirmations: confirmations,
                pseudonymKey: try pseudonym.load(), finality: finality)
            let database = try service.databasePool(logger: logger)
            let rpc = try service.ethereumClient(logger: logger).rpc
            let verifier = Verifier(database: database, rpc: rpc, configuration: configuration, logger: logger)
            let progress = ProgressBar()
            defer { progress.finish() }
            do {
                // Reconciliation mostly waits on the node: it runs beside the cases.
                let reconciler =
                    reconciling
                    ? Reconciler(
                        database: database, rpc: rpc, registry: configuration.registry, chainID: configuration.chainID,
                        attesters: try attesterAddresses(), initialLogRange: max(1, logRange), logger: logger) : nil
                async let reconciled = reconciler?.reconcile()
                let latest: Result<VerificationReport?, Error>
                do {
                    // Verified cases are only counted when nothing shows them.
                    let keepVerified = !problemsOnly || history
                    if let selection {
                        latest = .success(
                            try await verifier.verify(
                                selection, keepVerified: keepVerified, progress: progress.updates))
                    } else {
                        latest = .success(nil)
                    }
                } catch {
                    latest = .failure(error)
                }
                // A reconciliation error is reported first, as when it ran first.
                reconciliation = try await reconciled
                report = try latest.get()
                if history, let selection, let report {
                    versions = try await verifier.history(selection, latest: report)
                }
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        } catch {
            if let metricsFile { try? VerifyMetricsFile.write(nil, to: metricsFile) }
            CommandFailure.exit("verify", error)
        }
        if let metricsFile, let summary = report?.summary {
            let findings = (reconciliation?.findings.count ?? 0) + (versions?.earlierProblems ?? 0)
            do {
                try VerifyMetricsFile.write(summary, findings: findings, to: metricsFile)
            } catch {
                CommandFailure.exit("verify", error)
            }
        }
        let shown = report.map { problemsOnly ? $0.problemsOnly : $0 }
        if json {
            print(VerifyJSON.document(shown, reconciliation, versions, explorer: profile).canonicalString)
        } else {
            if let shown { print(VerifyTable.render(shown), terminator: "") }
            if let shown, let versions { print(VerifyTable.render(versions, of: shown), terminator: "") }
            if let reconciliation { print(reconciliation.text, terminator: "") }
        }
        if report?.summary.allVerified == false || reconciliation?.hasFindings == true
            || (versions?.earlierProblems ?? 0) > 0
        {
            throw ExitCode(1)
        }
    }

    private func attesterAddresses() throws -> [Address] {
        let configured =
            ProcessInfo.processInfo.environment["CASEATTEST_ATTESTERS"].map {
                $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } ?? []
        return try (attesters + configured).map { text in
            do {
                return try Address(hex: text.lowercased())
            } catch {
                throw CommandFailure(2, "--attester: not an address")
            }
        }
    }

    private func registry() throws -> Address {
        do {
            return try contract.address()
        } catch {
            throw CommandFailure(2, "\(error)")
        }
    }

    /// nil: `--reconcile` alone, no cases to verify.
    func selection() throws -> VerificationSelection? {
        if caseID != nil && (all || since != nil || counsellor != nil) {
            throw CommandFailure(2, "--case cannot be combined with --all, --since or --counsellor")
        }
        if caseID == nil && !all && since == nil && counsellor == nil {
            if reconcile { return nil }
            throw CommandFailure(
                2, "say what to verify: --case ID, --all, --since DATE, --counsellor ID or --reconcile")
        }
        return VerificationSelection(
            caseID: caseID, resolvedSince: try since.map(Self.parseDate), counsellorID: counsellor)
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
