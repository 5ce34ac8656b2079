import Attestation
import EthereumRPC
import Foundation
import Logging
import Postgres

/// Turns "attest this case" into a `requested` row, whoever asks: the
/// backend (API), an operator (`caseattest attest`) or the resolved-case sweep.
public struct AttestationIntake: Sendable {
    /// Its records leave `attestedDocument` and `proof` unread (nil): no
    /// caller shows them (the API, `caseattest attest`, the sweep).
    public enum Outcome: Sendable, Equatable {
        /// A new version was requested.
        case created(AttestationRecord)
        /// The case is already attested (or on its way) at its current content.
        case existing(AttestationRecord)
        /// The case was erased (`caseattest forget`); it is attested again
        /// only when an operator asks with `afterErasure`.
        case erased(AttestationRecord)
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

    /// `afterErasure`: an operator's explicit request to attest a case that
    /// was erased; no other caller sets it.
    public func request(
        caseID: Int64, counsellorID: Int64? = nil, source: String,
        afterErasure: Bool = false
    ) async throws -> Outcome {
        let key = pseudonymKey
        // Most requests repeat one already covered: answer those from one
        // unlocked read, and take the case's lock only to create a version.
        // A case whose rows the quick read cannot decode (an infinite
        // timestamp) is answered by the locked path, which fails it alone.
        if let answered = try? await database.withConnection({ connection in
            try Self.peek(
                caseID: caseID, counsellorID: counsellorID, key: key, afterErasure: afterErasure,
                on: connection)
        }) {
            return answered
        }
        let outcome = try await database.transaction { connection in
            try Self.request(
                caseID: caseID, counsellorID: counsellorID, source: source, key: key,
                afterErasure: afterErasure, on: connection)
        }
        if case .created(let record) = outcome {
            logger.info(
                "attestation requested",
                metadata: [
                    "case_id": "\(caseID)", "version": "\(record.version)", "source": "\(source)",
                ])
        }
        return outcome
    }

    static func request(
        caseID: Int64, counsellorID: Int64?, source: String, key: PseudonymKey,
        afterErasure: Bool = false, on connection: PostgresConnection
    ) throws -> Outcome {
        // Serialises concurrent requests for one case, so two callers never
        // both create version n+1.
        try CaseLock.lock(caseID, on: connection)
        let locked = try connection.query(
            """
            SELECT status, counsellor_id, caseattest.is_attestable(status) AS attestable FROM cases WHERE id = \(caseID)
            """)
        guard let caseRow = locked.rows.first else { return .unknownCase }
        let status = try caseRow.decode(String.self, "status")
        guard try caseRow.decode(Bool.self, "attestable") else { return .notResolved(status: status) }
        let caseCounsellor = try caseRow.decode(Int64?.self, "counsellor_id")
        if let counsellorID, counsellorID != caseCounsellor { return .counsellorMismatch }

        let latest = try connection.query(
            """
            SELECT \(unescaped: AttestationRecord.columnsWithoutDocumentOrProof)
            FROM \(unescaped: AttestationRecord.view) WHERE case_id = \(caseID) ORDER BY version DESC LIMIT 1
            """
        ).rows.first.map(AttestationRecord.init(row:))
        let decision = try IntakeDecision.decide(latest: latest, afterErasure: afterErasure) {
            try latest.map { try matches($0, caseID: caseID, key: key, on: connection) } ?? false
        }
        switch (decision, latest) {
        case (.existing, let latest?):
            if source == "sweep" { try refreshFingerprint(latest, on: connection) }
            return .existing(latest)
        case (.erased, let latest?):
            return .erased(latest)
        case (.retryInPlace, let latest?):
            // A failure is tried again in place: same version, attempts kept.
            try PipelineStore.requeue(attestationIDs: [latest.id], now: Date(), on: connection)
            try connection.notify(channel: workChannel, payload: String(caseID))
            let again = try connection.query(
                """
                SELECT \(unescaped: AttestationRecord.columnsWithoutDocumentOrProof)
                FROM \(unescaped: AttestationRecord.view) WHERE id = \(latest.id)
                """)
            return .created(try AttestationRecord(row: again.rows[0]))
        default:
            break
        }
        let version = (latest?.version ?? 0) + 1
        let inserted = try connection.query(
            """
            INSERT INTO attestation (case_id, counsellor_id, version, status, requested_by)
            VALUES (\(caseID), \(caseCounsellor), \(version), 'requested', \(source))
            RETURNING \(unescaped: AttestationRecord.columnsWithoutDocumentOrProof)
            """)
        try connection.notify(channel: workChannel, payload: String(caseID))
        return .created(try AttestationRecord(row: inserted.rows[0]))
    }

    /// The outcome when it needs no write (unknown, not resolved, wrong
    /// counsellor, already covered), else nil. One unlocked query reads the
    /// case, its appointments and its latest attestation; a write still goes
    /// through `request`, which checks again under the case's lock.
    static func peek(
        caseID: Int64, counsellorID: Int64?, key: PseudonymKey, afterErasure: Bool = false,
        on connection: PostgresConnection
    ) throws -> Outcome? {
        let rows = try connection.query(
            """
            SELECT c.status AS case_status, caseattest.is_attestable(c.status) AS case_attestable,
                c.counsellor_id AS case_counsellor, c.user_id AS case_user,
                c.risk_level_at_creation AS case_risk, c.created_at AS case_created, c.resolved_at AS case_resolved,
                (SELECT coalesce(json_agg(json_build_array(a.id, (extract(epoch FROM a.scheduled_at) * 1000000)::bigint,
                                                           a.status, a.location_type) ORDER BY a.id), '[]')::text
                 FROM appointments a WHERE a.case_id = c.id) AS case_appointments,
                latest.*
            FROM cases c LEFT JOIN LATERAL (
                SELECT \(unescaped: AttestationRecord.columnsWithoutDocumentOrProof)
                FROM \(unescaped: AttestationRecord.view)
                WHERE case_id = c.id ORDER BY version DESC LIMIT 1
            ) latest ON true
            WHERE c.id = \(caseID)
            """
        ).rows
        guard let row = rows.first else { return .unknownCase }
        // Read by position (names cost a hash each): the order of the SELECT
        // above, which debug builds (the tests) check by name.
        assert(row.columns.map(\.name) == PeekColumn.names, "peek's columns moved")
        let status = try row.decode(String.self, at: PeekColumn.status)
        guard try row.decode(Bool.self, at: PeekColumn.attestable) else { return .notResolved(status: status) }
        let caseCounsellor = try row.decode(Int64?.self, at: PeekColumn.counsellor)
        if let counsellorID, counsellorID != caseCounsellor { return .counsellorMismatch }
        let columns = AttestationRecord.Columns(consecutiveFrom: PeekColumn.record)
        guard try row.decode(Int64?.self, at: columns.id) != nil else { return nil }
        let latest = try AttestationRecord(row: row, columns: columns)
        let snapshot = CaseSnapshot(
            record: CaseRecord(
                id: caseID, userID: try row.decode(Int64.self, at: PeekColumn.user), counsellorID: caseCounsellor,
                status: status,
                riskLevelAtCreation: try row.decode(Int64?.self, at: PeekColumn.risk),
                createdAt: Timestamp(try row.decode(PostgresTimestamp.self, at: PeekColumn.created)),
                resolvedAt: try row.decode(PostgresTimestamp?.self, at: PeekColumn.resolved).map(Timestamp.init)),
            appointments: try appointments(fromJSON: try row.decode(String.self, at: PeekColumn.appointments)))
        switch try IntakeDecision.decide(
            latest: latest, afterErasure: afterErasure,
            matchesCase: {
                try matches(latest, snapshot: snapshot, key: key)
            })
        {
        case .existing: return .existing(latest)
        case .erased: return .erased(latest)
        case .retryInPlace, .newVersion: return nil
        }
    }

    /// Where `peek`'s query puts each column.
    enum PeekColumn {
        static let (status, attestable, counsellor, user, risk, created, resolved) = (0, 1, 2, 3, 4, 5, 6)
        static let appointments = 7
        /// The latest attestation's columns, in `AttestationRecord.columns`' order.
        static let record = 8
        static let names =
            [
                "case_status", "case_attestable", "case_counsellor", "case_user", "case_risk", "case_created",
                "case_resolved", "case_appointments",
            ] + AttestationRecord.columnNames
    }

    /// `[[id, scheduled_at µs, status, location_type], ...]` as built by `peek`.
    static func appointments(fromJSON text: String) throws -> [AppointmentRecord] {
        try AppointmentSummary.parse(text) ?? decodedAppointments(fromJSON: text)
    }

    /// The general reading of `appointments(fromJSON:)`: any JSON (escaped
    /// strings, other number forms); every shape the quick one leaves.
    static func decodedAppointments(fromJSON text: String) throws -> [AppointmentRecord] {
        let entries = try JSONDecoder().decode([[JSON]].self, from: Data(text.utf8))
        return try entries.map { entry in
            guard entry.count == 4, case .integer(let id) = entry[0] else {
                throw PostgresError(.decoding, message: "appointment summary has an unexpected shape")
            }
            var scheduled: Timestamp?
            if case .integer(let micros) = entry[1] { scheduled = Timestamp(microsecondsSinceEpoch: micros) }
            return AppointmentRecord(
                id: id, scheduledAt: scheduled, status: entry[2].stringValue, locationType: entry[3].stringValue)
        }
    }

    /// Whether `latest`'s document, rebuilt from the case's rows with its
    /// salt, still has its content hash. A case whose rows cannot be read is
    /// covered by the row it has (its failure, if any, is retried in place).
    static func matches(
        _ latest: AttestationRecord, caseID: Int64, key: PseudonymKey,
        on connection: PostgresConnection
    ) throws -> Bool {
        let loaded = try CaseRows.loadEach(ids: [caseID], on: connection)
        if loaded.unreadable[caseID] != nil { return true }
        guard let snapshot = loaded.snapshots[caseID] else { return false }
        return try matches(latest, snapshot: snapshot, key: key)
    }

    /// The sweep found the case's rows changed but the document is the same
    /// (a column outside the document moved): remember the rows as seen.
    static func refreshFingerprint(_ latest: AttestationRecord, on connection: PostgresConnection) throws {
        try connection.query(
            """
            UPDATE attestation SET source_fingerprint = caseattest.case_fingerprint(case_id) WHERE id = \(latest.id)
            """)
    }

    /// A row with no salt (a legacy row) covers nothing.
    static func matches(_ latest: AttestationRecord, snapshot: CaseSnapshot, key: PseudonymKey) throws -> Bool {
        guard let saltBytes = latest.salt, let stored = latest.contentHash,
            let schema = CaseDocument.Schema(stored: latest.schemaVersion)
        else { return false }
        let salt = try Salt(bytes: saltBytes)
        return try snapshot.document(pseudonymKey: key, salt: salt, schema: schema).contentHash().hex == stored
    }
}
