/// A value to encode as, or decoded from, an `ABIType`.
public indirect enum ABIValue: Sendable, Hashable {
    case uint(UInt256)
    /// Two's complement in 256 bits (`ABIValue.signed(-1)` builds one from an Int64).
    case int(UInt256)
    case address(Address)
    case bool(Bool)
    case fixedBytes([UInt8])
    case bytes([UInt8])
    case string(String)
    /// Elements of a fixed or dynamic array.
    case array([ABIValue])
    case tuple([ABIValue])

    public static func signed(_ value: Int64) -> ABIValue {
        let magnitude = UInt256(value.magnitude)
        return .int(value < 0 ? UInt256.zero &- magnitude : magnitude)
    }

    /// The value of a signed integer as Int64, when it fits.
    public var int64Value: Int64? {
        guard case .int(let word) = self else { return nil }
        if word.limbs.3 >> 63 == 1 {
            let magnitude = UInt256.zero &- word
            guard let small = magnitude.uint64Value, small <= UInt64(Int64.max) + 1 else { return nil }
            return small == UInt64(Int64.max) + 1 ? .min : -Int64(small)
        }
        guard let small = word.uint64Value, small <= UInt64(Int64.max) else { return nil }
        return Int64(small)
    }
}
