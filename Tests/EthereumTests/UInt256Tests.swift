import PropertyBased
import Testing

@testable import Ethereum

struct UInt256Tests {
    static let twoTo256Minus1 = "115792089237316195423570985008687907853269984665640564039457584007913129639935"

    @Test func parsesAndPrintsDecimalAndHex() throws {
        #expect(try UInt256(decimal: "0") == .zero)
        #expect(try UInt256(decimal: Self.twoTo256Minus1) == .max)
        #expect(UInt256.max.description == Self.twoTo256Minus1)
        #expect(try UInt256(hex: "0x" + String(repeating: "f", count: 64)) == .max)
        #expect(try UInt256(hex: "0x01b51bf826").hexQuantity == "0x1b51bf826")
        #expect(UInt256.zero.hexQuantity == "0x0")
        #expect(UInt256(1000).description == "1000")
        #expect(try UInt256(parsing: "0x3e8") == 1000)
        #expect(try UInt256(parsing: "10000000000000000000") == UInt256(limbs: (10_000_000_000_000_000_000, 0, 0, 0)))
    }

    @Test(arguments: ["", "0x", "0xg1", "12a", "-1", "0x1" + String(repeating: "0", count: 64)])
    func rejectsBadText(text: String) {
        #expect(throws: UInt256.ParseError.self) { try UInt256(parsing: text) }
    }

    @Test func rejectsDecimalOverflow() {
        #expect(throws: UInt256.ParseError.self) {
            try UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936")
        }
    }

    @Test func bytes() throws {
        let value = try UInt256(hex: "0x0102")
        #expect(value.minimalBigEndianBytes == [1, 2])
        #expect(value.bigEndianBytes == [UInt8](repeating: 0, count: 30) + [1, 2])
        #expect(UInt256.zero.minimalBigEndianBytes == [])
        #expect(try UInt256(bigEndianBytes: value.bigEndianBytes) == value)
        #expect(throws: UInt256.ParseError.self) { try UInt256(bigEndianBytes: [UInt8](repeating: 1, count: 33)) }
    }

    @Test func overflowIsReportedNotTrapped() {
        #expect(UInt256.max.addingReportingOverflow(1) == (UInt256.zero, true))
        #expect(UInt256.zero.subtractingReportingOverflow(1) == (UInt256.max, true))
        #expect(UInt256.max.multipliedReportingOverflow(by: 2).overflow)
        #expect(UInt256(7).dividedReportingOverflow(by: .zero).overflow)
        #expect(UInt256.max.scaled(by: 1125, over: 1000) == nil)
        #expect(UInt256(1_000_000_000).scaled(by: 1125, over: 1000) == 1_125_000_000)
    }

    @Test func feeMathWithPlainOperators() {
        let fee: UInt256 = 30_000_000_000
        #expect(fee * 1125 / 1000 == 33_750_000_000)
        #expect((fee + 1) - 1 == fee)
        #expect(fee % 7 == UInt256(30_000_000_000 % 7))
    }

    // A UInt128 oracle: products and quotients of 128-bit values fit 256 bits.
    static let u128 = Gen.uint128()
    static func wide(_ v: UInt128) -> UInt256 {
        UInt256(limbs: (UInt64(truncatingIfNeeded: v), UInt64(truncatingIfNeeded: v >> 64), 0, 0))
    }
    static func wide(high: UInt128, low: UInt128) -> UInt256 {
        UInt256(
            limbs: (
                UInt64(truncatingIfNeeded: low), UInt64(truncatingIfNeeded: low >> 64),
                UInt64(truncatingIfNeeded: high), UInt64(truncatingIfNeeded: high >> 64)
            ))
    }

    @Test func multiplicationMatchesUInt128FullWidth() async {
        await propertyCheck(count: 500, input: Self.u128, Self.u128) { a, b in
            let (high, low) = a.multipliedFullWidth(by: b)
            #expect(Self.wide(a) * Self.wide(b) == Self.wide(high: high, low: low))
        }
    }

    @Test func additionMatchesUInt128() async {
        await propertyCheck(count: 500, input: Self.u128, Self.u128) { a, b in
            let (sum, carry) = a.addingReportingOverflow(b)
            #expect(Self.wide(a) + Self.wide(b) == Self.wide(high: carry ? 1 : 0, low: sum))
        }
    }

    @Test func divisionMatchesUInt128DividingFullWidth() async {
        // (high, low) / d with high < d so the quotient fits 128 bits.
        await propertyCheck(count: 500, input: Self.u128, Self.u128, Self.u128) { high, low, divisor in
            guard divisor > 0 else { return }
            let highPart = high % divisor
            let (quotient, remainder) = divisor.dividingFullWidth((highPart, low))
            let result = Self.wide(high: highPart, low: low).quotientAndRemainder(dividingBy: Self.wide(divisor))
            #expect(result.quotient == Self.wide(quotient))
            #expect(result.remainder == Self.wide(remainder))
        }
    }

    static let u256 = Gen.uint64().array(of: 4).map { UInt256(limbs: ($0[0], $0[1], $0[2], $0[3])) }
    static let shortU256 = Gen.uint64().array(of: 0...4).map { limbs in
        var value = UInt256.zero
        for (index, limb) in limbs.enumerated() { value[index] = limb }
        return value
    }

    @Test func divisionIdentityAndTextRoundTrip() async {
        await propertyCheck(count: 300, input: Self.u256, Self.shortU256) { a, b throws in
            #expect(try UInt256(decimal: a.description) == a)
            #expect(try UInt256(hex: a.hexQuantity) == a)
            #expect(try UInt256(bigEndianBytes: a.minimalBigEndianBytes) == a)
            guard !b.isZero else { return }
            let (q, r) = a.quotientAndRemainder(dividingBy: b)
            #expect(r < b)
            let (product, overflow) = q.multipliedReportingOverflow(by: b)
            #expect(!overflow)
            #expect(product + r == a)
        }
    }

    @Test func subtractionUndoesAddition() async {
        await propertyCheck(count: 300, input: Self.u256, Self.u256) { a, b in
            let (sum, overflow) = a.addingReportingOverflow(b)
            #expect((sum &- b) == a)
            #expect(overflow == (sum < a))
        }
    }

    @Test func shiftsMatchMultiplicationByPowersOfTwo() async {
        await propertyCheck(count: 300, input: Self.shortU256, Gen.int(in: 0...255)) { a, n in
            let shifted = a << n
            #expect(shifted >> n == (a << n) >> n)
            if a.bitLength + n <= 256 {
                #expect(shifted >> n == a)
                #expect(shifted == a * (UInt256(1) << n))
            }
        }
    }
}
