import Attestation
import Postgres

/// A case row and its appointments: everything a case document is built
/// from. No other column of `users` (or any other table) is ever read.
public struct CaseSnapshot: Sendable, Hashable {
    public let record: CaseRecord
    public let appointments: [AppointmentRecord]

    public func document(pseudonymKey: PseudonymKey, salt: Salt) -> CaseDocumentV1 {
        CaseDocumentV1(record: record, appointments: appointments,
                       userHash: pseudonymKey.userHash(for: record.userID), salt: salt)
    }
}

public enum CaseRows {
    /// Loads cases and their appointments in two queries, whatever the count.
    public static func load(ids: [Int64], on connection: PostgresConnection) throws -> [Int64: CaseSnapshot] {
        guard !ids.isEmpty else { return [:] }
        // Integers only, so the array literal cannot carry anything but digits.
        let idArray = "{" + ids.map(String.init).joined(separator: ",") + "}"
        let cases = try connection.query("""
            SELECT id, user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at
            FROM cases WHERE id = ANY(\(idArray)::bigint[])
            """)
        let appointments = try connection.query("""
            SELECT id, case_id, scheduled_at, status, location_type
            FROM appointments WHERE case_id = ANY(\(idArray)::bigint[]) ORDER BY case_id, id
            """)
        var byCase: [Int64: [AppointmentRecord]] = [:]
        for row in appointments.rows {
            byCase[try row.decode(Int64.self, "case_id"), default: []].append(AppointmentRecord(
                id: try row.decode(Int64.self, "id"),
                scheduledAt: try row.decode(PostgresTimestamp?.self, "scheduled_at").map(Timestamp.init),
                status: try row.decode(String?.self, "status"),
                locationType: try row.decode(String?.self, "location_type")))
        }
        var result: [Int64: CaseSnapshot] = [:]
        for row in cases.rows {
            let id = try row.decode(Int64.self, "id")
            let record = CaseRecord(
                id: id, userID: try row.decode(Int64.self, "user_id"),
                counsellorID: try row.decode(Int64?.self, "counsellor_id"),
                status: try row.decode(String.self, "status"),
                riskLevelAtCreation: try row.decode(Int64?.self, "risk_level_at_creation"),
                createdAt: Timestamp(try row.decode(PostgresTimestamp.self, "created_at")),
                resolvedAt: try row.decode(PostgresTimestamp?.self, "resolved_at").map(Timestamp.init))
            result[id] = CaseSnapshot(record: record, appointments: byCase[id] ?? [])
        }
        return result
    }
}

extension Timestamp {
    init(_ value: PostgresTimestamp) {
        self.init(microsecondsSinceEpoch: value.microsecondsSinceEpoch)
    }
}
