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
}
