import ArgumentParser
import AttestationService
import Foundation
import Logging

/// `caseattest attest --case ID [--wait]`: request an attestation as an operator.
struct Attest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Request the attestation of a resolved or closed case.",
        discussion: """
            The running daemon picks the request up. With --wait, waits until it is confirmed \
            (exit 0) or failed (exit 1). Exit 2 for usage or infrastructure errors. A case that was \
            erased (`caseattest forget`) is attested again only with --after-erasure; nothing else \
            (notices, the sweep, the API) re-requests it.
            """)

    @OptionGroup var service: ServiceOptions
    @OptionGroup var pseudonym: PseudonymOptions

    @Option(name: .customLong("case"), help: "The case id.")
    var caseID: Int64

    @Flag(help: "Attest a case that was erased (a new version with a new salt).")
    var afterErasure = false

    @Flag(help: "Wait until the attestation is confirmed or failed.")
    var wait = false

    @Option(help: "Seconds to wait at most with --wait.")
    var timeout: Double = 300

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.attest")
        let database = try service.databasePool(logger: logger, maxConnections: 1)
        defer { Task { await database.close() } }
        let intake = AttestationIntake(database: database, pseudonymKey: try pseudonym.loadKey(), logger: logger)
        let outcome: AttestationIntake.Outcome
        do {
            outcome = try await intake.request(
                caseID: caseID, source: afterErasure ? "cli-after-erasure" : "cli",
                afterErasure: afterErasure)
        } catch {
            logger.error("cannot request the attestation", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
        let record: AttestationRecord
        switch outcome {
        case .created(let created):
            print("requested attestation \(created.id) (case \(caseID), version \(created.version))")
            record = created
        case .existing(let existing):
            print(
                """
                case \(caseID) is already attested at its current content: attestation \(existing.id), version \
                \(existing.version), \(existing.status.rawValue)
                """
            )
            record = existing
        case .erased(let erased):
            print(
                "case \(caseID) was erased (attestation \(erased.id), version \(erased.version)); "
                    + "to attest it again, ask with --after-erasure")
            throw ExitCode(1)
        case .unknownCase:
            print("no case \(caseID)")
            throw ExitCode(1)
        case .notResolved(let status):
            print("case \(caseID) is \(status); only resolved or closed cases are attested")
            throw ExitCode(1)
        case .counsellorMismatch:
            throw ExitCode(1)
        }
        guard wait else { return }
        let queries = AttestationQueries(database: database)
        let deadline = Date().addingTimeInterval(timeout)
        var current = record
        while !current.status.isFinal {
            guard Date() < deadline else {
                print("still \(current.status.rawValue) after \(Int(timeout)) s")
                throw ExitCode(1)
            }
            try await Task.sleep(for: .milliseconds(500))
            current = try await queries.attestation(id: record.id) ?? current
        }
        if current.status == .confirmed {
            print(
                """
                confirmed: content hash \(current.contentHash ?? "-"), tx \(current.txHash ?? "-"), block \
                \(current.blockNumber.map(String.init) ?? "-")
                """
            )
        } else {
            print("failed: \(current.lastError ?? "no reason recorded")")
            throw ExitCode(1)
        }
    }
}
