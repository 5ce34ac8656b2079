extension CaseDocumentV1 {
    /// The canonical bytes of `json()`, written straight into one buffer
    /// without building the intermediate JSON value: the hot path when
    /// hashing many cases. Member names are emitted in their RFC 8785 order;
    /// a test checks byte equality with `json().canonicalBytes()` over random
    /// records.
    public func canonicalBytes() throws(AttestationError) -> [UInt8] {
        try CaseDocument.validate(userHash: userHash)
        var ordered = appointments
        if zip(appointments, appointments.dropFirst()).contains(where: { $0.id > $1.id }) {
            ordered.sort { $0.id < $1.id }
        }
        let bound = Self.byteBound(record: record, appointments: ordered)
        var failure: AttestationError?
        let bytes = [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var writer = ByteWriter(base: base, capacity: bound)
            do throws(AttestationError) {
                try write(ordered, to: &writer)
            } catch {
                failure = error
            }
            initialized = writer.count
        }
        if let failure { throw failure }
        return bytes
    }

    /// Appends the canonical bytes to `out`, so a caller can reuse a buffer.
    public func writeCanonical(into out: inout [UInt8]) throws(AttestationError) {
        out.append(contentsOf: try canonicalBytes())
    }

    /// Upper bound of the document's size: fixed text plus, per value, its
    /// longest form (integers 20 bytes, timestamps 29, strings 2 + 6 per byte).
    private static func byteBound(record: CaseRecord, appointments: [AppointmentRecord]) -> Int {
        var bound = 512 + 6 * record.status.utf8.count
        for appointment in appointments {
            bound += 128 + 6 * ((appointment.status?.utf8.count ?? 0) + (appointment.locationType?.utf8.count ?? 0))
        }
        return bound
    }

    private func write(_ ordered: [AppointmentRecord], to writer: inout ByteWriter) throws(AttestationError) {
        writer.literal(#"{"appointments":["#)
        for (index, appointment) in ordered.enumerated() {
            writer.literal(index == 0 ? #"{"id":"# : #",{"id":"#)
            try Self.integer(appointment.id, to: &writer)
            writer.literal(#","location_type":"#)
            Self.string(appointment.locationType, to: &writer)
            writer.literal(#","scheduled_at":"#)
            try Self.timestamp(appointment.scheduledAt, to: &writer)
            writer.literal(#","status":"#)
            Self.string(appointment.status, to: &writer)
            writer.byte(UInt8(ascii: "}"))
        }
        writer.literal(#"],"case":{"counsellor_id":"#)
        try Self.integer(record.counsellorID, to: &writer)
        writer.literal(#","created_at":"#)
        try Self.timestamp(record.createdAt, to: &writer)
        writer.literal(#","id":"#)
        try Self.integer(record.id, to: &writer)
        writer.literal(#","resolved_at":"#)
        try Self.timestamp(record.resolvedAt, to: &writer)
        writer.literal(#","risk_level_at_creation":"#)
        try Self.integer(record.riskLevelAtCreation, to: &writer)
        writer.literal(#","status":"#)
        writer.string(record.status)
        writer.literal(#","user_hash":"#)
        writer.string(userHash)  // validated hex: nothing to escape
        writer.literal(#"},"salt":""#)
        writer.hex(salt.bytes)
        switch schema {
        case .v1: writer.literal(#"","schema":"aicare.case-attestation/v1"}"#)
        case .v2: writer.literal(#"","schema":"aicare.case-attestation/v2"}"#)
        }
    }

    private static func integer(_ value: Int64?, to writer: inout ByteWriter) throws(AttestationError) {
        guard let value else { return writer.literal("null") }
        try CaseDocument.checkExact(value)
        // Within ±2^53 ECMAScript prints an integral number as its digits.
        writer.integer(value)
    }

    private static func timestamp(_ value: Timestamp?, to writer: inout ByteWriter) throws(AttestationError) {
        guard let value else { return writer.literal("null") }
        writer.byte(UInt8(ascii: "\""))
        try value.write(to: &writer)  // digits and -:.TZ: nothing to escape
        writer.byte(UInt8(ascii: "\""))
    }

    private static func string(_ value: String?, to writer: inout ByteWriter) {
        guard let value else { return writer.literal("null") }
        writer.string(value)
    }
}
