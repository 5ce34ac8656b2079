import Attestation
import Logging
import Postgres

/// Turns "attest this case" into a `requested` row, whoever asks: the
/// backend (API), an operator (`caseattest attest`) or the resolved-case sweep.
public struct AttestationIntake: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// A new version was requested.
        case created(AttestationRecord)
        /// The case is already attested (or on its way) at its current content.
        case existing(AttestationRecord)
        case unknownCase
        case notResolved(status: String)
        /// The caller named a counsellor who is not the case's.
        case counsellorMismatch
    }

    /// Channel the daemon listens on for new requests.
    public static let workChannel = "caseattest_work"

    let database: PostgresPool
    let pseudonymKey: PseudonymKey
    let logger: Logger

    public init(database: PostgresPool, pseudonymKey: PseudonymKey, logger: Logger) {
        self.database = database
        self.pseudonymKey = pseudonymKey
        self.logger = logger
    }

    public func request(caseID: Int64, counsellorID: Int64? = nil, source: String) async throws -> Outcome {
        let key = pseudonymKey
        let outcome = try await database.transaction { connection in
            try Self.request(caseID: caseID, counsellorID: counsellorID, source: source, key: key, on: connection)
        }
        if case .created(let record) = outcome {
            logger.info("attestation requested", metadata: [
                "case_id": "\(caseID)", "version": "\(record.version)", "source": "\(source)",
            ])
        }
        return outcome
    }

    static func request(caseID: Int64, counsellorID: Int64?, source: String, key: PseudonymKey,
                        on connection: PostgresConnection) throws -> Outcome {
        // The case row lock serialises concurrent requests for one case, so
        // two callers never both create version n+1.
        let locked = try connection.query("SELECT status, counsellor_id FROM cases WHERE id = \(caseID) FOR UPDATE")
        guard let caseRow = locked.rows.first else { return .unknownCase }
        let status = try caseRow.decode(String.self, "status")
        guard status == "resolved" || status == "closed" else { return .notResolved(status: status) }
        let caseCounsellor = try caseRow.decode(Int64?.self, "counsellor_id")
        if let counsellorID, counsellorID != caseCounsellor { return .counsellorMismatch }

        let latest = try connection.query("""
            SELECT \(unescaped: AttestationRecord.columns) FROM caseattestation
            WHERE case_id = \(caseID) ORDER BY version DESC LIMIT 1
            """).rows.first.map(AttestationRecord.init(row:))
        if let latest, try isCurrent(latest, caseID: caseID, key: key, on: connection) {
            return .existing(latest)
        }
        let version = (latest?.version ?? 0) + 1
        let inserted = try connection.query("""
            INSERT INTO caseattestation (case_id, counsellor_id, version, status, requested_by)
            VALUES (\(caseID), \(caseCounsellor), \(version), 'requested', \(source))
            RETURNING \(unescaped: AttestationRecord.columns)
            """)
        try connection.notify(channel: workChannel, payload: String(caseID))
        return .created(try AttestationRecord(row: inserted.rows[0]))
    }

    /// Whether `latest` already covers the case as it is now: pending work
    /// does, a failure does not, a committed one does when the document
    /// rebuilt with its salt has the same hash. An erased one does too: its
    /// case was deliberately unlinked and is not re-attested behind the
    /// operator's back.
    static func isCurrent(_ latest: AttestationRecord, caseID: Int64, key: PseudonymKey,
                          on connection: PostgresConnection) throws -> Bool {
        switch latest.status {
        case .failed: return false
        case .requested: return true
        default: break
        }
        guard let saltBytes = latest.salt, let stored = latest.contentHash else { return latest.erasedAt != nil }
        guard let snapshot = try CaseRows.load(ids: [caseID], on: connection)[caseID] else { return false }
        let salt = try Salt(bytes: saltBytes)
        return try snapshot.document(pseudonymKey: key, salt: salt).contentHash().hex == stored
    }
}
