import Attestation

/// Reads the appointments of `AttestationIntake.peek`'s query, the JSON
/// text `[[id, scheduled_at µs, status, location_type], ...]` that
/// PostgreSQL's json_agg writes, without JSONDecoder (it cost a tenth of a
/// POST's server CPU). Only the plain form is read here: integers of at most
/// 18 digits, null, and strings with no escape; anything else returns nil and
/// the caller decodes it the general way, so every input reads the same.
enum AppointmentSummary {
    static func parse(_ text: String) -> [AppointmentRecord]? {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            return scanner.appointments()
        }
    }

    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func appointments() -> [AppointmentRecord]? {
            guard take(UInt8(ascii: "[")) else { return nil }
            var result: [AppointmentRecord] = []
            if take(UInt8(ascii: "]")) { return atEnd() ? result : nil }
            repeat {
                guard let appointment = appointment() else { return nil }
                result.append(appointment)
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")), atEnd() else { return nil }
            return result
        }

        private mutating func appointment() -> AppointmentRecord? {
            guard take(UInt8(ascii: "[")), case .integer(let id)? = value(), take(UInt8(ascii: ",")),
                let scheduled = value(), take(UInt8(ascii: ",")), let status = value(), take(UInt8(ascii: ",")),
                let location = value(), take(UInt8(ascii: "]"))
            else { return nil }
            let scheduledAt: Timestamp?
            switch scheduled {
            case .integer(let micros): scheduledAt = Timestamp(microsecondsSinceEpoch: micros)
            case .null: scheduledAt = nil
            case .string: return nil
            }
            guard let status = status.text, let location = location.text else { return nil }
            return AppointmentRecord(id: id, scheduledAt: scheduledAt, status: status, locationType: location)
        }

        enum Value {
            case integer(Int64)
            case string(String)
            case null

            /// The text of a string, `.some(nil)` for null, nil for an integer.
            var text: String?? {
                switch self {
                case .string(let value): .some(value)
                case .null: .some(nil)
                case .integer: nil
                }
            }
        }

        private mutating func value() -> Value? {
            skipSpace()
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "n"):
                guard bytes.count - position >= 4, bytes[position + 1] == UInt8(ascii: "u"),
                    bytes[position + 2] == UInt8(ascii: "l"), bytes[position + 3] == UInt8(ascii: "l")
                else { return nil }
                position += 4
                return .null
            case UInt8(ascii: "\""):
                let start = position + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                    // Escapes and raw controls go the general way.
                    if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
                    end += 1
                }
                guard end < bytes.count else { return nil }
                position = end + 1
                return .string(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
            default:
                return integer()
            }
        }

        private mutating func integer() -> Value? {
            let negative = bytes[position] == UInt8(ascii: "-")
            var index = negative ? position + 1 : position
            let start = index
            var magnitude: Int64 = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                magnitude = magnitude * 10 + Int64(bytes[index] &- UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            // No leading zero (not JSON), at most 18 digits (no overflow),
            // and a number that ends here (no fraction or exponent).
            guard digits >= 1, digits <= 18, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                return nil
            }
            position = index
            return .integer(negative ? -magnitude : magnitude)
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard position < bytes.count, bytes[position] == byte else { return false }
            position += 1
            return true
        }

        private mutating func atEnd() -> Bool {
            skipSpace()
            return position == bytes.count
        }

        private mutating func skipSpace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }
    }
}
