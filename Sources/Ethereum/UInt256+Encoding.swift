// UInt256 <-> bytes and text: 32-byte words (ABI), minimal bytes (RLP),
// JSON-RPC quantities ("0x1a") and decimal.

extension UInt256 {
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let description: String
    }

    /// Big-endian bytes, at most 32 (shorter input is left-padded with zeros).
    public init(bigEndianBytes bytes: some Collection<UInt8>) throws(ParseError) {
        guard bytes.count <= 32 else {
            throw ParseError(description: "\(bytes.count) bytes do not fit a 256-bit integer")
        }
        var result = UInt256.zero
        var position = bytes.count - 1
        for byte in bytes {
            result[position / 8] |= UInt64(byte) << UInt64((position % 8) * 8)
            position -= 1
        }
        self = result
    }

    /// Hex digits with or without `0x`; leading zeros are accepted, at most
    /// 64 significant digits.
    public init(hex text: some StringProtocol) throws(ParseError) {
        var digits = Substring(text)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty else { throw ParseError(description: "hex quantity has no digits") }
        var result = UInt256.zero
        for char in digits.utf8 {
            guard let nibble = Self.hexValue(char) else {
                throw ParseError(description: "invalid hex digit in quantity")
            }
            guard result.limbs.3 >> 60 == 0 else {
                throw ParseError(description: "hex quantity exceeds 256 bits")
            }
            result = result << 4
            result.limbs.0 |= UInt64(nibble)
        }
        self = result
    }

    /// Decimal digits only (no sign, no separators).
    public init(decimal text: some StringProtocol) throws(ParseError) {
        guard !text.isEmpty else { throw ParseError(description: "decimal number has no digits") }
        var result = UInt256.zero
        for char in text.utf8 {
            guard char >= UInt8(ascii: "0"), char <= UInt8(ascii: "9") else {
                throw ParseError(description: "invalid decimal digit")
            }
            let (times10, o1) = result.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt256(UInt64(char - UInt8(ascii: "0"))))
            guard !o1, !o2 else { throw ParseError(description: "decimal number exceeds 256 bits") }
            result = sum
        }
        self = result
    }

    /// `0x`-prefixed text is hex, anything else decimal.
    public init(parsing text: some StringProtocol) throws(ParseError) {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            try self.init(hex: text)
        } else {
            try self.init(decimal: text)
        }
    }

    /// Exactly 32 big-endian bytes (an ABI word).
    public var bigEndianBytes: [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        for index in 0..<32 {
            let limb = self[3 - index / 8]
            out[index] = UInt8(truncatingIfNeeded: limb >> UInt64((7 - index % 8) * 8))
        }
        return out
    }

    /// Big-endian bytes without leading zeros; empty for zero (RLP's integer form).
    public var minimalBigEndianBytes: [UInt8] {
        let bytes = bigEndianBytes
        let firstNonZero = bytes.firstIndex { $0 != 0 } ?? 32
        return Array(bytes[firstNonZero...])
    }

    /// JSON-RPC quantity: `0x` + lowercase hex without leading zeros ("0x0" for zero).
    public var hexQuantity: String {
        let hex = Hex.encode(minimalBigEndianBytes)
        let trimmed = hex.drop { $0 == "0" }
        return "0x" + (trimmed.isEmpty ? "0" : trimmed)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
