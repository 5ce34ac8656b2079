/// A Recursive Length Prefix item: a byte string or a list of items.
public indirect enum RLPItem: Sendable, Hashable {
    case bytes([UInt8])
    case list([RLPItem])
}

/// RLP encoding and strict decoding (the canonical form only, as Ethereum
/// clients require).
public enum RLP {
    /// Nesting deeper than this is rejected; Ethereum's own structures need
    /// three or four levels, and a bound keeps hostile input from exhausting the stack.
    public static let maxDepth = 128

    public static func encode(_ item: RLPItem) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(encodedLength(item))
        append(item, to: &out)
        return out
    }

    /// Decodes exactly one item that spans all of `input`.
    public static func decode(_ input: [UInt8]) throws(RLPError) -> RLPItem {
        guard !input.isEmpty else { throw RLPError(.empty, "no input") }
        var decoder = RLPDecoder(input: input)
        let item = try decoder.item(end: input.count, depth: 0)
        guard decoder.position == input.count else {
            throw RLPError(
                .trailingBytes, at: decoder.position, "\(input.count - decoder.position) bytes after the item")
        }
        return item
    }

    // MARK: Encoding

    static func encodedLength(_ item: RLPItem) -> Int {
        switch item {
        case .bytes(let bytes):
            if bytes.count == 1 && bytes[0] < 0x80 { return 1 }
            return headerLength(bytes.count) + bytes.count
        case .list(let items):
            let payload = items.reduce(0) { $0 + encodedLength($1) }
            return headerLength(payload) + payload
        }
    }

    static func headerLength(_ payload: Int) -> Int {
        payload < 56 ? 1 : 1 + byteCount(of: payload)
    }

    static func byteCount(of value: Int) -> Int {
        (Int.bitWidth - value.leadingZeroBitCount + 7) / 8
    }

    static func append(_ item: RLPItem, to out: inout [UInt8]) {
        switch item {
        case .bytes(let bytes):
            if bytes.count == 1 && bytes[0] < 0x80 {
                out.append(bytes[0])
            } else {
                appendHeader(bytes.count, shortBase: 0x80, to: &out)
                out.append(contentsOf: bytes)
            }
        case .list(let items):
            let payload = items.reduce(0) { $0 + encodedLength($1) }
            appendHeader(payload, shortBase: 0xC0, to: &out)
            for child in items { append(child, to: &out) }
        }
    }

    static func appendHeader(_ length: Int, shortBase: UInt8, to out: inout [UInt8]) {
        if length < 56 {
            out.append(shortBase + UInt8(length))
        } else {
            let count = byteCount(of: length)
            out.append(shortBase + 55 + UInt8(count))
            for shift in stride(from: (count - 1) * 8, through: 0, by: -8) {
                out.append(UInt8(truncatingIfNeeded: length >> shift))
            }
        }
    }
}

/// Cursor over the input; every read is bounds-checked against `end`.
struct RLPDecoder {
    let input: [UInt8]
    var position = 0

    mutating func item(end: Int, depth: Int) throws(RLPError) -> RLPItem {
        let start = position
        guard start < end else { throw RLPError(.truncated, at: start, "expected an item") }
        let prefix = input[start]
        switch prefix {
        case 0x00...0x7F:
            position += 1
            return .bytes([prefix])
        case 0x80...0xBF:
            let (payloadStart, length) = try header(prefix: prefix, shortBase: 0x80, start: start, end: end)
            if length == 1 && input[payloadStart] < 0x80 {
                throw RLPError(.nonCanonical, at: start, "a single byte below 0x80 must be encoded as itself")
            }
            position = payloadStart + length
            return .bytes(Array(input[payloadStart..<position]))
        default:
            guard depth < RLP.maxDepth else {
                throw RLPError(.tooDeep, at: start, "lists nested deeper than \(RLP.maxDepth)")
            }
            let (payloadStart, length) = try header(prefix: prefix, shortBase: 0xC0, start: start, end: end)
            let payloadEnd = payloadStart + length
            position = payloadStart
            var items = [RLPItem]()
            while position < payloadEnd {
                items.append(try item(end: payloadEnd, depth: depth + 1))
            }
            return .list(items)
        }
    }

    /// Reads a string or list header; returns where the payload starts and its
    /// length, having checked that the payload fits before `end`.
    private func header(prefix: UInt8, shortBase: UInt8, start: Int, end: Int) throws(RLPError) -> (Int, Int) {
        let available = end - start - 1
        if prefix <= shortBase + 55 {
            let length = Int(prefix - shortBase)
            guard length <= available else {
                throw RLPError(.truncated, at: start, "item claims \(length) bytes, \(available) remain")
            }
            return (start + 1, length)
        }
        let lengthOfLength = Int(prefix - shortBase - 55)
        guard lengthOfLength <= available else {
            throw RLPError(.truncated, at: start, "length field runs past the end")
        }
        guard input[start + 1] != 0 else {
            throw RLPError(.nonCanonical, at: start, "length has a leading zero byte")
        }
        var length: UInt64 = 0
        for index in (start + 1)...(start + lengthOfLength) {
            length = length << 8 | UInt64(input[index])
        }
        guard length >= 56 else {
            throw RLPError(.nonCanonical, at: start, "a length below 56 must use the short form")
        }
        let remaining = UInt64(available - lengthOfLength)
        guard length <= remaining else {
            throw RLPError(.truncated, at: start, "item claims \(length) bytes, \(remaining) remain")
        }
        return (start + 1 + lengthOfLength, Int(length))
    }
}
