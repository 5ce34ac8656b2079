// Arithmetic on UInt256. The `...ReportingOverflow` forms never trap; the plain
// operators trap on overflow, underflow and division by zero, as Swift's do.

extension UInt256 {
    public func addingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var result = UInt256.zero
        var carry = false
        for index in 0..<4 {
            let (sum1, o1) = self[index].addingReportingOverflow(other[index])
            let (sum2, o2) = sum1.addingReportingOverflow(carry ? 1 : 0)
            result[index] = sum2
            carry = o1 || o2
        }
        return (result, carry)
    }

    public func subtractingReportingOverflow(_ other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        var result = UInt256.zero
        var borrow = false
        for index in 0..<4 {
            let (diff1, o1) = self[index].subtractingReportingOverflow(other[index])
            let (diff2, o2) = diff1.subtractingReportingOverflow(borrow ? 1 : 0)
            result[index] = diff2
            borrow = o1 || o2
        }
        return (result, borrow)
    }

    public func multipliedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        // Schoolbook over 64-bit limbs into an 8-limb product; any bit in the
        // upper half means overflow.
        var product = [UInt64](repeating: 0, count: 8)
        for i in 0..<4 where self[i] != 0 {
            var carry: UInt64 = 0
            for j in 0..<4 {
                let (high, low) = self[i].multipliedFullWidth(by: other[j])
                let (sum1, o1) = product[i + j].addingReportingOverflow(low)
                let (sum2, o2) = sum1.addingReportingOverflow(carry)
                product[i + j] = sum2
                carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)  // cannot overflow: high <= 2^64 - 2
            }
            product[i + 4] = carry
        }
        let result = UInt256(limbs: (product[0], product[1], product[2], product[3]))
        let overflow = product[4] | product[5] | product[6] | product[7] != 0
        return (result, overflow)
    }

    /// Division by zero reports overflow (and returns self), like Swift's integers.
    public func dividedReportingOverflow(by other: UInt256) -> (partialValue: UInt256, overflow: Bool) {
        if other.isZero { return (self, true) }
        return (quotientAndRemainder(dividingBy: other).quotient, false)
    }

    /// Fast path for a divisor that fits one limb. Traps when `divisor` is zero.
    public func quotientAndRemainder(dividingBy divisor: UInt64) -> (quotient: UInt256, remainder: UInt64) {
        precondition(divisor != 0, "UInt256 division by zero")
        var quotient = UInt256.zero
        var remainder: UInt64 = 0
        for index in stride(from: 3, through: 0, by: -1) {
            let (q, r) = divisor.dividingFullWidth((remainder, self[index]))
            quotient[index] = q
            remainder = r
        }
        return (quotient, remainder)
    }

    /// Traps when `divisor` is zero.
    public func quotientAndRemainder(dividingBy divisor: UInt256) -> (quotient: UInt256, remainder: UInt256) {
        precondition(!divisor.isZero, "UInt256 division by zero")
        if let small = divisor.uint64Value {
            let (q, r) = quotientAndRemainder(dividingBy: small)
            return (q, UInt256(r))
        }
        if self < divisor { return (.zero, self) }
        // Shift-subtract long division, starting at the dividend's top bit.
        var quotient = UInt256.zero
        var remainder = UInt256.zero
        for bit in stride(from: bitLength - 1, through: 0, by: -1) {
            remainder = remainder << 1
            if self.bit(bit) { remainder.limbs.0 |= 1 }
            if remainder >= divisor {
                remainder = remainder.subtractingReportingOverflow(divisor).partialValue
                quotient.setBit(bit)
            }
        }
        return (quotient, remainder)
    }

    func bit(_ index: Int) -> Bool {
        self[index / 64] >> UInt64(index % 64) & 1 == 1
    }

    mutating func setBit(_ index: Int) {
        self[index / 64] |= 1 << UInt64(index % 64)
    }

    // MARK: Operators

    public static func + (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (value, overflow) = lhs.addingReportingOverflow(rhs)
        precondition(!overflow, "UInt256 addition overflow")
        return value
    }

    public static func - (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (value, overflow) = lhs.subtractingReportingOverflow(rhs)
        precondition(!overflow, "UInt256 subtraction underflow")
        return value
    }

    public static func * (lhs: UInt256, rhs: UInt256) -> UInt256 {
        let (value, overflow) = lhs.multipliedReportingOverflow(by: rhs)
        precondition(!overflow, "UInt256 multiplication overflow")
        return value
    }

    public static func / (lhs: UInt256, rhs: UInt256) -> UInt256 {
        lhs.quotientAndRemainder(dividingBy: rhs).quotient
    }

    public static func % (lhs: UInt256, rhs: UInt256) -> UInt256 {
        lhs.quotientAndRemainder(dividingBy: rhs).remainder
    }

    public static func += (lhs: inout UInt256, rhs: UInt256) { lhs = lhs + rhs }
    public static func -= (lhs: inout UInt256, rhs: UInt256) { lhs = lhs - rhs }
    public static func *= (lhs: inout UInt256, rhs: UInt256) { lhs = lhs * rhs }
    public static func /= (lhs: inout UInt256, rhs: UInt256) { lhs = lhs / rhs }

    public static func &+ (lhs: UInt256, rhs: UInt256) -> UInt256 { lhs.addingReportingOverflow(rhs).partialValue }
    public static func &- (lhs: UInt256, rhs: UInt256) -> UInt256 { lhs.subtractingReportingOverflow(rhs).partialValue }
    public static func &* (lhs: UInt256, rhs: UInt256) -> UInt256 {
        lhs.multipliedReportingOverflow(by: rhs).partialValue
    }

    /// `self * numerator / denominator` (rounded down), or `nil` when the
    /// product overflows 256 bits or `denominator` is zero. For fee bumps such
    /// as `fee.scaled(by: 1125, over: 1000)`.
    public func scaled(by numerator: UInt256, over denominator: UInt256) -> UInt256? {
        let (product, overflow) = multipliedReportingOverflow(by: numerator)
        guard !overflow, !denominator.isZero else { return nil }
        return product / denominator
    }

    // MARK: Shifts

    public static func << (lhs: UInt256, rhs: Int) -> UInt256 {
        if rhs <= 0 { return rhs == 0 ? lhs : lhs >> -rhs }
        if rhs >= 256 { return .zero }
        let limbShift = rhs / 64
        let bitShift = UInt64(rhs % 64)
        var result = UInt256.zero
        for index in stride(from: 3, through: limbShift, by: -1) {
            var limb = lhs[index - limbShift] << bitShift
            if bitShift > 0, index - limbShift - 1 >= 0 {
                limb |= lhs[index - limbShift - 1] >> (64 - bitShift)
            }
            result[index] = limb
        }
        return result
    }

    public static func >> (lhs: UInt256, rhs: Int) -> UInt256 {
        if rhs <= 0 { return rhs == 0 ? lhs : lhs << -rhs }
        if rhs >= 256 { return .zero }
        let limbShift = rhs / 64
        let bitShift = UInt64(rhs % 64)
        var result = UInt256.zero
        for index in 0..<(4 - limbShift) {
            var limb = lhs[index + limbShift] >> bitShift
            if bitShift > 0, index + limbShift + 1 < 4 {
                limb |= lhs[index + limbShift + 1] << (64 - bitShift)
            }
            result[index] = limb
        }
        return result
    }
}
