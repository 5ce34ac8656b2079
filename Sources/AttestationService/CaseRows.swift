import Attestation
import Postgres

/// A case row and its appointments: everything a case document is built
/// from. No other column of `users` (or any other table) is ever read.
public struct CaseSnapshot: Sendable, Hashable {
    public let record: CaseRecord
    public let appointments: [AppointmentRecord]

    /// The document of `schema`: new attestations use `.current`; a stored
    /// one is rebuilt with the schema it was committed as.
    public func document(pseudonymKey: PseudonymKey, salt: Salt, schema: CaseDocument.Schema) -> CaseDocumentV1 {
        CaseDocumentV1(
            record: record, appointments: appointments,
            userHash: schema.userHash(key: pseudonymKey, caseID: record.id, userID: record.userID),
            salt: salt, schema: schema)
    }
}

public enum CaseRows {
    /// Loads cases and their appointments in two queries, whatever the count;
    /// throws when any row cannot be read.
    public static func load(ids: [Int64], on connection: PostgresConnection) throws -> [Int64: CaseSnapshot] {
        let loaded = try loadEach(ids: ids, on: connection)
        if let failure = loaded.unreadable.first { throw failure.value }
        return loaded.snapshots
    }

    /// Like `load`, but a case whose rows cannot be read (an infinite
    /// timestamp, say) is set aside with its error instead of failing the rest.
    public static func loadEach(
        ids: [Int64], on connection: PostgresConnection
    )
        throws -> (snapshots: [Int64: CaseSnapshot], unreadable: [Int64: Error])
    {
        guard !ids.isEmpty else { return ([:], [:]) }
        // Integers only, so the array literal cannot carry anything but digits.
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        // Joined against unnest(...) rather than filtered with `= ANY($1)`: a
        // bound array is searched linearly for every row of a scan, which
        // costs seconds on a large table whose statistics are stale.
        let cases = try connection.query(
            """
            SELECT c.id, c.user_id, c.counsellor_id, c.status, c.risk_level_at_creation, c.created_at, c.resolved_at
            FROM unnest(\(idArray)::bigint[]) AS wanted(id) JOIN cases c ON c.id = wanted.id
            """)
        let appointments = try connection.query(
            """
            SELECT a.id, a.case_id, a.scheduled_at, a.status, a.location_type
            FROM unnest(\(idArray)::bigint[]) AS wanted(id) JOIN appointments a ON a.case_id = wanted.id
            ORDER BY a.case_id, a.id
            """)
        return try snapshots(cases: cases, appointments: appointments)
    }

    /// `loadEach` of the cases with ids in `range`, read by range (one index
    /// range scan each, not a probe per id): `verify`'s pages of every case.
    static func loadEach(
        range: ClosedRange<Int64>, on connection: PostgresConnection
    ) throws -> (snapshots: [Int64: CaseSnapshot], unreadable: [Int64: Error]) {
        let (low, high) = (range.lowerBound, range.upperBound)
        let cases = try connection.query(
            """
            SELECT c.id, c.user_id, c.counsellor_id, c.status, c.risk_level_at_creation, c.created_at, c.resolved_at
            FROM cases c WHERE c.id BETWEEN \(low) AND \(high)
            """)
        let appointments = try connection.query(
            """
            SELECT a.id, a.case_id, a.scheduled_at, a.status, a.location_type
            FROM appointments a WHERE a.case_id BETWEEN \(low) AND \(high)
            ORDER BY a.case_id, a.id
            """)
        return try snapshots(cases: cases, appointments: appointments)
    }

    /// Snapshots from the rows of the two queries (appointments in case and id order).
    private static func snapshots(
        cases: PostgresQueryResult, appointments: PostgresQueryResult
    ) throws -> (snapshots: [Int64: CaseSnapshot], unreadable: [Int64: Error]) {
        var byCase: [Int64: [AppointmentRecord]] = [:]
        var unreadable: [Int64: Error] = [:]
        // Columns by position, found once per result rather than once per cell.
        if let first = appointments.rows.first {
            let (caseColumn, id, scheduledAt) = (
                try first.index(of: "case_id"), try first.index(of: "id"), try first.index(of: "scheduled_at")
            )
            let (status, locationType) = (try first.index(of: "status"), try first.index(of: "location_type"))
            func store(_ gathered: (caseID: Int64, appointments: [AppointmentRecord])) {
                if byCase[gathered.caseID] == nil {
                    byCase[gathered.caseID] = gathered.appointments
                } else {
                    byCase[gathered.caseID]?.append(contentsOf: gathered.appointments)
                }
            }
            // The rows come in case order: each case's appointments are
            // gathered whole and stored once, not appended through the table.
            var current: (caseID: Int64, appointments: [AppointmentRecord])?
            for row in appointments.rows {
                let caseID = try row.decode(Int64.self, at: caseColumn)
                if let done = current, done.caseID != caseID {
                    store(done)
                    current = nil
                }
                if current == nil {
                    current = (caseID, [])
                    current?.appointments.reserveCapacity(4)
                }
                do {
                    current?.appointments.append(
                        AppointmentRecord(
                            id: try row.decode(Int64.self, at: id),
                            scheduledAt: try row.decode(PostgresTimestamp?.self, at: scheduledAt).map(Timestamp.init),
                            status: try row.decode(String?.self, at: status),
                            locationType: try row.decode(String?.self, at: locationType)))
                } catch {
                    unreadable[caseID] = error
                }
            }
            if let done = current { store(done) }
        }
        var result: [Int64: CaseSnapshot] = [:]
        guard let first = cases.rows.first else { return (result, unreadable) }
        let (idColumn, user, counsellor) = (
            try first.index(of: "id"), try first.index(of: "user_id"), try first.index(of: "counsellor_id")
        )
        let (status, risk) = (try first.index(of: "status"), try first.index(of: "risk_level_at_creation"))
        let (created, resolved) = (try first.index(of: "created_at"), try first.index(of: "resolved_at"))
        result.reserveCapacity(cases.rows.count)
        for row in cases.rows {
            let id = try row.decode(Int64.self, at: idColumn)
            guard unreadable.isEmpty || unreadable[id] == nil else { continue }
            do {
                let record = CaseRecord(
                    id: id, userID: try row.decode(Int64.self, at: user),
                    counsellorID: try row.decode(Int64?.self, at: counsellor),
                    status: try row.decode(String.self, at: status),
                    riskLevelAtCreation: try row.decode(Int64?.self, at: risk),
                    createdAt: Timestamp(try row.decode(PostgresTimestamp.self, at: created)),
                    resolvedAt: try row.decode(PostgresTimestamp?.self, at: resolved).map(Timestamp.init))
                result[id] = CaseSnapshot(record: record, appointments: byCase[id] ?? [])
            } catch {
                unreadable[id] = error
            }
        }
        return (result, unreadable)
    }
}

extension Timestamp {
    init(_ value: PostgresTimestamp) {
        self.init(microsecondsSinceEpoch: value.microsecondsSinceEpoch)
    }
}
