/// An instant at PostgreSQL `timestamptz` resolution: microseconds since
/// 1970-01-01T00:00:00Z. Rendered as RFC 3339 UTC with exactly six fractional
/// digits and `Z` ("2026-03-01T09:30:00.000000Z"), computed arithmetically
/// (proleptic Gregorian calendar, no leap seconds, no time zone database).
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    static let microsecondsPerDay: Int64 = 86_400_000_000
    /// 0000-01-01T00:00:00.000000Z ... 9999-12-31T23:59:59.999999Z: the
    /// four-digit years RFC 3339 can write.
    /// (-719_528 and 2_932_897 days from 1970; a test recomputes them.)
    public static let representableRange: ClosedRange<Int64> =
        -62_167_219_200_000_000...253_402_300_800_000_000 - 1

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    /// The RFC 3339 form; fails for instants outside years 0000-9999.
    public func rfc3339() throws(AttestationError) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(27)
        try appendRFC3339(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public func appendRFC3339(to out: inout [UInt8]) throws(AttestationError) {
        let text = try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 27) {
            buffer throws(AttestationError) -> [UInt8] in
            var writer = ByteWriter(base: buffer.baseAddress!, capacity: 27)
            try write(to: &writer)
            return Array(UnsafeBufferPointer(start: buffer.baseAddress, count: writer.count))
        }
        out.append(contentsOf: text)
    }

    /// Writes the 27 bytes of the RFC 3339 form.
    func write(to writer: inout ByteWriter) throws(AttestationError) {
        guard Self.representableRange.contains(microsecondsSinceEpoch) else {
            throw AttestationError(
                .timestampOutOfRange,
                "timestamp \(microsecondsSinceEpoch) µs is outside years 0000-9999")
        }
        // Floor division so instants before 1970 land on the right day.
        var days = microsecondsSinceEpoch / Self.microsecondsPerDay
        var ofDay = microsecondsSinceEpoch % Self.microsecondsPerDay
        if ofDay < 0 {
            days -= 1
            ofDay += Self.microsecondsPerDay
        }
        let date = CivilDate(daysSinceEpoch: days)
        let seconds = ofDay / 1_000_000
        writer.fixedDigits(date.year, width: 4)
        writer.byte(UInt8(ascii: "-"))
        writer.fixedDigits(date.month, width: 2)
        writer.byte(UInt8(ascii: "-"))
        writer.fixedDigits(date.day, width: 2)
        writer.byte(UInt8(ascii: "T"))
        writer.fixedDigits(seconds / 3600, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.fixedDigits(seconds / 60 % 60, width: 2)
        writer.byte(UInt8(ascii: ":"))
        writer.fixedDigits(seconds % 60, width: 2)
        writer.byte(UInt8(ascii: "."))
        writer.fixedDigits(ofDay % 1_000_000, width: 6)
        writer.byte(UInt8(ascii: "Z"))
    }

    /// Parses exactly the form `rfc3339()` writes: "YYYY-MM-DDTHH:MM:SS.ffffffZ".
    public init(rfc3339 text: String) throws(AttestationError) {
        let bytes = Array(text.utf8)
        let invalid = AttestationError(
            .invalidTimestamp,
            "expected UTC time as YYYY-MM-DDTHH:MM:SS.ffffffZ, got \"\(text.prefix(40))\"")
        guard bytes.count == 27 else { throw invalid }
        let separators: [(Int, Character)] = [
            (4, "-"), (7, "-"), (10, "T"), (13, ":"), (16, ":"), (19, "."), (26, "Z"),
        ]
        for (offset, character) in separators where bytes[offset] != character.asciiValue {
            throw invalid
        }
        func number(_ range: Range<Int>) throws(AttestationError) -> Int64 {
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { throw invalid }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return value
        }
        let year = try number(0..<4), month = try number(5..<7), day = try number(8..<10)
        let hour = try number(11..<13), minute = try number(14..<16), second = try number(17..<19)
        let micros = try number(20..<26)
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 60
        else { throw invalid }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        microsecondsSinceEpoch =
            days * Self.microsecondsPerDay
            + ((hour * 60 + minute) * 60 + second) * 1_000_000 + micros
    }

    public var description: String {
        (try? rfc3339()) ?? "Timestamp(\(microsecondsSinceEpoch) µs since 1970)"
    }
}

/// Gregorian calendar arithmetic after Howard Hinnant's "chrono-compatible
/// low-level date algorithms" (400-year eras, March-based years).
struct CivilDate {
    let year: Int64
    let month: Int64
    let day: Int64

    init(daysSinceEpoch days: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * marchMonth + 2) / 5 + 1
        month = marchMonth < 10 ? marchMonth + 3 : marchMonth - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }
}
