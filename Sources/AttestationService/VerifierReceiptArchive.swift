import Attestation
import Foundation
import Postgres

/// One case's receipt for an archive, or why there is none.
public struct ArchivedReceipt: Sendable {
    public let caseID: Int64
    public let attestationID: Int64
    public let version: Int
    public let receipt: Result<PortableReceipt, VerifierError>
}

extension ReceiptBuilder {
    /// A keyset page: the latest confirmed attestation of each case among
    /// the attestation rows of the next `limit` case ids above `afterCaseID`
    /// (case order), and where the next page starts (nil: no rows are left).
    /// Memory stays bounded by the page, however many cases there are; a
    /// page may hold fewer receipts than `limit`. Legacy rows have none.
    public func confirmedPage(
        afterCaseID: Int64, limit: Int
    ) async throws -> (receipts: [ArchivedReceipt], next: Int64?) {
        let loaded = try await database.withConnection {
            connection -> ([VerifierRow], [Int64: CaseSnapshot], Int64?) in
            // The page's range first, from the (case_id, version) index: the
            // status is the view's, so without a range every page sorted all
            // the rows after it (an archive of 100,000 cases took minutes).
            guard
                let last = try connection.query(
                    """
                    SELECT max(case_id) AS last FROM (
                        SELECT case_id FROM attestation WHERE case_id > \(afterCaseID)
                        ORDER BY case_id LIMIT \(Int64(limit))) w
                    """
                ).rows.first?.decode(Int64?.self, "last")
            else { return ([], [:], nil) }
            let rows = try connection.query(
                """
                SELECT a.*, b.root AS batch_root FROM (
                    SELECT DISTINCT ON (case_id) \(unescaped: AttestationRecord.columns)
                    FROM \(unescaped: AttestationRecord.view)
                    WHERE status = 'confirmed' AND NOT legacy AND case_id > \(afterCaseID) AND case_id <= \(last)
                    ORDER BY case_id, version DESC) a
                LEFT JOIN attestation_batch b ON b.id = a.batch_id
                ORDER BY a.case_id
                """
            ).rows.map { row in
                VerifierRow(
                    record: try AttestationRecord(row: row), batchRoot: try row.decode(String?.self, "batch_root"))
            }
            // Only rows stored before attested_document existed need the case rows.
            let rebuild = rows.filter { $0.record.attestedDocument == nil && $0.record.salt != nil }.map(
                \.record.caseID)
            return (rows, try CaseRows.load(ids: rebuild, on: connection), last)
        }
        let receipts = loaded.0.map { row in
            let receipt: Result<PortableReceipt, VerifierError>
            do {
                receipt = .success(try build(row, snapshot: loaded.1[row.record.caseID]))
            } catch let error as VerifierError {
                receipt = .failure(error)
            } catch {
                receipt = .failure(VerifierError(.inconsistentRow, "attestation \(row.record.id) could not be built"))
            }
            return ArchivedReceipt(
                caseID: row.record.caseID, attestationID: row.record.id, version: row.record.version,
                receipt: receipt)
        }
        return (receipts, loaded.2)
    }
}
