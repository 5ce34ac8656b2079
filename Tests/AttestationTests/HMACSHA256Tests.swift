import Ethereum
import Testing

@testable import Attestation

struct HMACSHA256Tests {
    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block).
    @Test(arguments: [
        (
            [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            [UInt8](repeating: 0xAA, count: 131),
            Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ])
    func matchesRFC4231(key: [UInt8], message: [UInt8], expected: String) throws {
        let mac = try #require(HMACSHA256(key: key)?.mac(message))
        #expect(Hex.encode(mac) == expected)
    }

    @Test func matchesOpenSSLsOneShotHMACOnGeneratedKeysAndMessages() throws {
        // Keys around the block size (64) and messages around one and two blocks.
        var generator = SplitMix64(seed: 0x4D4143)
        for _ in 0..<500 {
            let key = (0..<Int(generator.next() % 140)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let prepared = try #require(HMACSHA256(key: key))
            for _ in 0..<4 {
                let message = (0..<Int(generator.next() % 150)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
                #expect(prepared.mac(message) == PseudonymKey.oneShotHMAC(key: key, message))
            }
        }
    }

    @Test func pseudonymsAreTheOneShotHMACsOfTheirMessages() throws {
        let keyBytes = Array("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n".utf8)
        let key = try PseudonymKey(bytes: keyBytes)
        let trimmed = Array(keyBytes.dropLast())
        for (caseID, userID) in [(Int64(1), Int64(2)), (-7, .max), (.min, 0), (123_456, 987_654_321)] {
            #expect(
                key.userHash(for: userID)
                    == Hex.encode(PseudonymKey.oneShotHMAC(key: trimmed, Array(String(userID).utf8))))
            let message = PseudonymKey.caseUserHashMessage(caseID: caseID, userID: userID)
            #expect(
                key.caseUserHash(caseID: caseID, userID: userID)
                    == Hex.encode(PseudonymKey.oneShotHMAC(key: trimmed, message)))
        }
    }
}
