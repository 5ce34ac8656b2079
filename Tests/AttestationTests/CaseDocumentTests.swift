import Attestation
import Ethereum
import Foundation
import Testing

struct CaseDocumentTests {
    static let salt = try! Salt(hex: String(repeating: "5a", count: 32))
    static let userHash = String(repeating: "ab", count: 32)

    static func record(resolved: Bool = true) -> CaseRecord {
        CaseRecord(
            id: 7, userID: 42, counsellorID: nil, status: "resolved", riskLevelAtCreation: 3,
            createdAt: Timestamp(microsecondsSinceEpoch: 1_772_357_400_000_000),
            resolvedAt: resolved ? Timestamp(microsecondsSinceEpoch: 1_772_357_400_000_001) : nil)
    }

    @Test func documentHasTheV1ShapeWithNullsAndSortedAppointments() throws {
        let appointments = [
            AppointmentRecord(id: 12, scheduledAt: nil, status: nil, locationType: nil),
            AppointmentRecord(
                id: 3, scheduledAt: Timestamp(microsecondsSinceEpoch: 0), status: "completed",
                locationType: "online"),
        ]
        let document = try CaseDocument.v1(
            case: Self.record(), appointments: appointments, userHash: Self.userHash,
            salt: Self.salt)
        let expected =
            #"{"appointments":[{"id":3,"location_type":"online","scheduled_at":"1970-01-01T00:00:00.000000Z","#
            + #""status":"completed"},{"id":12,"location_type":null,"scheduled_at":null,"status":null}],"#
            + #""case":{"counsellor_id":null,"created_at":"2026-03-01T09:30:00.000000Z","id":7,"#
            + #""resolved_at":"2026-03-01T09:30:00.000001Z","risk_level_at_creation":3,"#
            + #""status":"resolved","user_hash":""#
            + Self.userHash + #""},"salt":""# + String(repeating: "5a", count: 32)
            + #"","schema":"aicare.case-attestation/v1"}"#
        #expect(document.canonicalString == expected)
        // Input order of appointments does not matter.
        let reversed = try CaseDocument.v1(
            case: Self.record(), appointments: appointments.reversed(),
            userHash: Self.userHash, salt: Self.salt)
        #expect(reversed.canonicalBytes() == document.canonicalBytes())
        // The user id itself never appears.
        #expect(document["case"]?["user_id"] == nil)
    }

    @Test func contentHashIsSHA256OfTheCanonicalBytes() throws {
        let input = CaseDocumentV1(
            record: Self.record(resolved: false), appointments: [], userHash: Self.userHash,
            salt: Self.salt)
        let document = try input.json()
        let hash = try input.contentHash()
        #expect(hash.bytes == SHA256Digest.hash(document.canonicalBytes()))
        #expect(hash.hex.hasPrefix("0x") && hash.hex.count == 66 && hash.hex == hash.hex.lowercased())
        #expect(try ContentHash(hex: hash.hex) == hash)
        #expect(try ContentHash(hex: hash.hex.uppercased().replacingOccurrences(of: "0X", with: "0x")) == hash)
        var other = input
        other.salt = try Salt(hex: String(repeating: "5b", count: 32))
        #expect(try other.contentHash() != hash)
    }

    @Test(arguments: ["", "ab", String(repeating: "AB", count: 32), String(repeating: "g", count: 64), "42"])
    func rejectsAnythingButAPseudonym(userHash: String) {
        #expect(throws: AttestationError.self) {
            try CaseDocument.v1(case: Self.record(), appointments: [], userHash: userHash, salt: Self.salt)
        }
    }

    @Test func rejectsIntegersADoubleCannotHoldAndYearsRFC3339CannotWrite() throws {
        var record = Self.record()
        record.id = (1 << 53) + 1
        #expect(throws: AttestationError.self) {
            try CaseDocument.v1(case: record, appointments: [], userHash: Self.userHash, salt: Self.salt)
        }
        record.id = 1 << 53
        #expect(
            try CaseDocument.v1(case: record, appointments: [], userHash: Self.userHash, salt: Self.salt)["case"]?["id"]
                == .number(9_007_199_254_740_992))
        record.resolvedAt = Timestamp(microsecondsSinceEpoch: .max)
        #expect(throws: AttestationError.self) {
            try CaseDocument.v1(case: record, appointments: [], userHash: Self.userHash, salt: Self.salt)
        }
        let badAppointment = AppointmentRecord(id: -(1 << 60), scheduledAt: nil, status: nil, locationType: nil)
        #expect(throws: AttestationError.self) {
            try CaseDocument.v1(
                case: Self.record(), appointments: [badAppointment], userHash: Self.userHash,
                salt: Self.salt)
        }
    }

    @Test func contentHashParsingRejectsMalformedText() {
        for text in [
            "", "0x", "0x" + String(repeating: "0", count: 63), String(repeating: "0", count: 64),
            "0x" + String(repeating: "0", count: 62) + "zz", "0x" + String(repeating: "0", count: 66),
        ] {
            #expect(throws: AttestationError.self) { try ContentHash(hex: text) }
        }
    }
}

struct SaltTests {
    @Test func randomSaltsAre32FreshBytes() throws {
        let salts = try (0..<64).map { _ in try Salt.random() }
        #expect(salts.allSatisfy { $0.bytes.count == 32 && $0.hex.count == 64 })
        #expect(Set(salts).count == 64)
        for salt in salts { #expect(try Salt(hex: salt.hex) == salt) }
        #expect(!salts[0].description.contains(salts[0].hex))
    }

    @Test func rejectsWrongLengthsAndBadHex() {
        #expect(throws: AttestationError.self) { try Salt(hex: String(repeating: "0", count: 62)) }
        #expect(throws: AttestationError.self) { try Salt(hex: String(repeating: "x", count: 64)) }
        #expect(throws: AttestationError.self) { try Salt(bytes: [1, 2, 3]) }
    }
}

struct PseudonymKeyTests {
    static let keyText = "caseattest-example-pseudonym-key"

    // Expected values computed independently with Python's hmac module.
    @Test(arguments: [
        (Self.keyText, Int64(42), "5634c9f29c1a64efd14da9f56ee6232373af5308db95367d0c789cb9ae79d44f"),
        (Self.keyText, Int64.min, "e6a8e23c35fc072af8dec067f1f14e0119527f66ed00cafa5a35960afd27748c"),
        ("0123456789abcdef", Int64(0), "6b8848b4369213f569a85289031e5f116bae66d070173ad90c7130da9d700baf"),
    ])
    func userHashIsHMACSHA256OfTheDecimalID(key: String, userID: Int64, expected: String) throws {
        #expect(try PseudonymKey(bytes: Array(key.utf8)).userHash(for: userID) == expected)
    }

    @Test func trailingNewlinesAreNotPartOfTheKey() throws {
        let plain = try PseudonymKey(bytes: Array(Self.keyText.utf8)).userHash(for: 42)
        #expect(try PseudonymKey(bytes: Array((Self.keyText + "\n").utf8)).userHash(for: 42) == plain)
        #expect(try PseudonymKey(bytes: Array((Self.keyText + "\r\n").utf8)).userHash(for: 42) == plain)
        #expect(try PseudonymKey(bytes: Array((Self.keyText + " ").utf8)).userHash(for: 42) != plain)
    }

    @Test func rejectsEmptyAndShortKeys() {
        for text in ["", "\n", "\r\n\n", "fifteen-bytes!!", "fifteen-bytes!!\n"] {
            do {
                _ = try PseudonymKey(bytes: Array(text.utf8))
                Issue.record("accepted a key of \(text.utf8.count) bytes")
            } catch {
                #expect(error.code == .pseudonymKeyTooShort)
            }
        }
    }

    @Test func neverShowsTheKey() throws {
        let key = try PseudonymKey(bytes: Array(Self.keyText.utf8))
        var dumped = ""
        dump(key, to: &dumped)
        for text in [
            key.description, key.debugDescription, String(describing: key), String(reflecting: key), "\(key)", dumped,
        ] {
            #expect(!text.contains("example"), "\(text)")
        }
    }

    @Test func loadsFromAFileAndReportsMissingFilesClearly() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("pseudonym-key-\(UUID().uuidString)")
            .path
        try Data((Self.keyText + "\n").utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(
            try PseudonymKey(contentsOfFile: path).userHash(for: 42)
                == "5634c9f29c1a64efd14da9f56ee6232373af5308db95367d0c789cb9ae79d44f")
        do {
            _ = try PseudonymKey(contentsOfFile: path + ".missing")
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.code == .pseudonymKeyUnreadable)
            #expect(error.description.contains(path + ".missing"))
            #expect(error.description.contains("No such file"))
        }
        try Data("short\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AttestationError.self) { try PseudonymKey(contentsOfFile: path) }
    }
}
