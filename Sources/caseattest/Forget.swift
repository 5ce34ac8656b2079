import ArgumentParser
import AttestationService
import Foundation
import Logging

/// `caseattest forget --case ID`: erasure. Destroys the salts of the case's
/// attestations so the anchored roots can no longer be linked to it.
struct Forget: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Destroy the salts of a case's attestations (erasure; cannot be undone).",
        discussion: """
            For every attestation of the case, whatever its status: sets salt, attested_document, \
            content_hash, leaf, leaf_index and proof to NULL and records erased_at. A tombstone \
            (case, version, batch, erased_at) stays so batch counts reconcile. The roots stay on \
            chain, but nothing in the database links them to the case any more; `verify` then \
            reports the case as erased, and other cases in the same batches still verify. The \
            daemon never commits, batches or retries an erased attestation, and nothing re-requests \
            the case except `caseattest attest --case ID --after-erasure`. Receipts already issued, \
            backups, WAL archives and old row versions (until VACUUM) are beyond its reach: see \
            docs/privacy.md. Asks for confirmation on a terminal; without a terminal, --yes is required.

            Exit codes: 0 erased (or already erased); 1 no such case or not confirmed; 2 usage or \
            infrastructure error.
            """)

    @Option(name: .customLong("case"), help: "The case id.")
    var caseID: Int64

    @Flag(help: "Do not ask for confirmation.")
    var yes = false

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        service.bootstrapLogging()
        let logger = Logger(label: "caseattest.forget")
        do {
            try confirm()
            let database = try service.databasePool(logger: logger, maxConnections: 1)
            let result: AttestationErasure.Result?
            do {
                result = try await AttestationErasure(database: database).forget(caseID: caseID)
            } catch {
                await database.close()
                throw error
            }
            await database.close()
            guard let result else { throw CommandFailure(1, "no case \(caseID)") }
            logger.notice("salts destroyed", metadata: ["case_id": "\(caseID)", "erased": "\(result.erased)"])
            print(
                "case \(caseID): erased \(result.erased) attestation(s)"
                    + (result.alreadyErased > 0 ? ", \(result.alreadyErased) erased before" : ""))
        } catch {
            CommandFailure.exit("forget", error)
        }
    }

    private func confirm() throws {
        if yes { return }
        guard Terminal.standardInputIsTTY else {
            throw CommandFailure(2, "refusing to erase without --yes: standard input is not a terminal")
        }
        FileHandle.standardError.write(
            Data(
                """
                This destroys the salts of every attestation of case \(caseID). It cannot be undone: \
                the anchored records can never again be verified for this case.
                Type the case id (\(caseID)) to confirm: 
                """.utf8))
        let answer = readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
        guard answer == String(caseID) else { throw CommandFailure(1, "not confirmed; nothing erased") }
    }
}
