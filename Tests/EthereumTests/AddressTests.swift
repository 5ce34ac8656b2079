import Testing

@testable import Ethereum

struct AddressTests {
    // EIP-55's own examples.
    @Test(arguments: [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ])
    func checksumRoundTrip(text: String) throws {
        let address = try Address(hex: text)
        #expect(address.checksummed == text)
        #expect(try Address(hex: text.lowercased()).checksummed == text)
        #expect(try Address(hex: "0x" + text.dropFirst(2).uppercased()).checksummed == text)
    }

    @Test func rejectsWrongChecksum() {
        // One letter's case flipped.
        #expect(throws: Address.ParseError.self) { try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD") }
    }

    @Test(arguments: [
        "", "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaedaa", "0xzaaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    ])
    func rejectsMalformed(text: String) {
        #expect(throws: Address.ParseError.self) { try Address(hex: text) }
    }

    /// Read in place when of one case; the general path answers the rest the same way.
    @Test func singleCaseFastPathAgreesWithTheGeneralRule() throws {
        let lower = "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"
        let expected = try Hex.decode(lower)
        #expect(try Address(hex: lower).bytes == expected)
        #expect(try Address(hex: "0X" + lower.dropFirst(2)).bytes == expected)
        #expect(try Address(hex: "0x" + lower.dropFirst(2).uppercased()).bytes == expected)
        #expect(try Address(hex: Substring("  " + lower).dropFirst(2)).bytes == expected)
        // Digits only: no case at all.
        #expect(try Address(hex: "0x" + String(repeating: "1", count: 40)).bytes == [UInt8](repeating: 0x11, count: 20))
        // A second prefix is not 40 digits (Hex.decode alone would skip it).
        #expect(throws: Address.ParseError.self) { try Address(hex: "0x0x" + lower.dropFirst(4)) }
        #expect(throws: Address.ParseError.self) { try Address(hex: "0x" + lower.dropFirst(3) + "g") }
        #expect(throws: Address.ParseError.self) { try Address(hex: "0y" + lower.dropFirst(2)) }
    }
}
