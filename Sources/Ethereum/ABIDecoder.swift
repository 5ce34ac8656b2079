// Solidity ABI decoding for untrusted data (logs and call results from a
// node): every offset and length is checked against the buffer, and array
// lengths against the bytes that could hold them, before anything is read
// or allocated.

struct ABIDecoder {
    let data: [UInt8]
    static let maxDepth = 32

    /// Decodes a tuple whose encoding starts at `base`.
    func decodeTuple(_ types: [ABIType], base: Int, depth: Int) throws(ABIError) -> [ABIValue] {
        guard depth <= Self.maxDepth else { throw ABIError(.malformedData, "nesting deeper than \(Self.maxDepth)") }
        var values = [ABIValue]()
        values.reserveCapacity(types.count)
        var headPosition = base
        for type in types {
            if type.isDynamic {
                let offset = try integer(at: headPosition, "offset")
                guard offset <= data.count - base else {
                    throw ABIError(.malformedData, "offset \(offset) points past the end of the data")
                }
                values.append(try decode(type, at: base + offset, depth: depth + 1))
            } else {
                values.append(try decode(type, at: headPosition, depth: depth + 1))
            }
            headPosition += type.headSize
        }
        return values
    }

    func decode(_ type: ABIType, at position: Int, depth: Int) throws(ABIError) -> ABIValue {
        switch type {
        case .uint(let bits):
            let number = try Self.number(word(at: position))
            guard number.bitLength <= bits else { throw ABIError(.malformedData, "dirty high bits in uint\(bits)") }
            return .uint(number)
        case .int(let bits):
            let number = try Self.number(word(at: position))
            guard ABIEncoder.fitsSigned(number, bits: bits) else {
                throw ABIError(.malformedData, "int\(bits) is not sign-extended")
            }
            return .int(number)
        case .address:
            let bytes = try word(at: position)
            guard bytes.prefix(12).allSatisfy({ $0 == 0 }) else {
                throw ABIError(.malformedData, "dirty address padding")
            }
            return .address(try Address(uncheckedBytes: Array(bytes.suffix(20))))
        case .bool:
            let bytes = try word(at: position)
            guard bytes.prefix(31).allSatisfy({ $0 == 0 }), bytes[bytes.startIndex + 31] <= 1 else {
                throw ABIError(.malformedData, "bool must be 0 or 1")
            }
            return .bool(bytes[bytes.startIndex + 31] == 1)
        case .fixedBytes(let count):
            let bytes = try word(at: position)
            guard bytes.dropFirst(count).allSatisfy({ $0 == 0 }) else {
                throw ABIError(.malformedData, "dirty padding after bytes\(count)")
            }
            return .fixedBytes(Array(bytes.prefix(count)))
        case .bytes:
            return .bytes(try lengthPrefixedBytes(at: position))
        case .string:
            let bytes = try lengthPrefixedBytes(at: position)
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw ABIError(.malformedData, "string is not valid UTF-8")
            }
            return .string(text)
        case .array(let element, let count):
            try checkRoom(for: element, count: count, from: position)
            return .array(try decodeTuple(Array(repeating: element, count: count), base: position, depth: depth))
        case .dynamicArray(let element):
            let count = try integer(at: position, "array length")
            try checkRoom(for: element, count: count, from: position + 32)
            return .array(try decodeTuple(Array(repeating: element, count: count), base: position + 32, depth: depth))
        case .tuple(let types):
            return .tuple(try decodeTuple(types, base: position, depth: depth))
        }
    }

    /// An array of `count` elements needs at least count * headSize bytes
    /// after `position`; checking first stops a hostile length from making us
    /// allocate gigabytes.
    private func checkRoom(for element: ABIType, count: Int, from position: Int) throws(ABIError) {
        let (needed, overflow) = count.multipliedReportingOverflow(by: element.headSize)
        guard !overflow, position <= data.count, needed <= data.count - position else {
            throw ABIError(.malformedData, "array of \(count) elements does not fit in the data")
        }
    }

    private func word(at position: Int) throws(ABIError) -> ArraySlice<UInt8> {
        guard position >= 0, position <= data.count - 32 else {
            throw ABIError(.malformedData, "data too short: need 32 bytes at offset \(position), have \(data.count)")
        }
        return data[position..<(position + 32)]
    }

    /// A word that must hold a small non-negative integer (offset or length).
    private func integer(at position: Int, _ what: String) throws(ABIError) -> Int {
        let number = try Self.number(word(at: position))
        guard let small = number.uint64Value, small <= UInt64(Int32.max) else {
            throw ABIError(.malformedData, "\(what) \(number) is out of range")
        }
        return Int(small)
    }

    private func lengthPrefixedBytes(at position: Int) throws(ABIError) -> [UInt8] {
        let length = try integer(at: position, "length")
        let start = position + 32
        guard length <= data.count - start else {
            throw ABIError(.malformedData, "length \(length) runs past the end of the data")
        }
        return Array(data[start..<(start + length)])
    }
}

extension ABIDecoder {
    /// A 32-byte word we already bounds-checked, as a number.
    fileprivate static func number(_ word: ArraySlice<UInt8>) throws(ABIError) -> UInt256 {
        do throws(UInt256.ParseError) { return try UInt256(bigEndianBytes: word) } catch {
            throw ABIError(.malformedData, error.description)
        }
    }
}

extension Address {
    fileprivate init(uncheckedBytes bytes: [UInt8]) throws(ABIError) {
        do throws(Address.ParseError) { try self.init(bytes: bytes) } catch {
            throw ABIError(.malformedData, error.description)
        }
    }
}
