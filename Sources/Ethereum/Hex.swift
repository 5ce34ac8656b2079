/// Hexadecimal text <-> bytes, the one place the project converts them.
public enum Hex {
    public struct DecodingError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Lowercase hex without a prefix.
    public static func encode<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        // Contiguous bytes (every caller's) are written straight into the
        // string's storage: no intermediate array (the verifier's per-case path).
        if let text = bytes.withContiguousStorageIfAvailable({ encode(contiguous: $0) }) { return text }
        return encode(contiguous: Array(bytes))
    }

    private static func encode(contiguous bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (index, byte) in bytes.enumerated() {
                out[2 * index] = digit(byte >> 4)
                out[2 * index + 1] = digit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    private static func encode(contiguous bytes: [UInt8]) -> String {
        bytes.withUnsafeBufferPointer { encode(contiguous: $0) }
    }

    /// The lowercase digit of a value below 16.
    @inline(__always)
    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? value &+ UInt8(ascii: "0") : value &+ (UInt8(ascii: "a") &- 10)
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
        let prefixed = utf8.count >= 2 && utf8[0] == UInt8(ascii: "0") && utf8[1] | 0x20 == UInt8(ascii: "x")
        let digits = UnsafeBufferPointer(rebasing: utf8[(prefixed ? 2 : 0)...])
        guard digits.count % 2 == 0 else {
            return .failure(DecodingError(description: "hex string has an odd number of digits"))
        }
        guard let bytes = decode(digits: digits) else {
            // The offset of the pair holding the first bad digit.
            let offset = (digits.firstIndex { value($0) == 0xFF } ?? 0) & ~1
            return .failure(DecodingError(description: "invalid hex digit at offset \(offset)"))
        }
        return .success(bytes)
    }

    /// The bytes of an even count of hex digits (either case, no prefix);
    /// nil for an odd count or any other byte. Every digit is read and a bad
    /// one noticed once at the end: no branch per digit (the verifier reads
    /// about a thousand per case; PostgreSQL's `bytea` text is these digits).
    public static func decode(digits: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard digits.count % 2 == 0 else { return nil }
        var seen: UInt8 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: digits.count / 2) { buffer, initialized in
            for index in 0..<digits.count / 2 {
                let high = value(digits[2 &* index])
                let low = value(digits[2 &* index &+ 1])
                seen |= high | low
                buffer[index] = high << 4 | low
            }
            initialized = digits.count / 2
        }
        // A non-digit's 0xFF is the only value with high bits set.
        return seen & 0xF0 == 0 ? bytes : nil
    }

    /// A hex digit's value; 0xFF for any other byte. Masks, not branches or a
    /// table: a hash's digits are random, so a branch on "digit or letter"
    /// would be mispredicted about every other time (perf showed it).
    @inline(__always)
    public static func value(_ c: UInt8) -> UInt8 {
        let decimal = c &- UInt8(ascii: "0")
        let letter = (c | 0x20) &- UInt8(ascii: "a")
        let isDecimal = mask(decimal < 10)
        let isLetter = mask(letter < 6)
        return (decimal & isDecimal) | ((letter &+ 10) & isLetter) | ~(isDecimal | isLetter)
    }

    /// 0xFF when true, 0 when false.
    @inline(__always)
    static func mask(_ condition: Bool) -> UInt8 {
        0 &- UInt8(truncatingIfNeeded: condition ? 1 : 0)
    }
}
