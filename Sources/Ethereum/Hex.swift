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
        // A native string's bytes are read in place (this is on the verifier's per-case path).
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decoding($0) }) {
            return try decoded.get()
        }
        return try Array(text.utf8).withUnsafeBufferPointer { decoding($0) }.get()
    }

    /// `decode` of text given as its UTF-8 bytes.
    public static func decode(utf8: UnsafeBufferPointer<UInt8>) throws(DecodingError) -> [UInt8] {
        try decoding(utf8).get()
    }

    private static func decoding(_ utf8: UnsafeBufferPointer<UInt8>) -> Result<[UInt8], DecodingError> {
        var start = 0
        if utf8.count >= 2, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x") {
            start = 2
        }
        let digits = utf8.count - start
        guard digits % 2 == 0 else {
            return .failure(DecodingError(description: "hex string has an odd number of digits"))
        }
        var failedAt: Int?
        let out = [UInt8](unsafeUninitializedCapacity: digits / 2) { buffer, initialized in
            var index = 0
            while index < digits {
                guard let high = nibble(utf8[start + index]), let low = nibble(utf8[start + index + 1]) else {
                    failedAt = index
                    return
                }
                buffer[index / 2] = high << 4 | low
                index += 2
                initialized = index / 2
            }
        }
        if let failedAt {
            return .failure(DecodingError(description: "invalid hex digit at offset \(failedAt)"))
        }
        return .success(out)
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
