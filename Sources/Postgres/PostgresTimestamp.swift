import Foundation

/// A timestamptz with PostgreSQL's own precision: microseconds since
/// 1970-01-01 00:00:00 UTC. Converts to and from `Date` (which rounds).
public struct PostgresTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    /// Rounds the date to the nearest microsecond.
    public init(_ date: Date) {
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        // Clamp rather than trap on absurd dates; PostgreSQL rejects them anyway.
        if micros >= Double(Int64.max) {
            microsecondsSinceEpoch = .max
        } else if micros <= Double(Int64.min) {
            microsecondsSinceEpoch = .min
        } else {
            microsecondsSinceEpoch = Int64(micros)
        }
    }

    public var date: Date {
        let seconds = microsecondsSinceEpoch.quotientAndFloor(by: 1_000_000)
        return Date(timeIntervalSince1970: Double(seconds.quotient) + Double(seconds.remainder) / 1_000_000)
    }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public var description: String { postgresText }

    /// ISO text in UTC that PostgreSQL accepts as timestamptz input,
    /// e.g. `2024-05-01 12:00:00.000250+00` (with ` BC` for years before 1).
    public var postgresText: String {
        let (days, microsOfDay) = microsecondsSinceEpoch.quotientAndFloor(by: 86_400_000_000)
        let (year, month, day) = CivilCalendar.civil(fromDays: days)
        let seconds = microsOfDay / 1_000_000
        let fraction = microsOfDay % 1_000_000
        let isBC = year <= 0
        let displayYear = isBC ? 1 - year : year
        var text = pad(displayYear, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += " " + pad(seconds / 3600, 2) + ":" + pad(seconds / 60 % 60, 2) + ":" + pad(seconds % 60, 2)
        text += "." + pad(fraction, 6) + "+00"
        if isBC { text += " BC" }
        return text
    }

    private func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division that rounds toward negative infinity, with a non-negative remainder.
    func quotientAndFloor(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var quotient = self / divisor
        var remainder = self % divisor
        if remainder < 0 {
            quotient -= 1
            remainder += divisor
        }
        return (quotient, remainder)
    }
}

/// Proleptic Gregorian day arithmetic (Howard Hinnant's algorithms), so that
/// timestamps convert without Foundation calendars or time zones.
public enum CivilCalendar {
    /// Days since 1970-01-01 for a civil date; year 0 is 1 BC.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    public static func civil(fromDays input: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = input + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2:
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
