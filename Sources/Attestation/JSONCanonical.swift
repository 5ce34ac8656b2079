extension JSONValue {
    /// RFC 8785 canonical form: no whitespace, members sorted by their names'
    /// UTF-16 code units, the RFC's minimal string escaping and ECMAScript
    /// number formatting. Non-finite numbers cannot come from the parser; if
    /// built by hand they are written as `null`, as ECMAScript's
    /// JSON.stringify (on which JCS is defined) does.
    public func canonicalBytes() -> [UInt8] {
        // Size the result once from an upper bound, then write without
        // per-append capacity checks.
        let bound = canonicalByteBound()
        return [UInt8](unsafeUninitializedCapacity: bound) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var writer = ByteWriter(base: base, capacity: bound)
            write(to: &writer)
            initialized = writer.count
        }
    }

    /// At least the canonical size: strings 2 + 6 per UTF-8 byte, numbers
    /// 25 ("-1.7976931348623157e+308" is 24), literals 5, separators 1 each.
    func canonicalByteBound() -> Int {
        switch self {
        case .null, .bool: return 5
        case .number: return 25
        case .string(let value): return 2 + 6 * value.utf8.count
        case .array(let elements):
            var total = 2 + elements.count
            for element in elements { total += element.canonicalByteBound() }
            return total
        case .object(let members):
            var total = 2 + 2 * members.count
            for member in members { total += 2 + 6 * member.key.utf8.count + member.value.canonicalByteBound() }
            return total
        }
    }

    func write(to writer: inout ByteWriter) {
        switch self {
        case .null: writer.literal("null")
        case .bool(let value): writer.literal(value ? "true" : "false")
        case .number(let value): ECMAScriptNumber.write(value, to: &writer)
        case .string(let value): writer.string(value)
        case .array(let elements):
            writer.byte(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { writer.byte(UInt8(ascii: ",")) }
                element.write(to: &writer)
            }
            writer.byte(UInt8(ascii: "]"))
        case .object(let members):
            writer.byte(UInt8(ascii: "{"))
            if CanonicalWriter.isSortedByUTF16(members) {
                Self.writeMembers(members, to: &writer)
            } else {
                Self.writeMembers(members.sorted { CanonicalWriter.precedesInUTF16Order($0.key, $1.key) }, to: &writer)
            }
            writer.byte(UInt8(ascii: "}"))
        }
    }

    private static func writeMembers(_ members: [(key: String, value: JSONValue)], to writer: inout ByteWriter) {
        for (index, member) in members.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.string(member.key)
            writer.byte(UInt8(ascii: ":"))
            member.value.write(to: &writer)
        }
    }

    public var canonicalString: String {
        String(decoding: canonicalBytes(), as: UTF8.self)
    }

    /// Appends the canonical form to `out` (the plain appending writer; same
    /// bytes as `canonicalBytes()`).
    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: CanonicalWriter.append("null", to: &out)
        case .bool(let value): CanonicalWriter.append(value ? "true" : "false", to: &out)
        case .number(let value): ECMAScriptNumber.append(value, to: &out)
        case .string(let value): CanonicalWriter.appendString(value, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            // Documents are usually built in canonical order already: only
            // copy and sort when they are not.
            if CanonicalWriter.isSortedByUTF16(members) {
                CanonicalWriter.appendMembers(members, to: &out)
            } else {
                let sorted = members.sorted { CanonicalWriter.precedesInUTF16Order($0.key, $1.key) }
                CanonicalWriter.appendMembers(sorted, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}

enum CanonicalWriter {
    static func append(_ literal: StaticString, to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    static func appendMembers(_ members: [(key: String, value: JSONValue)], to out: inout [UInt8]) {
        for (index, member) in members.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            member.value.writeCanonical(into: &out)
        }
    }

    static func isSortedByUTF16(_ members: [(key: String, value: JSONValue)]) -> Bool {
        var index = 1
        while index < members.count {
            if !precedesInUTF16Order(members[index - 1].key, members[index].key) { return false }
            index += 1
        }
        return true
    }

    /// True when `a` sorts before `b` by UTF-16 code units (RFC 8785 3.2.3),
    /// computed on the UTF-8 bytes. UTF-8 byte order is code point order,
    /// which agrees with UTF-16 order except that supplementary characters
    /// (UTF-8 lead byte F0-F4, surrogate pairs D800-DFFF in UTF-16) sort
    /// before U+E000-U+FFFF (lead byte EE-EF). At the first differing byte
    /// both strings are at the same position within the same character, so
    /// checking those two bytes is enough.
    static func precedesInUTF16Order(_ a: String, _ b: String) -> Bool {
        if let result = a.utf8.withContiguousStorageIfAvailable({ x in
            b.utf8.withContiguousStorageIfAvailable { y in precedes(x, y) }
        }), let result {
            return result
        }
        return Array(a.utf8).withUnsafeBufferPointer { x in
            Array(b.utf8).withUnsafeBufferPointer { y in precedes(x, y) }
        }
    }

    private static func precedes(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        let common = min(x.count, y.count)
        var index = 0
        while index < common {
            let p = x[index]
            let q = y[index]
            if p != q {
                if p >= 0xF0, q == 0xEE || q == 0xEF { return true }
                if q >= 0xF0, p == 0xEE || p == 0xEF { return false }
                return p < q
            }
            index += 1
        }
        return x.count < y.count
    }

    /// RFC 8785 3.2.2.2: escape `"` and `\`, the short forms \b \t \n \f \r,
    /// other controls as \u00xx (lowercase); everything else verbatim UTF-8.
    static func appendString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        if value.utf8.withContiguousStorageIfAvailable({ appendEscaped($0, to: &out) }) == nil {
            Array(value.utf8).withUnsafeBufferPointer { appendEscaped($0, to: &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        while true {
            let next = firstByteNeedingEscape(bytes, from: runStart)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<next]))
            guard next < bytes.count else { return }
            escape(bytes[next]) { out.append($0) }
            runStart = next + 1
        }
    }
}
