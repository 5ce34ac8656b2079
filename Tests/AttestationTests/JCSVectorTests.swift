import Attestation
import Foundation
import Testing

struct JCSVectorTests {
    @Test(arguments: ["arrays", "french", "structures", "unicode", "values", "weird"])
    func cyberphoneVectorsCanonicaliseByteForByte(name: String) throws {
        guard let directory = Vectors.directory("jcs") else { return }
        let input = try Vectors.bytes(directory.appendingPathComponent("input/\(name).json"))
        let expected = try Vectors.bytes(directory.appendingPathComponent("output/\(name).json"))
        let canonical = try JSONValue.parse(input).canonicalBytes()
        #expect(canonical == expected, "\(String(decoding: canonical, as: UTF8.self))")
        // The expected output is itself canonical: a fixed point.
        #expect(try JSONValue.parse(expected).canonicalBytes() == expected)
    }

    @Test func vectorFolderHasNoUncheckedFiles() throws {
        guard let directory = Vectors.directory("jcs") else { return }
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("input").path)
        #expect(
            Set(names) == [
                "arrays.json", "french.json", "structures.json", "unicode.json", "values.json", "weird.json",
            ])
    }

    // RFC 8785 Appendix B: IEEE-754 bit patterns and their ECMAScript text.
    @Test(
        arguments: [
            (0x0000_0000_0000_0000, "0"),
            (0x8000_0000_0000_0000, "0"),
            (0x0000_0000_0000_0001, "5e-324"),
            (0x8000_0000_0000_0001, "-5e-324"),
            (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
            (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
            (0x4340_0000_0000_0000, "9007199254740992"),
            (0xC340_0000_0000_0000, "-9007199254740992"),
            (0x4430_0000_0000_0000, "295147905179352830000"),
            (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
            (0x44B5_2D02_C7E1_4AF6, "1e+23"),
            (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
            (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
            (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
            (0x444B_1AE4_D6E2_EF50, "1e+21"),
            (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
            (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
            (0x41B3_DE43_5555_5553, "333333333.3333332"),
            (0x41B3_DE43_5555_5554, "333333333.33333325"),
            (0x41B3_DE43_5555_5555, "333333333.3333333"),
            (0x41B3_DE43_5555_5556, "333333333.3333334"),
            (0x41B3_DE43_5555_5557, "333333333.33333343"),
            (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
            (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
        ] as [(UInt64, String)])
    func rfc8785NumberSamples(bits: UInt64, expected: String) throws {
        let value = Double(bitPattern: bits)
        #expect(JSONValue.number(value).canonicalString == expected)
        // And the text parses back to the same double.
        #expect(try JSONValue.parse(expected).numberValue == (value == 0 ? 0 : value))
    }

    @Test(arguments: [
        ("1e21", "1e+21"), ("1e20", "100000000000000000000"), ("123e-20", "1.23e-18"),
        ("0.0000001", "1e-7"), ("0.000001", "0.000001"), ("-0", "0"), ("-0.0e5", "0"),
        ("1E+2", "100"), ("12.50", "12.5"), ("1.5e300", "1.5e+300"), ("4.9e-324", "5e-324"),
        ("1e-400", "0"), ("123456789012345678", "123456789012345680"), ("0.1", "0.1"),
        ("-1.25e-5", "-0.0000125"), ("9007199254740993", "9007199254740992"),
    ])
    func numberLayout(input: String, expected: String) throws {
        #expect(try JSONValue.parse(input).canonicalString == expected)
    }

    @Test func stringEscapingFollowsTheRFC() throws {
        let value = JSONValue.string("\u{0}\u{8}\u{9}\u{A}\u{B}\u{C}\u{D}\u{1F}\"\\/\u{7F}\u{2028}é😂")
        #expect(value.canonicalString == #""\u0000\b\t\n\u000b\f\r\u001f\"\\/\#u{7F}\#u{2028}é😂""#)
    }

    @Test func membersSortByUTF16CodeUnitsNotCodePoints() throws {
        // U+1F600 is D83D DE00 in UTF-16, so it sorts before U+E000 and U+FFFD,
        // although its code point is larger.
        let parsed = try JSONValue.parse(#"{"\uFFFD":1,"\uE000":2,"\uD83D\uDE00":3,"z":4,"é":5}"#)
        #expect(parsed.canonicalString == #"{"z":4,"é":5,"😀":3,"\#u{E000}":2,"\#u{FFFD}":1}"#)
    }

    @Test func canonicallyEquivalentNamesAreDistinctMembers() throws {
        // "é" precomposed and decomposed are different JCS names; Swift's
        // String == would call them equal.
        let parsed = try JSONValue.parse(#"{"\u00e9":1,"e\u0301":2}"#)
        #expect(parsed.canonicalString == "{\"e\u{301}\":2,\"\u{E9}\":1}")
        #expect(JSONValue.string("\u{E9}") != JSONValue.string("e\u{301}"))
    }

    @Test func acceptsMaximumNestingDepth() throws {
        let depth = JSONValue.maximumNestingDepth
        let arrays = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(try JSONValue.parse(arrays).canonicalString == arrays)
        let objects = String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
        #expect(try JSONValue.parse(objects).canonicalString == objects)
    }
}
