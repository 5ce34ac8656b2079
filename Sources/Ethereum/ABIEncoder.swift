// Solidity ABI encoding: a tuple is its heads (static values in place,
// offsets for dynamic ones) followed by the tails of the dynamic values.

enum ABIEncoder {
    static func encodeTuple(_ types: [ABIType], _ values: [ABIValue]) throws(ABIError) -> [UInt8] {
        guard types.count == values.count else {
            throw ABIError(.valueMismatch, "\(types.count) types but \(values.count) values")
        }
        let headSize = types.reduce(0) { $0 + $1.headSize }
        var head = [UInt8]()
        var tail = [UInt8]()
        head.reserveCapacity(headSize)
        for (type, value) in zip(types, values) {
            let encoded = try encode(type, value)
            if type.isDynamic {
                head += UInt256(UInt64(headSize + tail.count)).bigEndianBytes
                tail += encoded
            } else {
                head += encoded
            }
        }
        return head + tail
    }

    static func encode(_ type: ABIType, _ value: ABIValue) throws(ABIError) -> [UInt8] {
        switch (type, value) {
        case (.uint(let bits), .uint(let number)):
            guard number.bitLength <= bits else {
                throw ABIError(.valueMismatch, "\(number) does not fit uint\(bits)")
            }
            return number.bigEndianBytes
        case (.int(let bits), .int(let word)):
            guard fitsSigned(word, bits: bits) else { throw ABIError(.valueMismatch, "value does not fit int\(bits)") }
            return word.bigEndianBytes
        case (.address, .address(let address)):
            return [UInt8](repeating: 0, count: 12) + address.bytes
        case (.bool, .bool(let flag)):
            return UInt256(flag ? 1 : 0).bigEndianBytes
        case (.fixedBytes(let count), .fixedBytes(let bytes)):
            guard bytes.count == count else {
                throw ABIError(.valueMismatch, "bytes\(count) needs \(count) bytes, got \(bytes.count)")
            }
            return padded(bytes)
        case (.bytes, .bytes(let bytes)):
            return UInt256(UInt64(bytes.count)).bigEndianBytes + padded(bytes)
        case (.string, .string(let text)):
            let bytes = Array(text.utf8)
            return UInt256(UInt64(bytes.count)).bigEndianBytes + padded(bytes)
        case (.array(let element, let count), .array(let elements)):
            guard elements.count == count else {
                throw ABIError(.valueMismatch, "\(type) needs \(count) elements, got \(elements.count)")
            }
            return try encodeTuple(Array(repeating: element, count: count), elements)
        case (.dynamicArray(let element), .array(let elements)):
            return UInt256(UInt64(elements.count)).bigEndianBytes
                + (try encodeTuple(Array(repeating: element, count: elements.count), elements))
        case (.tuple(let types), .tuple(let elements)):
            return try encodeTuple(types, elements)
        default:
            throw ABIError(.valueMismatch, "value \(value) does not match type \(type)")
        }
    }

    /// True when `word` is the 256-bit sign extension of a `bits`-bit integer.
    static func fitsSigned(_ word: UInt256, bits: Int) -> Bool {
        let extended = word >> (bits - 1)  // the sign bit and everything above it
        return extended.isZero || extended == UInt256.max >> (bits - 1)
    }

    /// Right-pads to a multiple of 32 bytes.
    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        let remainder = bytes.count % 32
        return remainder == 0 ? bytes : bytes + [UInt8](repeating: 0, count: 32 - remainder)
    }
}
