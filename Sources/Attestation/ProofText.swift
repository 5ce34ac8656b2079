import Ethereum

/// A stored proof as PostgreSQL prints its jsonb (`["0x…", "0x…"]`), read at
/// the byte level: Foundation's JSON parser cost more per case than the
/// proof's hashing in `verify`.
public enum ProofText {
    /// The siblings when `text` is a JSON array of plain strings (printable
    /// ASCII, no escapes), each read as `ContentHash(hex:)` reads it and
    /// throwing its error; nil for any other text, which the caller parses
    /// as JSON (so what is accepted or rejected is exactly as before).
    public static func siblings(_ text: String) throws(AttestationError) -> [[UInt8]]? {
        var text = text
        switch text.withUTF8(scan) {
        case .notPlain: return nil
        case .hashes(let hashes): return hashes
        case .strings(let strings):
            // Some string is not a content hash: the same error as through JSON.
            var hashes: [[UInt8]] = []
            for string in strings { hashes.append(try ContentHash(hex: string).bytes) }
            return hashes
        }
    }

    private enum Scan {
        case notPlain
        case hashes([[UInt8]])
        case strings([String])
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Scan {
        guard let ranges = stringRanges(bytes) else { return .notPlain }
        var hashes: [[UInt8]] = []
        hashes.reserveCapacity(ranges.count)
        for range in ranges {
            guard let hash = contentHash(UnsafeBufferPointer(rebasing: bytes[range])) else {
                return .strings(ranges.map { String(decoding: bytes[$0], as: UTF8.self) })
            }
            hashes.append(hash)
        }
        return .hashes(hashes)
    }

    /// `ContentHash(hex:)`'s rule: `0x` and 64 hex digits of either case.
    private static func contentHash(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard text.count == 2 + 2 * ContentHash.byteCount, text[0] == UInt8(ascii: "0"), text[1] == UInt8(ascii: "x")
        else { return nil }
        return try? Hex.decode(utf8: text)
    }

    /// The contents of each string of a JSON array of plain strings; nil
    /// when the text is anything else.
    static func stringRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>]? {
        var index = 0
        func skipSpace() {
            // JSON's four whitespace characters.
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }
        func take(_ byte: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: byte) else { return false }
            index += 1
            return true
        }
        var ranges: [Range<Int>] = []
        skipSpace()
        guard take("[") else { return nil }
        skipSpace()
        if !take("]") {
            repeat {
                skipSpace()
                guard take("\"") else { return nil }
                let start = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    // Printable ASCII but the backslash: the string is its bytes.
                    guard (0x20...0x7E).contains(bytes[index]), bytes[index] != UInt8(ascii: "\\") else { return nil }
                    index += 1
                }
                ranges.append(start..<index)
                guard take("\"") else { return nil }
                skipSpace()
            } while take(",")
            guard take("]") else { return nil }
        }
        skipSpace()
        return index == bytes.count ? ranges : nil
    }
}
