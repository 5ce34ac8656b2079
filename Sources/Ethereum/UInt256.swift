/// An unsigned 256-bit integer: Ethereum's word, used for values, fees and gas.
///
/// Four 64-bit limbs, least significant first. The plain operators trap on
/// overflow exactly like Swift's own integers (a programming error); code that
/// handles numbers from outside uses the `...ReportingOverflow` forms or
/// `checked` helpers instead.
public struct UInt256: Sendable, Hashable {
    /// Limbs, least significant first.
    public internal(set) var limbs: (UInt64, UInt64, UInt64, UInt64)

    public static let zero = UInt256(limbs: (0, 0, 0, 0))
    public static let max = UInt256(limbs: (.max, .max, .max, .max))

    public init(limbs: (UInt64, UInt64, UInt64, UInt64)) {
        self.limbs = limbs
    }

    public init(_ value: UInt64) {
        limbs = (value, 0, 0, 0)
    }

    /// `nil` when `value` is negative.
    public init?<T: BinaryInteger>(exactly value: T) {
        guard value >= 0 else { return nil }
        var result = UInt256.zero
        var rest = value
        for index in 0..<4 {
            result[index] = UInt64(truncatingIfNeeded: rest)
            rest >>= 64
        }
        guard rest == 0 else { return nil }
        self = result
    }

    subscript(index: Int) -> UInt64 {
        get {
            switch index {
            case 0: limbs.0
            case 1: limbs.1
            case 2: limbs.2
            default: limbs.3
            }
        }
        set {
            switch index {
            case 0: limbs.0 = newValue
            case 1: limbs.1 = newValue
            case 2: limbs.2 = newValue
            default: limbs.3 = newValue
            }
        }
    }

    public var isZero: Bool { limbs.0 | limbs.1 | limbs.2 | limbs.3 == 0 }

    /// The value as a `UInt64` when it fits.
    public var uint64Value: UInt64? {
        limbs.1 | limbs.2 | limbs.3 == 0 ? limbs.0 : nil
    }

    /// Number of significant bits (0 for zero).
    public var bitLength: Int {
        for index in stride(from: 3, through: 0, by: -1) where self[index] != 0 {
            return index * 64 + 64 - self[index].leadingZeroBitCount
        }
        return 0
    }

    public static func == (lhs: UInt256, rhs: UInt256) -> Bool {
        lhs.limbs.0 == rhs.limbs.0 && lhs.limbs.1 == rhs.limbs.1
            && lhs.limbs.2 == rhs.limbs.2 && lhs.limbs.3 == rhs.limbs.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(limbs.0)
        hasher.combine(limbs.1)
        hasher.combine(limbs.2)
        hasher.combine(limbs.3)
    }
}

extension UInt256: Comparable {
    public static func < (lhs: UInt256, rhs: UInt256) -> Bool {
        for index in stride(from: 3, through: 0, by: -1) where lhs[index] != rhs[index] {
            return lhs[index] < rhs[index]
        }
        return false
    }
}

extension UInt256: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: UInt64) {
        self.init(value)
    }
}

extension UInt256: CustomStringConvertible, CustomDebugStringConvertible {
    /// Decimal digits.
    public var description: String {
        if isZero { return "0" }
        var digits = [UInt8]()
        var rest = self
        // Peel off 19 decimal digits at a time (10^19 fits a UInt64).
        let chunk: UInt64 = 10_000_000_000_000_000_000
        while !rest.isZero {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: chunk)
            var part = remainder
            for _ in 0..<19 {
                digits.append(UInt8(ascii: "0") + UInt8(part % 10))
                part /= 10
                if quotient.isZero && part == 0 { break }
            }
            rest = quotient
        }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    public var debugDescription: String { "UInt256(\(description))" }
}
