import Foundation
import Testing

@testable import Postgres

struct TextFormatTests {
    @Test(arguments: [
        ("1970-01-01 00:00:00+00", Int64(0)),
        ("2024-02-29 12:34:56.789012+00", Int64(1_709_210_096_789_012)),
        ("2024-02-29 12:34:56.5+00", Int64(1_709_210_096_500_000)),
        ("2024-02-29 14:34:56+02", Int64(1_709_210_096_000_000)),
        ("2024-02-29 07:04:56-05:30", Int64(1_709_210_096_000_000)),
        ("1969-12-31 23:59:59.999999+00", Int64(-1)),
        ("2000-01-01 00:00:00", Int64(946_684_800_000_000)),
        ("0001-01-01 00:00:00+00", Int64(-62_135_596_800_000_000)),
        ("0001-12-31 00:00:00+00 BC", Int64(-62_135_683_200_000_000)),
    ])
    func timestamptzTextDecodes(text: String, micros: Int64) throws {
        let value = try TextFormat.timestamp(Array(text.utf8))
        #expect(value.microsecondsSinceEpoch == micros)
    }

    @Test(arguments: [
        "infinity", "-infinity", "2024-02-30 00:00:00+00", "2024-13-01 00:00:00+00",
        "2024-01-01", "2024-01-01 25:00:00+00", "2024-01-01 00:00:00.1234567+00",
        "2024-01-01 00:00:00+00 junk", "", "yesterday",
    ])
    func malformedTimestampsAreErrors(text: String) {
        #expect(throws: TextFormat.Failure.self) { try TextFormat.timestamp(Array(text.utf8)) }
    }

    @Test func timestampTextRoundTripsAcrossEras() throws {
        // A deterministic spread of instants from 4000 BC to AD 9000.
        var generator = SplitMix64(seed: 0x5EED)
        let low: Int64 = -188_395_000_000_000_000
        let high: Int64 = 221_845_000_000_000_000
        for _ in 0..<2000 {
            let micros = low + Int64(generator.next() % UInt64(high - low))
            let value = PostgresTimestamp(microsecondsSinceEpoch: micros)
            #expect(try TextFormat.timestamp(Array(value.postgresText.utf8)) == value)
        }
    }

    @Test func dateConversionKeepsMicroseconds() {
        let stamp = PostgresTimestamp(microsecondsSinceEpoch: 1_700_000_000_123_456)
        #expect(PostgresTimestamp(stamp.date) == stamp)
    }

    @Test(arguments: [
        (#"\x"#, [UInt8]()),
        (#"\x00ff10Ab"#, [0x00, 0xff, 0x10, 0xab]),
        (#"abc\000\\\377"#, [0x61, 0x62, 0x63, 0x00, 0x5c, 0xff]),
    ])
    func byteaTextDecodes(text: String, bytes: [UInt8]) throws {
        #expect(try TextFormat.bytea(Array(text.utf8)) == bytes)
    }

    @Test(arguments: [#"\x0"#, #"\xzz"#, #"a\9"#, #"a\12"#, #"\777"#])
    func malformedByteaIsAnError(text: String) {
        #expect(throws: TextFormat.Failure.self) { try TextFormat.bytea(Array(text.utf8)) }
    }

    @Test func integersReadFromBytesAsInt64ReadsTheirText() {
        // Signs, leading zeros, the limits and one past, junk and empties.
        var generator = SplitMix64(seed: 0x1A7)
        var texts = [
            "", "-", "+", "0", "-0", "+7", "007", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "99999999999999999999", "1 ", " 1", "1.0", "1e3",
            "--1", "+-1", "０",
        ]
        let alphabet = Array("0123456789-+ x".utf8)
        for _ in 0..<5_000 {
            let length = Int(generator.next() % 22)
            texts.append(
                String(decoding: (0..<length).map { _ in alphabet[Int(generator.next() % 14)] }, as: UTF8.self))
            texts.append(String(Int64(bitPattern: generator.next()) >> Int64(generator.next() % 64)))
        }
        for text in texts {
            // A slice that does not start at index 0, as a row's cells are.
            let padded = Array(("##" + text).utf8)
            #expect(TextFormat.integer(padded[2...]) == Int64(text), "\(text)")
        }
    }

    @Test func byteaAndTimestampsReadFromASliceAsFromAnArray() throws {
        let bytea = Array(#"..\x00ff10Ab"#.utf8)
        #expect(try TextFormat.bytea(bytea[2...]) == TextFormat.bytea(Array(bytea[2...])))
        let escaped = Array(#"..abc\000\\\377"#.utf8)
        #expect(try TextFormat.bytea(escaped[2...]) == [0x61, 0x62, 0x63, 0x00, 0x5c, 0xff])
        #expect(throws: TextFormat.Failure.self) { try TextFormat.bytea(Array(#"..\xzz"#.utf8)[2...]) }
        let stamp = Array("..2024-02-29 07:04:56-05:30".utf8)
        #expect(try TextFormat.timestamp(stamp[2...]).microsecondsSinceEpoch == 1_709_210_096_000_000)
        #expect(throws: TextFormat.Failure.self) { try TextFormat.timestamp(Array("..2024-02-30 00:00:00".utf8)[2...]) }
    }

    private func cell(_ type: UInt32, _ text: String) -> PostgresCell {
        PostgresCell(column: PostgresColumn(name: "amount", typeOID: type), bytes: Array(text.utf8))
    }

    @Test func numericDecodesAsExactText() throws {
        #expect(
            try String.decode(cell(PostgresTypeOID.numeric, "12345678901234567890.000000001"))
                == "12345678901234567890.000000001")
        #expect(try String.decode(cell(PostgresTypeOID.numeric, "NaN")) == "NaN")
    }

    @Test func integersCheckTypeAndRange() throws {
        #expect(try Int64.decode(cell(PostgresTypeOID.int8, "-9223372036854775808")) == .min)
        #expect(try Int.decode(cell(PostgresTypeOID.int2, "-32768")) == -32768)
        #expect(throws: PostgresError.self) { try Int32.decode(cell(PostgresTypeOID.int8, "2147483648")) }
    }

    @Test func decodingErrorsNameColumnAndTypeButNotTheValue() {
        #expect {
            _ = try Int64.decode(cell(PostgresTypeOID.numeric, "31337.5"))
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.code == .decoding && error.message.contains("\"amount\"") && error.message.contains("numeric")
                && !error.message.contains("31337")
        }
        #expect {
            _ = try Bool.decode(cell(PostgresTypeOID.bool, "maybe-secret"))
        } throws: { error in
            guard let error = error as? PostgresError else { return false }
            return error.message.contains("bool") && !error.message.contains("maybe-secret")
        }
    }

    @Test func nullNeedsAnOptional() throws {
        let column = PostgresColumn(name: "resolved_at", typeOID: PostgresTypeOID.timestamptz)
        #expect(try Date?.decodeNull(column: column) == nil)
        #expect(throws: PostgresError.self) { try Date.decodeNull(column: column) }
    }
}

/// A small deterministic generator so the round-trip test is repeatable.
struct SplitMix64: RandomNumberGenerator {
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
