import Attestation
import PropertyBased
import Testing

/// Random JSON values and random (non-canonical but equivalent) ways of
/// writing them. Everything derives from one seed supplied by PropertyBased.
struct RandomJSON {
    var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    mutating func value(depth: Int = 0) -> JSONValue {
        let pick = depth >= 4 ? Int.random(in: 0..<4, using: &rng) : Int.random(in: 0..<6, using: &rng)
        switch pick {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return .number(number())
        case 3: return .string(string())
        case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in value(depth: depth + 1) })
        default:
            var members: [(key: String, value: JSONValue)] = []
            for _ in 0..<Int.random(in: 0...5, using: &rng) {
                let key = string(maxLength: 3)
                if members.contains(where: { $0.key.utf8.elementsEqual(key.utf8) }) { continue }
                members.append((key: key, value: value(depth: depth + 1)))
            }
            return .object(members)
        }
    }

    mutating func number() -> Double {
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return Double(Int64.random(in: -1_000_000...1_000_000, using: &rng))
        case 1: return Double(Int.random(in: -99999...99999, using: &rng)) / 100
        case 2:
            // Any finite double, from its bits.
            while true {
                let candidate = Double(bitPattern: rng.next())
                if candidate.isFinite { return candidate }
            }
        default: return Double.random(in: -1e-5...1e-5, using: &rng) * pow10(Int.random(in: -10...30, using: &rng))
        }
    }

    private func pow10(_ exponent: Int) -> Double {
        var result = 1.0
        for _ in 0..<abs(exponent) { result *= 10 }
        return exponent < 0 ? 1 / result : result
    }

    /// Strings mixing ASCII, controls, quotes, backslashes, BMP characters on
    /// both sides of the surrogate range and astral characters.
    mutating func string(maxLength: Int = 8) -> String {
        let pools: [ClosedRange<UInt32>] = [
            0x61...0x63, 0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x80...0x7FF,
            0xD700...0xD7FF, 0xE000...0xFFFF, 0x1_0000...0x1_F9FF, 0x10_FFF0...0x10_FFFF,
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...maxLength, using: &rng) {
            let pool = pools[Int.random(in: 0..<pools.count, using: &rng)]
            if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    // MARK: Equivalent, non-canonical text

    mutating func text(_ value: JSONValue) -> String {
        var out = whitespace()
        write(value, to: &out)
        out += whitespace()
        return out
    }

    private mutating func whitespace() -> String {
        String(
            (0..<Int.random(in: 0...2, using: &rng)).map { _ in [" ", "\t", "\n", "\r"].randomElement(using: &rng)! })
    }

    private mutating func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .bool(let flag): out += flag ? "true" : "false"
        case .number(let number): out += numberText(number)
        case .string(let text): out += stringText(text)
        case .array(let elements):
            out += "[" + whitespace()
            for (index, element) in elements.enumerated() {
                if index > 0 { out += whitespace() + "," + whitespace() }
                write(element, to: &out)
            }
            out += whitespace() + "]"
        case .object(let members):
            out += "{" + whitespace()
            for (index, member) in members.shuffled(using: &rng).enumerated() {
                if index > 0 { out += whitespace() + "," + whitespace() }
                out += stringText(member.key) + whitespace() + ":" + whitespace()
                write(member.value, to: &out)
            }
            out += whitespace() + "}"
        }
    }

    /// Another spelling of the same double: Swift's description (a valid
    /// JSON number for finite values), upper-case exponent, or extra zeros.
    private mutating func numberText(_ number: Double) -> String {
        let plain = number.description
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return plain
        case 1: return plain.contains("e") ? plain.replacingOccurrences(of: "e", with: "E") : plain + "e0"
        default:
            if plain.contains("e") {
                return plain.replacingOccurrences(of: "e", with: "0e+").replacingOccurrences(of: "+-", with: "-")
                    .replacingOccurrences(of: "++", with: "+")
            }
            return plain.contains(".") ? plain + "000" : plain + ".0"
        }
    }

    private mutating func stringText(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            let mustEscape = scalar.value < 0x20 || scalar == "\"" || scalar == "\\"
            // Half of the characters that may appear verbatim do.
            switch mustEscape ? Int.random(in: 1...2, using: &rng) : Int.random(in: 0...3, using: &rng) {
            case 0, 3:
                out.unicodeScalars.append(scalar)
            case 1:
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "/": out += "\\/"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case "\u{8}": out += "\\b"
                case "\u{C}": out += "\\f"
                default: out += unicodeEscape(scalar)
                }
            default:
                out += unicodeEscape(scalar)
            }
        }
        return out + "\""
    }

    private mutating func unicodeEscape(_ scalar: Unicode.Scalar) -> String {
        let upper = Bool.random(using: &rng)
        return String(scalar).utf16.map { unit in
            let hex = String(unit, radix: 16, uppercase: upper)
            return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        }.joined()
    }
}

struct JCSPropertyTests {
    @Test func canonicalFormIsAFixedPoint() async {
        await propertyCheck(count: 500, input: Gen.int64()) { seed in
            var random = RandomJSON(seed: UInt64(bitPattern: seed))
            let value = random.value()
            let canonical = value.canonicalBytes()
            do {
                let reparsed = try JSONValue.parse(canonical)
                #expect(reparsed == value)
                #expect(reparsed.canonicalBytes() == canonical)
            } catch {
                Issue.record(
                    "canonical output did not parse: \(error) in \(String(decoding: canonical, as: UTF8.self))")
            }
        }
    }

    @Test func memberOrderWhitespaceAndEscapesDoNotChangeTheBytes() async {
        await propertyCheck(count: 500, input: Gen.int64()) { seed in
            var random = RandomJSON(seed: UInt64(bitPattern: seed))
            let value = random.value()
            let expected = value.canonicalBytes()
            for _ in 0..<3 {
                let text = random.text(value)
                do {
                    #expect(try JSONValue.parse(text).canonicalBytes() == expected, "from \(text)")
                } catch {
                    Issue.record("equivalent text was rejected: \(error) in \(text)")
                }
            }
        }
    }

    @Test func numbersRoundTripThroughTheirCanonicalText() async {
        await propertyCheck(count: 2000, input: Gen.int64()) { seed in
            var random = RandomJSON(seed: UInt64(bitPattern: seed))
            let number = random.number()
            let text = JSONValue.number(number).canonicalString
            let parsed = try JSONValue.parse(text)
            #expect(parsed.numberValue == number, "\(number) -> \(text)")
        }
    }

    @Test func memberOrderMatchesAUTF16Sort() async {
        await propertyCheck(count: 300, input: Gen.int64()) { seed in
            var random = RandomJSON(seed: UInt64(bitPattern: seed))
            var keys: [String] = []
            for _ in 0..<8 {
                let key = random.string(maxLength: 3)
                if !keys.contains(where: { $0.utf8.elementsEqual(key.utf8) }) { keys.append(key) }
            }
            let object = JSONValue.object(keys.map { (key: $0, value: .null) })
            let expectedOrder = keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            let expected = JSONValue.object(expectedOrder.map { (key: $0, value: .null) })
            // Writing members already in UTF-16 order must be the canonical form itself.
            var manual: [UInt8] = [UInt8(ascii: "{")]
            for (index, key) in expectedOrder.enumerated() {
                if index > 0 { manual.append(UInt8(ascii: ",")) }
                manual += JSONValue.string(key).canonicalBytes() + Array(":null".utf8)
            }
            manual.append(UInt8(ascii: "}"))
            #expect(object.canonicalBytes() == manual)
            #expect(expected.canonicalBytes() == manual)
        }
    }
}
