import Postgres

/// A batch's place on the way to the chain.
public enum BatchStatus: String, Sendable, CaseIterable {
    case batched, signed, submitted, mined, confirmed, failed
}

/// A signed transaction's place; `confirmed` ones are watched until `final`.
public enum TransactionStatus: String, Sendable, CaseIterable {
    case signed, submitted, mined, confirmed, final, failed

    /// Still followed by the tracker.
    public static let open: [TransactionStatus] = [.signed, .submitted, .mined, .confirmed]
}

// Statuses are always bound as values, never spliced into SQL; an unknown
// value read back is refused by the decoders (and by the tables' CHECKs).
extension AttestationStatus: PostgresEncodable {
    public var postgresValue: PostgresValue { .text(rawValue) }
}

extension BatchStatus: PostgresEncodable {
    public var postgresValue: PostgresValue { .text(rawValue) }
}

extension TransactionStatus: PostgresEncodable {
    public var postgresValue: PostgresValue { .text(rawValue) }
}

/// A bound `text[]` of statuses, for `status = ANY(...)`.
struct StatusList<Status: RawRepresentable & Sendable>: PostgresEncodable where Status.RawValue == String {
    let statuses: [Status]

    init(_ statuses: [Status]) {
        self.statuses = statuses
    }

    var postgresValue: PostgresValue {
        // Raw values are lower-case identifiers: nothing to quote.
        .text("{" + statuses.map(\.rawValue).joined(separator: ",") + "}")
    }
}

extension PostgresRow {
    /// A status column, refusing values this build does not know.
    func decodeStatus<Status: RawRepresentable>(_ type: Status.Type, _ column: String) throws -> Status
    where Status.RawValue == String {
        let text = try decode(String.self, column)
        guard let status = Status(rawValue: text) else {
            throw PostgresError(.decoding, message: "\(column) has an unknown status")
        }
        return status
    }
}
