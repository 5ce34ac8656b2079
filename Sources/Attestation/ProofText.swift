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
        if let hashes = plainHashes(bytes) { return .hashes(hashes) }
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

    /// The siblings of text that is exactly a JSON array of content hashes
    /// (what PostgreSQL prints for every stored proof), decoded in the one
    /// pass that checks it; nil at the first byte that is anything else, and
    /// `stringRanges` decides as before. Where this answers, the slow path
    /// answers the same: each string is read by the same `contentHash`.
    static func plainHashes(_ bytes: UnsafeBufferPointer<UInt8>) -> [[UInt8]]? {
        let hashLength = 2 + 2 * ContentHash.byteCount
        var cursor = JSONCursor(bytes)
        var hashes: [[UInt8]] = []
        guard cursor.openArray() else { return nil }
        if !cursor.take("]") {
            // Each element: `"`, a content hash, `"`.
            repeat {
                cursor.skipSpace()
                let index = cursor.index
                guard index + hashLength + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\""),
                    bytes[index + hashLength + 1] == UInt8(ascii: "\""),
                    let hash = contentHash(UnsafeBufferPointer(rebasing: bytes[(index + 1)..<(index + hashLength + 1)]))
                else { return nil }
                hashes.append(hash)
                cursor.index += hashLength + 2
                cursor.skipSpace()
            } while cursor.take(",")
            guard cursor.take("]") else { return nil }
        }
        return cursor.atEnd() ? hashes : nil
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
        var cursor = JSONCursor(bytes)
        var ranges: [Range<Int>] = []
        guard cursor.openArray() else { return nil }
        if !cursor.take("]") {
            repeat {
                cursor.skipSpace()
                guard cursor.take("\"") else { return nil }
                let start = cursor.index
                while cursor.index < bytes.count, bytes[cursor.index] != UInt8(ascii: "\"") {
                    // Printable ASCII but the backslash: the string is its bytes.
                    let byte = bytes[cursor.index]
                    guard (0x20...0x7E).contains(byte), byte != UInt8(ascii: "\\") else { return nil }
                    cursor.index += 1
                }
                ranges.append(start..<cursor.index)
                guard cursor.take("\"") else { return nil }
                cursor.skipSpace()
            } while cursor.take(",")
            guard cursor.take("]") else { return nil }
        }
        return cursor.atEnd() ? ranges : nil
    }
}

/// A position in JSON text, for the two array readers above.
private struct JSONCursor {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// JSON's four whitespace characters.
    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func take(_ byte: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: byte) else { return false }
        index += 1
        return true
    }

    /// `[` after any space, and the space after it.
    mutating func openArray() -> Bool {
        skipSpace()
        guard take("[") else { return false }
        skipSpace()
        return true
    }

    /// Only space is left.
    mutating func atEnd() -> Bool {
        skipSpace()
        return index == bytes.count
    }
}
