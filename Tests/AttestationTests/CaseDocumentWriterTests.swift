import Attestation
import PropertyBased
import Testing

/// The direct case-document writer and the generic JSON path must agree byte
/// for byte, as must the two generic writers.
struct CaseDocumentWriterTests {
    static func randomInput(seed: UInt64) throws -> CaseDocumentV1 {
        var random = RandomJSON(seed: seed)
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let limit: Int64 = 1 << 53
        let range = Timestamp.representableRange
        func id() -> Int64 { Int64.random(in: -limit...limit, using: &rng) }
        func optionalID() -> Int64? { Bool.random(using: &rng) ? id() : nil }
        func timestamp() -> Timestamp { Timestamp(microsecondsSinceEpoch: Int64.random(in: range, using: &rng)) }
        func optionalTimestamp() -> Timestamp? { Bool.random(using: &rng) ? timestamp() : nil }
        let record = CaseRecord(
            id: id(), userID: id(), counsellorID: optionalID(), status: random.string(),
            riskLevelAtCreation: optionalID(), createdAt: timestamp(),
            resolvedAt: optionalTimestamp())
        var appointments: [AppointmentRecord] = []
        for _ in 0..<Int.random(in: 0...6, using: &rng) {
            let status = Bool.random(using: &rng) ? random.string() : nil
            let location = Bool.random(using: &rng) ? random.string(maxLength: 20) : nil
            appointments.append(
                AppointmentRecord(
                    id: id(), scheduledAt: optionalTimestamp(), status: status,
                    locationType: location))
        }
        let userHash = String((0..<64).map { _ in Array("0123456789abcdef").randomElement(using: &rng)! })
        let salt = try Salt(bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        return CaseDocumentV1(record: record, appointments: appointments, userHash: userHash, salt: salt)
    }

    @Test func directWriterMatchesTheJSONValuePath() async {
        await propertyCheck(count: 1000, input: Gen.int64()) { seed in
            let input = try Self.randomInput(seed: UInt64(bitPattern: seed))
            let generic = try input.json().canonicalBytes()
            #expect(try input.canonicalBytes() == generic)
            var appended: [UInt8] = [0x41]
            try input.writeCanonical(into: &appended)
            #expect(appended == [0x41] + generic)
            #expect(try input.contentHash() == ContentHash(canonicalBytes: generic))
        }
    }

    @Test func sizedAndAppendingWritersAgree() async {
        await propertyCheck(count: 1000, input: Gen.int64()) { seed in
            var random = RandomJSON(seed: UInt64(bitPattern: seed))
            let value = random.value()
            var appended: [UInt8] = []
            value.writeCanonical(into: &appended)
            #expect(value.canonicalBytes() == appended)
        }
    }

    @Test func directWriterRejectsWhatTheJSONPathRejects() throws {
        var input = try Self.randomInput(seed: 1)
        input.record.id = (1 << 53) + 1
        #expect(throws: AttestationError.self) { try input.canonicalBytes() }
        input = try Self.randomInput(seed: 2)
        input.userHash = "not-a-pseudonym"
        #expect(throws: AttestationError.self) { try input.contentHash() }
        input = try Self.randomInput(seed: 3)
        input.record.createdAt = Timestamp(microsecondsSinceEpoch: .min)
        #expect(throws: AttestationError.self) { try input.canonicalBytes() }
    }
}
