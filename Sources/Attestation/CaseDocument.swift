/// The case document: what a content hash commits to. See
/// docs/canonical-form.md for the recipe an auditor follows.
public enum CaseDocument {
    public static let schemaV1 = "aicare.case-attestation/v1"
    public static let schemaV2 = "aicare.case-attestation/v2"

    /// The versions of the document. Their members are the same; they differ
    /// in `schema` and in how `user_hash` is made.
    public enum Schema: String, Sendable, Hashable, CaseIterable {
        /// `user_hash` = HMAC(key, user id): one value per student everywhere.
        case v1 = "aicare.case-attestation/v1"
        /// `user_hash` scoped to the case (`PseudonymKey.caseUserHash`): one
        /// student's cases carry unrelated values, so receipts do not link them.
        case v2 = "aicare.case-attestation/v2"

        /// What new attestations are committed as.
        public static let current = Schema.v2

        /// The schema a stored row was committed as: rows from before
        /// `schema_version` was written (NULL) are v1.
        public init?(stored: String?) {
            guard let stored else { self = .v1; return }
            self.init(rawValue: stored)
        }

        /// The pseudonym this schema puts in `user_hash`.
        public func userHash(key: PseudonymKey, caseID: Int64, userID: Int64) -> String {
            switch self {
            case .v1: key.userHash(for: userID)
            case .v2: key.caseUserHash(caseID: caseID, userID: userID)
            }
        }
    }

    /// Builds the v1 document (see `document(schema:...)`).
    public static func v1(
        case record: CaseRecord, appointments: [AppointmentRecord], userHash: String,
        salt: Salt
    ) throws(AttestationError) -> JSONValue {
        try document(schema: .v1, case: record, appointments: appointments, userHash: userHash, salt: salt)
    }

    /// Builds the document. Appointments are ordered by id here, whatever
    /// order the caller passes. `userHash` must be the schema's pseudonym (64
    /// lowercase hex digits, see `Schema.userHash`), never a raw user id.
    /// Throws for integers beyond ±2^53 (a JSON number is a double and would
    /// silently round) and for timestamps outside years 0000-9999.
    public static func document(
        schema: Schema, case record: CaseRecord, appointments: [AppointmentRecord],
        userHash: String, salt: Salt
    ) throws(AttestationError) -> JSONValue {
        try validate(userHash: userHash)
        let ordered = appointments.sorted { $0.id < $1.id }
        var appointmentValues: [JSONValue] = []
        appointmentValues.reserveCapacity(ordered.count)
        for appointment in ordered {
            // Members in canonical (sorted) order, so the writer need not sort.
            appointmentValues.append(
                .object([
                    ("id", try integer(appointment.id)),
                    ("location_type", optionalString(appointment.locationType)),
                    ("scheduled_at", try timestamp(appointment.scheduledAt)),
                    ("status", optionalString(appointment.status)),
                ]))
        }
        let caseValue: JSONValue = .object([
            ("counsellor_id", try integer(record.counsellorID)),
            ("created_at", try timestamp(record.createdAt)),
            ("id", try integer(record.id)),
            ("resolved_at", try timestamp(record.resolvedAt)),
            ("risk_level_at_creation", try integer(record.riskLevelAtCreation)),
            ("status", .string(record.status)),
            ("user_hash", .string(userHash)),
        ])
        return .object([
            ("appointments", .array(appointmentValues)),
            ("case", caseValue),
            ("salt", .string(salt.hex)),
            ("schema", .string(schema.rawValue)),
        ])
    }

    /// Integers a double holds exactly: beyond this two ids could collide.
    static let maximumExactInteger: Int64 = 1 << 53

    static func validate(userHash: String) throws(AttestationError) {
        guard isPseudonym(userHash) else {
            throw AttestationError(.invalidUserHash, "user_hash must be 64 lowercase hex digits (HMAC-SHA256)")
        }
    }

    static func checkExact(_ value: Int64) throws(AttestationError) {
        guard value.magnitude <= UInt64(maximumExactInteger) else {
            throw AttestationError(
                .integerOutOfRange, "integer \(value) is beyond ±2^53 and cannot be a JSON number exactly")
        }
    }

    private static func integer(_ value: Int64?) throws(AttestationError) -> JSONValue {
        guard let value else { return .null }
        try checkExact(value)
        return .number(Double(value))
    }

    private static func timestamp(_ value: Timestamp?) throws(AttestationError) -> JSONValue {
        guard let value else { return .null }
        return .string(try value.rfc3339())
    }

    private static func optionalString(_ value: String?) -> JSONValue {
        value.map(JSONValue.string) ?? .null
    }

    private static func isPseudonym(_ text: String) -> Bool {
        guard text.utf8.count == 64 else { return false }
        func check(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            for byte in bytes where !(byte &- UInt8(ascii: "0") < 10 || byte &- UInt8(ascii: "a") < 6) {
                return false
            }
            return true
        }
        return text.utf8.withContiguousStorageIfAvailable(check) ?? Array(text.utf8).withUnsafeBufferPointer(check)
    }
}

/// The inputs of one document (v1, or v2 with `schema`), kept together so
/// the document and its content hash can be recomputed from what was stored.
public struct CaseDocumentV1: Hashable, Sendable {
    public var record: CaseRecord
    public var appointments: [AppointmentRecord]
    public var userHash: String
    public var salt: Salt
    public var schema: CaseDocument.Schema

    public init(
        record: CaseRecord, appointments: [AppointmentRecord], userHash: String, salt: Salt,
        schema: CaseDocument.Schema = .v1
    ) {
        self.record = record
        self.appointments = appointments
        self.userHash = userHash
        self.salt = salt
        self.schema = schema
    }

    public func json() throws(AttestationError) -> JSONValue {
        try CaseDocument.document(
            schema: schema, case: record, appointments: appointments, userHash: userHash,
            salt: salt)
    }

    /// SHA-256 of the canonical bytes (written directly, see `writeCanonical(into:)`).
    public func contentHash() throws(AttestationError) -> ContentHash {
        ContentHash(canonicalBytes: try canonicalBytes())
    }
}
