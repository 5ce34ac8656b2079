import Testing

@testable import Ethereum

struct KeyTests {
    @Test func knownKeyHasKnownAddress() throws {
        // Private key 1: the generator point's address.
        let key = try PrivateKey(hex: "0x" + String(repeating: "0", count: 63) + "1")
        #expect(key.address.checksummed == "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf")
        #expect(key.publicKey.count == 65 && key.publicKey[0] == 0x04)
    }

    @Test(arguments: [
        "0x" + String(repeating: "0", count: 64),  // zero
        "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",  // the order n
        "0x" + String(repeating: "f", count: 64),
        "0x1234",  // short
        "0xzz" + String(repeating: "0", count: 62),
    ])
    func rejectsInvalidKeys(text: String) {
        #expect(throws: KeyError.self) { try PrivateKey(hex: text) }
    }

    @Test func descriptionNeverShowsTheKey() throws {
        let hex = "4646464646464646464646464646464646464646464646464646464646464646"
        let key = try PrivateKey(hex: hex)
        for text in [key.description, key.debugDescription, String(reflecting: key), "\(key)"] {
            #expect(!text.contains(hex))
            #expect(!text.lowercased().contains("464646"))
        }
        var dumped = ""
        dump(key, to: &dumped)
        #expect(!dumped.contains("464646"))
    }

    @Test func signIsDeterministicLowSAndRecoverable() throws {
        let key = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
        for index in 0..<50 {
            let hash = Keccak256.hash(Array("message \(index)".utf8))
            let signature = key.sign(hash: hash)
            #expect(signature == key.sign(hash: hash))
            let s = try UInt256(bigEndianBytes: signature.s)
            #expect(s <= secp256k1HalfOrder)
            #expect(try recoverAddress(hash: hash, signature: signature) == key.address)
            // Validating init accepts what we produced.
            #expect(try Signature(r: signature.r, s: signature.s, recoveryID: signature.recoveryID) == signature)
        }
    }

    @Test func eip155ExampleSignature() throws {
        // The worked example in EIP-155: nonce 9, gasPrice 20 gwei, gas 21000,
        // to 0x3535..., value 1 ether, chain 1, key 0x4646...
        let key = try PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")
        let tx = UnsignedLegacyTransaction(
            chainId: 1, nonce: 9, gasPrice: 20_000_000_000, gasLimit: 21000,
            to: try Address(hex: "0x3535353535353535353535353535353535353535"),
            value: try UInt256(decimal: "1000000000000000000"))
        #expect(Hex.encode(tx.signingHash) == "daf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53")
        let signed = tx.sign(with: key)
        #expect(
            Hex.encode(signed.rawBytes)
                == "f86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a0"
                + "28ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf5"
                + "55c9f3dc64214b297fb1966a3b6d83"
        )
        #expect(signed.v == 37)
    }

    @Test func recoveryRejectsGarbage() throws {
        let hash = Keccak256.hash([1, 2, 3])
        #expect(throws: KeyError.self) {
            try Signature(r: [UInt8](repeating: 0, count: 32), s: [UInt8](repeating: 1, count: 32), recoveryID: 0)
        }
        #expect(throws: KeyError.self) {
            try Signature(r: [UInt8](repeating: 1, count: 31), s: [UInt8](repeating: 1, count: 32), recoveryID: 0)
        }
        // High s.
        #expect(throws: KeyError.self) {
            try Signature(r: [UInt8](repeating: 1, count: 32), s: [UInt8](repeating: 0xF0, count: 32), recoveryID: 0)
        }
        let bad = Signature(
            uncheckedR: [UInt8](repeating: 0xFF, count: 32), s: [UInt8](repeating: 0xFF, count: 32), recoveryID: 0)
        #expect(throws: KeyError.self) { try recoverAddress(hash: hash, signature: bad) }
        #expect(throws: KeyError.self) { try recoverAddress(hash: [1, 2], signature: bad) }
    }

    @Test func generatedKeysDiffer() throws {
        let a = try PrivateKey.generate()
        let b = try PrivateKey.generate()
        #expect(a.address != b.address)
    }
}
