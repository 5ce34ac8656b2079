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
                let high = value(utf8[start + index])
                let low = value(utf8[start + index + 1])
                // A non-digit's 0xFF is the only value with high bits set.
                guard (high | low) & 0xF0 == 0 else {
                    failedAt = index
                    initialized = index / 2
                    return
                }
                buffer[index / 2] = high << 4 | low
                index += 2
            }
            initialized = digits / 2
        }
        if let failedAt {
            return .failure(DecodingError(description: "invalid hex digit at offset \(failedAt)"))
        }
        return .success(out)
    }

    /// A hex digit's value; 0xFF for any other byte. Arithmetic, not a
    /// switch of ranges or a table: this runs for every digit `verify` reads.
    @inline(__always)
    public static func value(_ c: UInt8) -> UInt8 {
        let decimal = c &- UInt8(ascii: "0")
        if decimal < 10 { return decimal }
        let letter = (c | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter &+ 10 : 0xFF
    }
}
