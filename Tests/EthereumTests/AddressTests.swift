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
}
