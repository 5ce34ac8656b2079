import Ethereum

/// Parsers for PostgreSQL's text output of the types whose text form needs
/// more than a plain conversion. The session is pinned to `TimeZone=UTC` and
/// `DateStyle=ISO` on connect, so timestamps arrive as
/// `YYYY-MM-DD HH:MM:SS[.ffffff]+00[ BC]`; other offsets are accepted too.
/// Errors say what was wrong with the text but never quote it.
enum TextFormat {
    struct Failure: Error {
        let reason: String
    }

    // MARK: integers

    /// `Int64(String)` of the text, read from its bytes: an optional sign
    /// and decimal digits; nil for anything else or out of range.
    static func integer(_ bytes: ArraySlice<UInt8>) -> Int64? {
        var index = bytes.startIndex
        var negative = false
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < bytes.endIndex else { return nil }
        var value: Int64 = 0
        while index < bytes.endIndex {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            // Accumulated toward the sign, so Int64.min is reached too.
            let (scaled, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, carry) =
                negative
                ? scaled.subtractingReportingOverflow(Int64(digit)) : scaled.addingReportingOverflow(Int64(digit))
            guard !overflow, !carry else { return nil }
            value = next
            index += 1
        }
        return value
    }

    // MARK: timestamptz

    static func timestamp(_ bytes: some Collection<UInt8>) throws(Failure) -> PostgresTimestamp {
        // A result's cells are contiguous: read in place, not copied per cell.
        if let parsed = bytes.withContiguousStorageIfAvailable({ timestamp(buffer: $0) }) { return try parsed.get() }
        return try Array(bytes).withUnsafeBufferPointer { timestamp(buffer: $0) }.get()
    }

    private static func timestamp(buffer: UnsafeBufferPointer<UInt8>) -> Result<PostgresTimestamp, Failure> {
        Result { () throws(Failure) in try timestamp(scanner: ByteScanner(buffer)) }
    }

    private static func timestamp(scanner: ByteScanner) throws(Failure) -> PostgresTimestamp {
        var scanner = scanner
        if scanner.remainingEquals("infinity") || scanner.remainingEquals("-infinity") {
            throw Failure(reason: "infinite timestamps have no date")
        }
        let year = try scanner.number(minDigits: 4, maxDigits: 9, what: "year")
        try scanner.expect(UInt8(ascii: "-"), what: "date")
        let month = try scanner.number(minDigits: 2, maxDigits: 2, what: "month")
        try scanner.expect(UInt8(ascii: "-"), what: "date")
        let day = try scanner.number(minDigits: 2, maxDigits: 2, what: "day")
        guard scanner.take(UInt8(ascii: " ")) || scanner.take(UInt8(ascii: "T")) else {
            throw Failure(reason: "expected a time after the date")
        }
        let hour = try scanner.number(minDigits: 2, maxDigits: 2, what: "hour")
        try scanner.expect(UInt8(ascii: ":"), what: "time")
        let minute = try scanner.number(minDigits: 2, maxDigits: 2, what: "minute")
        try scanner.expect(UInt8(ascii: ":"), what: "time")
        let second = try scanner.number(minDigits: 2, maxDigits: 2, what: "second")
        var micros: Int64 = 0
        if scanner.take(UInt8(ascii: ".")) {
            let digits = scanner.digits()
            guard !digits.isEmpty, digits.count <= 6 else { throw Failure(reason: "bad fractional seconds") }
            for digit in digits { micros = micros * 10 + Int64(digit - 48) }
            for _ in digits.count..<6 { micros *= 10 }
        }
        var offsetSeconds: Int64 = 0
        if let sign = scanner.takeSign() {
            let offsetHours = try scanner.number(minDigits: 2, maxDigits: 2, what: "zone hour")
            var offsetMinutes: Int64 = 0
            var offsetSecs: Int64 = 0
            if scanner.take(UInt8(ascii: ":")) {
                offsetMinutes = try scanner.number(minDigits: 2, maxDigits: 2, what: "zone minute")
                if scanner.take(UInt8(ascii: ":")) {
                    offsetSecs = try scanner.number(minDigits: 2, maxDigits: 2, what: "zone second")
                }
            }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60 + offsetSecs)
        }
        var civilYear = year
        if scanner.remainingEquals(" BC") {
            civilYear = 1 - year
            scanner.skipRest()
        }
        guard scanner.atEnd else { throw Failure(reason: "unexpected text after the timestamp") }
        guard year >= 1, (1...12).contains(month),
            day >= 1, day <= CivilCalendar.daysInMonth(year: civilYear, month: month),
            hour <= 23, minute <= 59, second <= 59
        else { throw Failure(reason: "date or time field out of range") }

        let days = CivilCalendar.days(year: civilYear, month: month, day: day)
        let secondsOfDay = hour * 3600 + minute * 60 + second - offsetSeconds
        // days * 86_400_000_000 can overflow for far-off years; check rather than trap.
        let (dayMicros, overflow1) = days.multipliedReportingOverflow(by: 86_400_000_000)
        let (total, overflow2) = dayMicros.addingReportingOverflow(secondsOfDay * 1_000_000 + micros)
        guard !overflow1, !overflow2 else { throw Failure(reason: "timestamp out of range") }
        return PostgresTimestamp(microsecondsSinceEpoch: total)
    }

    // MARK: bytea

    /// Decodes bytea text output: hex format (`\x0a0b`, the default since 9.0)
    /// or the older escape format.
    static func bytea(_ input: some Collection<UInt8>) throws(Failure) -> [UInt8] {
        try bytea(ArraySlice(input))
    }

    /// `bytea` of a cell's bytes, read in place.
    static func bytea(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        let start = bytes.startIndex
        if bytes.count >= 2, bytes[start] == UInt8(ascii: "\\"), bytes[start + 1] == UInt8(ascii: "x") {
            return try hexBytea(bytes[(start + 2)...])
        }
        return try escapeBytea(Array(bytes))
    }

    private static func hexBytea(_ digits: ArraySlice<UInt8>) throws(Failure) -> [UInt8] {
        guard digits.count % 2 == 0 else { throw Failure(reason: "odd number of hex digits in bytea") }
        guard let bytes = digits.withUnsafeBufferPointer({ Hex.decode(digits: $0) }) else {
            throw Failure(reason: "non-hex digit in bytea")
        }
        return bytes
    }

    private static func escapeBytea(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        var output = [UInt8]()
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                output.append(byte)
                index += 1
                continue
            }
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\\") {
                output.append(byte)
                index += 2
                continue
            }
            guard index + 3 < bytes.count else {
                throw Failure(reason: "truncated escape in bytea")
            }
            var value = 0
            for offset in 1...3 {
                let digit = bytes[index + offset]
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else {
                    throw Failure(reason: "bad octal escape in bytea")
                }
                value = value * 8 + Int(digit - 48)
            }
            guard value <= 255 else { throw Failure(reason: "bad octal escape in bytea") }
            output.append(UInt8(value))
            index += 4
        }
        return output
    }
}

/// A cursor over ASCII bytes for the small parsers above.
private struct ByteScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    func remainingEquals(_ text: String) -> Bool {
        bytes[index...].elementsEqual(text.utf8)
    }

    mutating func skipRest() { index = bytes.count }

    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func expect(_ byte: UInt8, what: String) throws(TextFormat.Failure) {
        guard take(byte) else { throw TextFormat.Failure(reason: "malformed \(what)") }
    }

    mutating func takeSign() -> Int64? {
        if take(UInt8(ascii: "+")) { return 1 }
        if take(UInt8(ascii: "-")) { return -1 }
        return nil
    }

    mutating func digits() -> Slice<UnsafeBufferPointer<UInt8>> {
        let start = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
        return bytes[start..<index]
    }

    mutating func number(minDigits: Int, maxDigits: Int, what: String) throws(TextFormat.Failure) -> Int64 {
        let run = digits()
        guard run.count >= minDigits, run.count <= maxDigits else {
            throw TextFormat.Failure(reason: "malformed \(what)")
        }
        return run.reduce(0) { $0 * 10 + Int64($1 - 48) }
    }
}
