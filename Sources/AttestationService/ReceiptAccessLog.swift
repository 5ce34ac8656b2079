import Foundation
import Postgres

/// Who a receipt was issued to. A receipt carries the salt that links a case
/// to its anchor and is beyond erasure once handed out, so every one issued
/// is recorded (`attestation_receipt_access`, `caseattest access-log`).
public enum ReceiptRecipient: Sendable, Hashable {
    /// An API token, by its id (never the token itself).
    case token(id: String)
    /// An operator running `caseattest receipt`.
    case operatorName(String)

    var channel: String {
        switch self {
        case .token: "api"
        case .operatorName: "cli"
        }
    }

    var accessor: String {
        switch self {
        case .token(let id): id
        case .operatorName(let name): name
        }
    }
}

/// The access log of issued receipts.
public struct ReceiptAccessLog: Sendable {
    public struct Entry: Sendable, Hashable {
        public let caseID: Int64
        public let attestationID: Int64
        /// "api" (accessor: token id) or "cli" (accessor: operator name).
        public let channel: String
        public let accessor: String
        public let accessedAt: Date
    }

    let database: PostgresPool

    public init(database: PostgresPool) {
        self.database = database
    }

    /// Records one receipt as issued; the caller hands the receipt out only
    /// after this returned.
    public func record(caseID: Int64, attestationID: Int64, to recipient: ReceiptRecipient) async throws {
        try await record(receipts: [(caseID, attestationID)], to: recipient)
    }

    /// Records many receipts as issued, in one statement (an archive's page):
    /// `receipts` are (case id, attestation id) pairs. The caller hands them
    /// out only after this returned; one it then fails to hand out stays
    /// logged, which errs on the side of the log.
    public func record(receipts: [(caseID: Int64, attestationID: Int64)], to recipient: ReceiptRecipient) async throws {
        guard !receipts.isEmpty else { return }
        // Integers only, so the array literals cannot carry anything but digits.
        let cases = "{" + receipts.map { String($0.caseID) }.joined(separator: ",") + "}"
        let attestations = "{" + receipts.map { String($0.attestationID) }.joined(separator: ",") + "}"
        try await database.query(
            """
            INSERT INTO attestation_receipt_access (case_id, attestation_id, channel, accessor)
            SELECT case_id, attestation_id, \(recipient.channel), \(String(recipient.accessor.prefix(200)))
            FROM unnest(\(cases)::bigint[], \(attestations)::bigint[]) AS r(case_id, attestation_id)
            """)
    }

    /// Newest first; `caseID` and `since` narrow it.
    public func entries(caseID: Int64? = nil, since: Date? = nil, limit: Int = 1000) async throws -> [Entry] {
        try await database.query(
            """
            SELECT case_id, attestation_id, channel, accessor, accessed_at FROM attestation_receipt_access
            WHERE (\(caseID)::bigint IS NULL OR case_id = \(caseID))
              AND (\(since)::timestamptz IS NULL OR accessed_at >= \(since))
            ORDER BY accessed_at DESC, id DESC LIMIT \(limit)
            """
        ).rows.map { row in
            Entry(
                caseID: try row.decode(Int64.self, "case_id"),
                attestationID: try row.decode(Int64.self, "attestation_id"),
                channel: try row.decode(String.self, "channel"), accessor: try row.decode(String.self, "accessor"),
                accessedAt: try row.decode(Date.self, "accessed_at"))
        }
    }
}
