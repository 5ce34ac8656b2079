import ArgumentParser
import Attestation
import AttestationService
import Foundation
import Logging

/// `caseattest receipt --all --out DIR`: one receipt file per case with a
/// confirmed attestation, written page by page (keyset on case id).
enum ReceiptArchive {
    static let pageSize = 1_000

    static func write(
        to directory: String, recipient: ReceiptRecipient, service: ServiceOptions,
        pseudonym: PseudonymOptions, logger: Logger
    ) async {
        var (written, erased, inconsistent) = (0, 0, 0)
        do {
            try createDirectory(directory)
            let database = try service.databasePool(logger: logger, maxConnections: 1)
            let builder = ReceiptBuilder(
                database: database, pseudonymKey: try pseudonym.loadIfConfigured(),
                profiles: try service.loadChainProfiles())
            let accessLog = ReceiptAccessLog(database: database)
            do {
                var after: Int64 = 0
                while true {
                    let (page, next) = try await builder.confirmedPage(afterCaseID: after, limit: pageSize)
                    // Logged before the page's files exist, in one statement:
                    // no receipt without its entry.
                    try await accessLog.record(
                        receipts: page.compactMap { entry in
                            guard case .success = entry.receipt else { return nil }
                            return (entry.caseID, entry.attestationID)
                        }, to: recipient)
                    for entry in page {
                        switch entry.receipt {
                        case .success(let receipt):
                            let path = (directory as NSString).appendingPathComponent(
                                "case-\(entry.caseID)-v\(entry.version).json")
                            try Receipt.write(receipt.json.canonicalString + "\n", to: path)
                            written += 1
                        case .failure(let error) where error.code == .erased:
                            erased += 1
                        case .failure(let error):
                            inconsistent += 1
                            FileHandle.standardError.write(
                                Data("caseattest receipt: case \(entry.caseID): \(error.message)\n".utf8))
                        }
                    }
                    guard let next else { break }
                    after = next
                }
            } catch {
                await database.close()
                throw error
            }
            await database.close()
        } catch {
            CommandFailure.exit("receipt", error)
        }
        print(
            "wrote \(written) receipts to \(directory)"
                + (erased == 0 ? "" : "; \(erased) erased cases have none")
                + (inconsistent == 0 ? "" : "; \(inconsistent) inconsistent attestations skipped"))
        if inconsistent > 0 { Foundation.exit(1) }
    }

    /// Owner-only: every receipt carries a salt.
    private static func createDirectory(_ path: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw CommandFailure(2, "--out \(path) exists and is not a directory") }
            return
        }
        guard mkdir(path, 0o700) == 0 else {
            throw CommandFailure(2, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }
}
