import Attestation
import Foundation
import Testing

@testable import AttestationAPI
@testable import AttestationService
@testable import Postgres

/// The hand-written attestation bodies against Foundation's `JSONEncoder`
/// (the encoding the API answered with before), byte for byte, on records
/// decoded from generated text-format rows as PostgreSQL sends them.
@Suite struct AttestationJSONTests {
    /// What the API wrote before `JSONBodyWriter`.
    static func foundationBytes(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    @Test func generatedRecordsMatchFoundation() throws {
        var random = SplitMix(seed: 0x5eed)
        var nulls = 0
        for index in 0..<3000 {
            let record = try Self.record(&random, allNull: index % 50 == 0)
            if record.txHash == nil { nulls += 1 }
            let view = AttestationJSON(record: record, profiles: .builtIn)
            let written = view.bytes()
            let reference = try Self.foundationBytes(view)
            #expect(written == reference, "record \(index): \(String(decoding: written, as: UTF8.self))")
        }
        #expect(nulls > 0)
    }

    @Test func listsMatchFoundation() throws {
        var random = SplitMix(seed: 17)
        for count in [0, 1, 2, 5] {
            let views = try (0..<count).map { _ in
                AttestationJSON(record: try Self.record(&random, allNull: false), profiles: .builtIn)
            }
            let list = AttestationListJSON(caseId: Int64(count) * 1_000_003, attestations: views)
            #expect(list.bytes() == (try Self.foundationBytes(list)))
        }
    }

    /// Every byte that needs an escape, `/`, DEL and non-ASCII text.
    @Test func escapesMatchFoundation() throws {
        var text = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        text += "\"\\/\u{7F} é 日本 😀 e\u{301} \u{2028}\u{2029}\u{FEFF} </script>"
        var writer = JSONBodyWriter()
        writer.string(text)
        #expect(writer.bytes == (try Self.foundationBytes([text]).dropFirst().dropLast()))
        #expect(Array(String(decoding: writer.bytes, as: UTF8.self).utf8) == writer.bytes)
    }

    @Test func integersMatchFoundation() throws {
        let values: [Int64] = [0, 1, -1, 9, 10, 99, 100, 1_234_567_890, .max, .min, .max - 1, .min + 1]
        for value in values {
            var writer = JSONBodyWriter()
            writer.integer(value)
            #expect(writer.bytes == (try Self.foundationBytes([value]).dropFirst().dropLast()), "\(value)")
        }
    }

    /// Microsecond timestamps (what PostgreSQL stores) across the fast path's
    /// range, at its edges and outside it (Foundation's own path).
    @Test func timestampsMatchFoundation() throws {
        var random = SplitMix(seed: 42)
        var micros: [Int64] = [
            0, 1, 999, 1000, 999_999, 1_000_000, 951_782_400_000_000, 4_107_542_400_000_000,
            253_402_300_799_999_999, 253_402_300_800_000_000, -1, -1_000_000, -62_135_596_800_000_000,
        ]
        for _ in 0..<20000 {
            let seconds = Int64(random.next() % 253_402_300_800)
            let fraction: Int64
            switch random.next() % 3 {
            case 0: fraction = Int64(random.next() % 1000) * 1000
            case 1: fraction = 999_999 - Int64(random.next() % 3)
            default: fraction = Int64(random.next() % 1_000_000)
            }
            micros.append(seconds * 1_000_000 + fraction)
        }
        for value in micros {
            let date = PostgresTimestamp(microsecondsSinceEpoch: value).date
            var bytes: [UInt8] = []
            Timestamps.append(date, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == Timestamps.format(date), "\(value) µs")
        }
    }

    // MARK: Generated rows

    static let columns: [(String, UInt32)] = [
        ("id", PostgresTypeOID.int8), ("case_id", PostgresTypeOID.int8), ("version", PostgresTypeOID.int4),
        ("counsellor_id", PostgresTypeOID.int8), ("status", PostgresTypeOID.text),
        ("schema_version", PostgresTypeOID.text), ("content_hash", PostgresTypeOID.text),
        ("salt", PostgresTypeOID.bytea), ("attested_document", PostgresTypeOID.bytea),
        ("erased_at", PostgresTypeOID.timestamptz), ("legacy", PostgresTypeOID.bool),
        ("batch_id", PostgresTypeOID.int8), ("leaf_index", PostgresTypeOID.int4), ("leaf", PostgresTypeOID.text),
        ("proof", PostgresTypeOID.text), ("chain_id", PostgresTypeOID.int8),
        ("contract_address", PostgresTypeOID.text), ("tx_hash", PostgresTypeOID.text),
        ("block_number", PostgresTypeOID.int8), ("block_hash", PostgresTypeOID.text),
        ("confirmations", PostgresTypeOID.int4), ("attested_at", PostgresTypeOID.timestamptz),
        ("attempts", PostgresTypeOID.int4), ("last_error", PostgresTypeOID.text),
        ("requested_by", PostgresTypeOID.text), ("requested_at", PostgresTypeOID.timestamptz),
        ("updated_at", PostgresTypeOID.timestamptz),
    ]

    /// Text pieces that exercise escaping: controls, quotes, backslashes,
    /// slashes, DEL and multi-byte characters.
    static let pieces = [
        "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{8}", "\u{C}", "\u{0}", "\u{1}", "\u{1F}",
        "\u{7F}", "é", "ß", "日", "😀", "e\u{301}", "\u{2028}", "\u{FEFF}", "<", "&", "'", "0x", "rpc timeout",
    ]

    static func record(_ random: inout SplitMix, allNull: Bool) throws -> AttestationRecord {
        func maybe(_ make: () -> String) -> String? {
            allNull || random.next() % 4 == 0 ? nil : make()
        }
        func text() -> String {
            let length = Int(random.next() % 24)
            return (0..<length).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
        }
        func integer(_ bound: UInt64) -> String { String(random.next() % bound) }
        func hex(_ bytes: Int) -> String {
            "0x" + (0..<bytes).map { _ in String(format: "%02x", Int(random.next() % 256)) }.joined()
        }
        func timestamp() -> String {
            // Within the years 1970-9999 mostly, a few before 1970.
            let seconds = Int64(random.next() % 253_402_300_800) - (random.next() % 20 == 0 ? 2_000_000_000 : 0)
            let micros = seconds * 1_000_000 + Int64(random.next() % 1_000_000)
            return Self.postgresText(PostgresTimestamp(microsecondsSinceEpoch: micros))
        }
        let statuses = AttestationStatus.allCases.map(\.rawValue)
        let chainIDs = ["1", "1337", "11155111", "137", "-5", "8453", "999999"]
        let cells: [String?] = [
            integer(1 << 62), integer(1 << 40), integer(1000), maybe { integer(1 << 50) },
            statuses[Int(random.next() % UInt64(statuses.count))], maybe { "v" + integer(3) }, maybe { hex(32) },
            maybe { "\\x" + hex(16).dropFirst(2) }, nil, maybe(timestamp), random.next() % 5 == 0 ? "t" : "f",
            maybe { integer(1 << 31) }, maybe { integer(4096) }, maybe { hex(32) }, maybe { "[\"\(hex(32))\"]" },
            maybe { chainIDs[Int(random.next() % UInt64(chainIDs.count))] }, maybe { hex(20) },
            maybe { random.next() % 8 == 0 ? text() : hex(32) }, maybe { integer(1 << 40) }, maybe { hex(32) },
            maybe { integer(100) }, maybe(timestamp), integer(10), maybe(text), maybe(text), timestamp(), timestamp(),
        ]
        let shared = PostgresColumns(columns.map { PostgresColumn(name: $0.0, typeOID: $0.1) })
        let row = PostgresRow(columns: shared, cells: cells.map { $0.map { Array($0.utf8) } })
        return try AttestationRecord(row: row)
    }

    /// `YYYY-MM-DD HH:MM:SS.ffffff+00`, PostgreSQL's ISO output of a timestamptz in UTC.
    static func postgresText(_ timestamp: PostgresTimestamp) -> String {
        let micros = timestamp.microsecondsSinceEpoch
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
        let secondOfDay = seconds - days * 86400
        let date = Date(timeIntervalSince1970: Double(days) * 86400)
        let parts = Calendar(identifier: .gregorian).dateComponents(in: .gmt, from: date)
        return String(
            format: "%04d-%02d-%02d %02lld:%02lld:%02lld.%06lld+00", parts.year ?? 0, parts.month ?? 0,
            parts.day ?? 0, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60, fraction)
    }
}

/// A small deterministic generator, so a failure repeats.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
