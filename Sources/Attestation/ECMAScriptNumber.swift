/// ECMAScript Number::toString for finite doubles (ECMA-262 6.1.6.1.20), which
/// RFC 8785 uses for every number: the shortest digits that round-trip, laid
/// out without an exponent for 1e-7 < |x| < 1e21 and with one otherwise.
enum ECMAScriptNumber {
    /// 2^53: below it every integral double prints as its plain integer digits.
    private static let exactIntegerLimit = 9_007_199_254_740_992.0

    static func append(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            CanonicalWriter.append("null", to: &out)
            return
        }
        if value == 0 {  // also -0, which ECMAScript prints as "0"
            out.append(UInt8(ascii: "0"))
            return
        }
        if value.magnitude < exactIntegerLimit, value == value.rounded(.towardZero) {
            appendInteger(Int64(value), to: &out)
            return
        }
        appendShortest(value, to: &out)
    }

    static func write(_ value: Double, to writer: inout ByteWriter) {
        if value.isFinite, value.magnitude < exactIntegerLimit, value == value.rounded(.towardZero) {
            writer.integer(Int64(value))  // also 0 and -0, as "0"
            return
        }
        var text: [UInt8] = []
        append(value, to: &text)
        text.withUnsafeBufferPointer { writer.bytes($0) }
    }

    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // At most 20 digits: write them backwards into stack scratch space.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { scratch in
            var position = 20
            repeat {
                position -= 1
                scratch[position] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            out.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[position..<20]))
        }
    }

    /// Takes the shortest round-trip digits from Swift's `description` (which
    /// also picks the closest such digits) and re-lays them out by the
    /// ECMAScript rules. n is the decimal exponent with value = 0.d1d2...dk * 10^n.
    private static func appendShortest(_ value: Double, to out: inout [UInt8]) {
        var digits: [UInt8] = []
        var digitsBeforePoint = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in value.magnitude.description.utf8 {
            switch byte {
            case UInt8(ascii: "."): seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExponent = true
            case UInt8(ascii: "-") where inExponent: exponentSign = -1
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                } else {
                    digits.append(byte)
                    if !seenPoint { digitsBeforePoint += 1 }
                }
            default: break
            }
        }
        var n = digitsBeforePoint + exponentSign * exponent
        guard let firstNonZero = digits.firstIndex(where: { $0 != UInt8(ascii: "0") }),
            let lastNonZero = digits.lastIndex(where: { $0 != UInt8(ascii: "0") })
        else {
            out.append(UInt8(ascii: "0"))  // unreachable: value is non-zero
            return
        }
        n -= firstNonZero
        let significant = digits[firstNonZero...lastNonZero]
        let k = significant.count

        if value < 0 { out.append(UInt8(ascii: "-")) }
        if k <= n, n <= 21 {
            out.append(contentsOf: significant)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n, n <= 21 {
            out.append(contentsOf: significant.prefix(n))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: significant.dropFirst(n))
        } else if -6 < n, n <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: significant)
        } else {
            out.append(contentsOf: significant.prefix(1))
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: significant.dropFirst())
            }
            out.append(UInt8(ascii: "e"))
            out.append(n - 1 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
            appendInteger(Int64((n - 1).magnitude), to: &out)
        }
    }
}
