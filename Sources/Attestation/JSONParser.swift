extension JSONValue {
    /// Parses one strict RFC 8259 JSON text: no byte order mark, comments,
    /// trailing commas, NaN/Infinity, leading zeros, duplicate member names,
    /// invalid UTF-8, unescaped control characters or lone surrogates, and no
    /// number that overflows an IEEE-754 double. Nesting deeper than
    /// `maximumNestingDepth` is rejected. Never traps on any input.
    public static func parse(_ bytes: [UInt8]) throws(JSONError) -> JSONValue {
        var parser = JSONParser(input: bytes)
        return try parser.parseDocument()
    }

    public static func parse(_ text: String) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// A recursive-descent parser over bytes. Recursion depth is bounded by
/// `JSONValue.maximumNestingDepth`.
struct JSONParser {
    let input: [UInt8]
    var position = 0
    var depth = 0

    init(input: [UInt8]) {
        self.input = input
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if input.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw JSONError(.syntax, at: 0, "a byte order mark is not allowed before JSON text")
        }
        skipWhitespace()
        guard position < input.count else {
            throw JSONError(.unexpectedEnd, at: position, "no JSON value in the input")
        }
        let value = try parseValue()
        skipWhitespace()
        guard position == input.count else {
            throw JSONError(
                .trailingContent, at: position, "unexpected \(describe(input[position])) after the JSON value")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        guard position < input.count else { throw endOfInput(expecting: "a value") }
        switch input[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            throw JSONError(.syntax, at: position, "NaN and Infinity are not JSON numbers")
        default:
            throw JSONError(.syntax, at: position, "unexpected \(describe(input[position])), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let bytes = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        guard input.count - position >= count, input[position..<position + count].elementsEqual(bytes) else {
            throw JSONError(.syntax, at: start, "invalid literal, expected \(literal)")
        }
        position += count
    }

    private mutating func enterContainer() throws(JSONError) {
        depth += 1
        if depth > JSONValue.maximumNestingDepth {
            throw JSONError(
                .nestingTooDeep, at: position,
                "nesting deeper than \(JSONValue.maximumNestingDepth) arrays/objects")
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try enterContainer()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard position < input.count else { throw endOfInput(expecting: "',' or ']'") }
            let byte = input[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            throw JSONError(.syntax, at: position - 1, "unexpected \(describe(byte)) in array, expected ',' or ']'")
        }
        depth -= 1
        return .array(elements)
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try enterContainer()
        position += 1
        var members: [(key: String, value: JSONValue)] = []
        var seenKeys = Set<[UInt8]>()  // filled only for larger objects
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < input.count else { throw endOfInput(expecting: "a member name") }
            guard input[position] == UInt8(ascii: "\"") else {
                throw JSONError(
                    .syntax, at: position,
                    "unexpected \(describe(input[position])), expected a member name in double quotes")
            }
            let keyOffset = position
            let key = try parseString()
            if isDuplicate(key, in: members, seen: &seenKeys) {
                throw JSONError(.duplicateKey, at: keyOffset, "duplicate member name \"\(key)\"")
            }
            skipWhitespace()
            guard position < input.count else { throw endOfInput(expecting: "':'") }
            guard input[position] == UInt8(ascii: ":") else {
                throw JSONError(.syntax, at: position, "unexpected \(describe(input[position])), expected ':'")
            }
            position += 1
            skipWhitespace()
            members.append((key: key, value: try parseValue()))
            skipWhitespace()
            guard position < input.count else { throw endOfInput(expecting: "',' or '}'") }
            let byte = input[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            throw JSONError(.syntax, at: position - 1, "unexpected \(describe(byte)) in object, expected ',' or '}'")
        }
        depth -= 1
        return .object(members)
    }

    /// Names are compared as code point sequences (not Swift's canonical
    /// equivalence): "\u00e9" and "e\u0301" are different members in JCS.
    private func isDuplicate(
        _ key: String, in members: [(key: String, value: JSONValue)],
        seen: inout Set<[UInt8]>
    ) -> Bool {
        if members.count < 8 {
            return members.contains { $0.key.utf8.elementsEqual(key.utf8) }
        }
        if seen.isEmpty {
            for member in members { seen.insert(Array(member.key.utf8)) }
        }
        return !seen.insert(Array(key.utf8)).inserted
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONError) -> Double {
        let start = position
        var isPlainInteger = true
        if input[position] == UInt8(ascii: "-") { position += 1 }
        guard position < input.count, isDigit(input[position]) else {
            throw JSONError(.invalidNumber, at: position, "expected a digit in number")
        }
        if input[position] == UInt8(ascii: "0") {
            position += 1
            if position < input.count, isDigit(input[position]) {
                throw JSONError(.invalidNumber, at: start, "leading zeros are not allowed in numbers")
            }
        } else {
            skipDigits()
        }
        if position < input.count, input[position] == UInt8(ascii: ".") {
            isPlainInteger = false
            position += 1
            guard position < input.count, isDigit(input[position]) else {
                throw JSONError(.invalidNumber, at: position, "expected a digit after the decimal point")
            }
            skipDigits()
        }
        if position < input.count, input[position] | 0x20 == UInt8(ascii: "e") {
            isPlainInteger = false
            position += 1
            if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < input.count, isDigit(input[position]) else {
                throw JSONError(.invalidNumber, at: position, "expected a digit in the exponent")
            }
            skipDigits()
        }
        let literal = input[start..<position]
        // Up to 15 digits an integer is exact in a double: skip strtod.
        if isPlainInteger, literal.count <= 15 {
            var magnitude: Int64 = 0
            for byte in literal where byte != UInt8(ascii: "-") {
                magnitude = magnitude * 10 + Int64(byte - UInt8(ascii: "0"))
            }
            return literal.first == UInt8(ascii: "-") ? -Double(magnitude) : Double(magnitude)
        }
        // The grammar above is a subset of what Double(String) accepts, and
        // Double(String) rounds correctly (ties to even).
        guard let value = Double(String(decoding: literal, as: UTF8.self)) else {
            throw JSONError(.invalidNumber, at: start, "malformed number")
        }
        guard value.isFinite else {
            throw JSONError(.numberOutOfRange, at: start, "number is outside the range of an IEEE-754 double")
        }
        return value
    }

    private mutating func skipDigits() {
        while position < input.count, isDigit(input[position]) { position += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONError) -> String {
        position += 1  // opening quote
        var bytes: [UInt8] = []
        while true {
            guard position < input.count else { throw endOfInput(expecting: "the closing '\"' of a string") }
            let byte = input[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                // Validated as UTF-8 below, so decoding repairs nothing.
                return String(decoding: bytes, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &bytes)
            case 0x00..<0x20:
                throw JSONError(
                    .controlCharacter, at: position,
                    "control character \(describe(byte)) must be escaped in a string")
            case 0x20..<0x80:
                bytes.append(byte)
                position += 1
            default:
                let length = try utf8SequenceLength(at: position)
                bytes.append(contentsOf: input[position..<position + length])
                position += length
            }
        }
    }

    private mutating func parseEscape(into bytes: inout [UInt8]) throws(JSONError) {
        let escapeOffset = position
        position += 1
        guard position < input.count else { throw endOfInput(expecting: "an escape character") }
        let code = input[position]
        position += 1
        switch code {
        case UInt8(ascii: "\""): bytes.append(0x22)
        case UInt8(ascii: "\\"): bytes.append(0x5C)
        case UInt8(ascii: "/"): bytes.append(0x2F)
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hexQuad()
            var scalar = UInt32(unit)
            if (0xD800...0xDBFF).contains(unit) {
                guard input.count - position >= 6, input[position] == UInt8(ascii: "\\"),
                    input[position + 1] == UInt8(ascii: "u")
                else {
                    throw JSONError(
                        .loneSurrogate, at: escapeOffset, "high surrogate without a following low surrogate")
                }
                position += 2
                let low = try hexQuad()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONError(
                        .loneSurrogate, at: escapeOffset, "high surrogate without a following low surrogate")
                }
                scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw JSONError(.loneSurrogate, at: escapeOffset, "low surrogate without a preceding high surrogate")
            }
            appendUTF8(scalar, to: &bytes)
        default:
            throw JSONError(.invalidEscape, at: escapeOffset, "invalid escape sequence \\\(describe(code))")
        }
    }

    private mutating func hexQuad() throws(JSONError) -> UInt16 {
        guard input.count - position >= 4 else { throw endOfInput(expecting: "four hex digits after \\u") }
        var value: UInt16 = 0
        for offset in 0..<4 {
            let byte = input[position + offset]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default:
                throw JSONError(.invalidEscape, at: position + offset, "expected a hex digit in \\u escape")
            }
            value = value << 4 | UInt16(digit)
        }
        position += 4
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to bytes: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            bytes.append(UInt8(scalar))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | scalar >> 6))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | scalar >> 12))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        default:
            bytes.append(UInt8(0xF0 | scalar >> 18))
            bytes.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            bytes.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            bytes.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Length of the well-formed UTF-8 sequence starting at `offset`
    /// (Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
    private func utf8SequenceLength(at offset: Int) throws(JSONError) -> Int {
        let lead = input[offset]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; secondRange = 0x80...0x9F
        case 0xF0: length = 4; secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; secondRange = 0x80...0x8F
        default: throw JSONError(.invalidUTF8, at: offset, "invalid UTF-8 lead byte 0x\(hexByte(lead))")
        }
        guard input.count - offset >= length, secondRange.contains(input[offset + 1]) else {
            throw JSONError(.invalidUTF8, at: offset, "invalid or truncated UTF-8 sequence")
        }
        for index in (offset + 2)..<(offset + length) where !(0x80...0xBF).contains(input[index]) {
            throw JSONError(.invalidUTF8, at: offset, "invalid or truncated UTF-8 sequence")
        }
        return length
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    private func endOfInput(expecting what: String) -> JSONError {
        JSONError(.unexpectedEnd, at: position, "input ended early, expected \(what)")
    }

    private func describe(_ byte: UInt8) -> String {
        if byte > 0x20, byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hexByte(byte))"
    }

    private func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
