import Attestation
import Foundation
import PropertyBased
import Testing

struct TimestampTests {
    // Expected values computed independently with Python's datetime.
    @Test(
        arguments: [
            (0, "1970-01-01T00:00:00.000000Z"),
            (1_772_357_400_000_000, "2026-03-01T09:30:00.000000Z"),
            (1_772_357_400_000_001, "2026-03-01T09:30:00.000001Z"),
            (-1, "1969-12-31T23:59:59.999999Z"),
            (951_782_400_000_000, "2000-02-29T00:00:00.000000Z"),
            (-14_256_000_000_000, "1969-07-20T00:00:00.000000Z"),
            (-14_255_999_500_000, "1969-07-20T00:00:00.500000Z"),
            (-11_670_912_000_000_000, "1600-03-01T00:00:00.000000Z"),
        ] as [(Int64, String)])
    func formatsKnownInstants(micros: Int64, expected: String) throws {
        let timestamp = Timestamp(microsecondsSinceEpoch: micros)
        #expect(try timestamp.rfc3339() == expected)
        #expect(try Timestamp(rfc3339: expected) == timestamp)
    }

    @Test func coversExactlyFourDigitYears() throws {
        let first = Timestamp(microsecondsSinceEpoch: Timestamp.representableRange.lowerBound)
        let last = Timestamp(microsecondsSinceEpoch: Timestamp.representableRange.upperBound)
        #expect(try first.rfc3339() == "0000-01-01T00:00:00.000000Z")
        #expect(try last.rfc3339() == "9999-12-31T23:59:59.999999Z")
        for outside in [
            Timestamp.representableRange.lowerBound - 1, Timestamp.representableRange.upperBound + 1,
            Int64.min, Int64.max,
        ] {
            #expect(throws: AttestationError.self) { try Timestamp(microsecondsSinceEpoch: outside).rfc3339() }
        }
        #expect(Timestamp(microsecondsSinceEpoch: .max).description.contains("µs"))
    }

    @Test(arguments: [
        "2026-02-29T00:00:00.000000Z", "2025-02-29T00:00:00.000000Z", "1900-02-29T00:00:00.000000Z",
        "2026-04-31T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z", "2026-00-01T00:00:00.000000Z",
        "2026-03-00T00:00:00.000000Z", "2026-03-01T24:00:00.000000Z", "2026-03-01T09:60:00.000000Z",
        "2026-03-01T09:30:60.000000Z", "2026-03-01T09:30:00Z", "2026-03-01T09:30:00.000Z",
        "2026-03-01 09:30:00.000000Z", "2026-03-01T09:30:00.000000+00:00", "2026-03-01T09:30:00.000000z",
        "+026-03-01T09:30:00.000000Z", "2026-03-01T09:30:00.0000a0Z", "", "2026-03-01T09:30:00.000000Z ",
    ])
    func parsingIsStrict(text: String) {
        #expect(throws: AttestationError.self) { try Timestamp(rfc3339: text) }
    }

    @Test(arguments: ["2024-02-29T23:59:59.999999Z", "2000-02-29T00:00:00.000000Z", "0000-02-29T12:00:00.000000Z"])
    func acceptsLeapDays(text: String) throws {
        #expect(try Timestamp(rfc3339: text).rfc3339() == text)
    }

    @Test func roundTripsAndAgreesWithFoundationsCalendar() async {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let range = Timestamp.representableRange
        await propertyCheck(count: 2000, input: Gen.int64(in: range)) { micros in
            let timestamp = Timestamp(microsecondsSinceEpoch: micros)
            let text = try timestamp.rfc3339()
            #expect(try Timestamp(rfc3339: text) == timestamp, "\(micros) -> \(text)")
            // Foundation's Gregorian calendar switches to Julian before 1582:
            // compare whole seconds from 1600 on only.
            let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second],
                from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            if let year = parts.year, year >= 1600, let month = parts.month, let day = parts.day,
                let hour = parts.hour, let minute = parts.minute, let second = parts.second
            {
                let expected = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, hour, minute, second)
                #expect(text.hasPrefix(expected), "\(micros) -> \(text), Foundation says \(expected)")
            }
        }
    }
}

extension TimestampTests {
    @Test func representableRangeIsYearsZeroToNineThousandNineHundredNinetyNine() throws {
        #expect(
            Timestamp.representableRange.lowerBound
                == (try Timestamp(rfc3339: "0000-01-01T00:00:00.000000Z")).microsecondsSinceEpoch)
        #expect(
            Timestamp.representableRange.upperBound
                == (try Timestamp(rfc3339: "9999-12-31T23:59:59.999999Z")).microsecondsSinceEpoch)
    }
}
