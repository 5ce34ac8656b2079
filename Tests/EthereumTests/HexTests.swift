import Testing

@testable import Ethereum

struct HexTests {
    @Test func decodesWithOrWithoutPrefixInEitherCase() throws {
        #expect(try Hex.decode("0x00ff10Ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(try Hex.decode("0X00ff10Ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(try Hex.decode("00ff10ab") == [0x00, 0xFF, 0x10, 0xAB])
        #expect(try Hex.decode("") == [])
        #expect(try Hex.decode("0x") == [])
        // A substring is read in place like a string.
        let text = "--0xbeef--"
        #expect(try Hex.decode(text.dropFirst(2).dropLast(2)) == [0xBE, 0xEF])
    }

    @Test func rejectsOddLengthsAndNonHexWithTheirPlace() {
        #expect(throws: Hex.DecodingError(description: "hex string has an odd number of digits")) {
            try Hex.decode("0xabc")
        }
        // The offset counts from after the prefix.
        #expect(throws: Hex.DecodingError(description: "invalid hex digit at offset 2")) { try Hex.decode("0xabzd") }
        #expect(throws: Hex.DecodingError(description: "invalid hex digit at offset 0")) { try Hex.decode("0x0x12") }
        #expect(throws: Hex.DecodingError(description: "invalid hex digit at offset 2")) { try Hex.decode("abé") }
    }

    @Test func roundTripsEveryByte() throws {
        let bytes = (0...255).map(UInt8.init)
        #expect(try Hex.decode(Hex.encodePrefixed(bytes)) == bytes)
        #expect(try Hex.decode(Hex.encode(bytes).uppercased()) == bytes)
    }

    @Test func everyByteIsAHexDigitExactlyWhenTheReferenceSaysSo() {
        for byte in UInt8.min...UInt8.max {
            #expect(Hex.value(byte) == (Self.referenceNibble(byte) ?? 0xFF), "byte \(byte)")
        }
    }

    @Test func decodesGeneratedTextAsTheReferenceDoes() {
        // Valid digits, prefixes, odd lengths and stray bytes (multi-byte UTF-8 too), seeded.
        var generator = HexTestGenerator(seed: 17)
        let alphabet = Array("0123456789abcdefABCDEFxXg /é".unicodeScalars)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...70, using: &generator)
            var text = String(
                String.UnicodeScalarView(
                    (0..<length).map { _ in
                        // Mostly digits, so long valid strings occur.
                        Int.random(in: 0..<10, using: &generator) < 9
                            ? alphabet[Int.random(in: 0..<22, using: &generator)]
                            : alphabet.randomElement(using: &generator)!
                    }))
            if Bool.random(using: &generator) { text = "0x" + text }
            let expected = Self.referenceDecode(text)
            let actual = Result { () throws(Hex.DecodingError) in try Hex.decode(text) }
            #expect(actual == expected, "\(text)")
        }
    }

    @Test func encodesGeneratedBytesAsTheReferenceDoes() {
        var generator = HexTestGenerator(seed: 18)
        for _ in 0..<1_000 {
            let bytes = (0..<Int.random(in: 0...80, using: &generator)).map { _ in
                UInt8.random(in: .min ... .max, using: &generator)
            }
            let expected = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            #expect(Hex.encode(bytes) == expected)
            #expect(Hex.encode(bytes[...]) == expected)
            // A sequence without contiguous storage takes the other path.
            #expect(Hex.encode(bytes.lazy.map { $0 }) == expected)
            #expect(Hex.encodePrefixed(bytes) == "0x" + expected)
        }
    }

    /// The decoder as it was before the arithmetic digit values.
    private static func referenceDecode(_ text: String) -> Result<[UInt8], Hex.DecodingError> {
        let utf8 = Array(text.utf8)
        let start = utf8.count >= 2 && utf8[0] == UInt8(ascii: "0") && utf8[1] | 0x20 == UInt8(ascii: "x") ? 2 : 0
        guard (utf8.count - start) % 2 == 0 else {
            return .failure(Hex.DecodingError(description: "hex string has an odd number of digits"))
        }
        var out: [UInt8] = []
        var index = start
        while index < utf8.count {
            guard let high = referenceNibble(utf8[index]), let low = referenceNibble(utf8[index + 1]) else {
                return .failure(Hex.DecodingError(description: "invalid hex digit at offset \(index - start)"))
            }
            out.append(high << 4 | low)
            index += 2
        }
        return .success(out)
    }

    private static func referenceNibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// SplitMix64, so the generated inputs are the same every run.
private struct HexTestGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
