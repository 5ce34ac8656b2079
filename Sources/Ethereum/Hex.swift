/// Hexadecimal text <-> bytes, the one place the project converts them.
public enum Hex {
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    private static let digits = Array("0123456789abcdef".utf8)

    /// Lowercase hex without a prefix.
    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase hex with a `0x` prefix.
    public static func encodePrefixed<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        "0x" + encode(bytes)
    }

    /// Decodes hex with or without `0x`, either case; an odd length or a
    /// non-hex character is an error.
    public static func decode(_ text: some StringProtocol) throws(DecodingError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") {
            utf8.removeFirst(2)
        }
        guard utf8.count % 2 == 0 else {
            throw DecodingError(description: "hex string has an odd number of digits")
        }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else {
                throw DecodingError(description: "invalid hex digit at offset \(index)")
            }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
