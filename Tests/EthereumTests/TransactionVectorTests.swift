import Foundation
import Testing

@testable import Ethereum

/// The 400 ethers.js signing cases: signedEip155 and signedLondon byte for
/// byte, and decoding recovers the key's address.
struct TransactionVectorTests {
    struct Case {
        let name: String
        let key: PrivateKey
        let transaction: [String: Any]
        let unsignedEip155: String
        let signedEip155: String
        let unsignedLondon: String
        let signedLondon: String
    }

    static func cases() throws -> [Case] {
        let list = try #require(try Vectors.json("transactions/ethers-eip155-london-sample.json") as? [[String: Any]])
        return try list.map { entry in
            Case(
                name: try #require(entry["name"] as? String),
                key: try PrivateKey(hex: try #require(entry["privateKey"] as? String)),
                transaction: try #require(entry["transaction"] as? [String: Any]),
                unsignedEip155: entry["unsignedEip155"] as? String ?? "",
                signedEip155: entry["signedEip155"] as? String ?? "",
                unsignedLondon: try #require(entry["unsignedLondon"] as? String),
                signedLondon: try #require(entry["signedLondon"] as? String))
        }
    }

    /// The vector's fields restricted to one transaction type, as `util sign-tx` takes them.
    static func fields(_ transaction: [String: Any], london: Bool) -> [String: Any] {
        var fields = transaction
        if london {
            fields["gasPrice"] = nil
            if fields["maxFeePerGas"] == nil { fields["maxFeePerGas"] = "0x0" }
        } else {
            for key in ["maxFeePerGas", "maxPriorityFeePerGas", "accessList"] { fields[key] = nil }
        }
        return fields
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func londonCasesReproduceByteForByte() throws {
        let cases = try Self.cases()
        #expect(cases.count == 400)
        var checked = 0
        for testCase in cases {
            let unsigned = try TransactionJSON.unsignedTransaction(
                from: Self.fields(testCase.transaction, london: true))
            guard case .eip1559(let tx) = unsigned else {
                Issue.record("\(testCase.name): expected type 2")
                continue
            }
            #expect(Hex.encodePrefixed(tx.signingPayload) == testCase.unsignedLondon, "\(testCase.name)")
            let signed = tx.sign(with: testCase.key)
            #expect(Hex.encodePrefixed(signed.rawBytes) == testCase.signedLondon, "\(testCase.name)")

            let decoded = try SignedTransaction.decode(raw: try Hex.decode(testCase.signedLondon))
            #expect(decoded.from == testCase.key.address, "\(testCase.name)")
            #expect(decoded.transaction == .eip1559(tx), "\(testCase.name)")
            #expect(decoded.hash == signed.hash)
            checked += 1
        }
        #expect(checked == 400)
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func eip155CasesReproduceByteForByte() throws {
        var checked = 0
        for testCase in try Self.cases() where !testCase.signedEip155.isEmpty {
            let unsigned = try TransactionJSON.unsignedTransaction(
                from: Self.fields(testCase.transaction, london: false))
            guard case .legacy(let tx) = unsigned else {
                Issue.record("\(testCase.name): expected legacy")
                continue
            }
            #expect(Hex.encodePrefixed(tx.signingPayload) == testCase.unsignedEip155, "\(testCase.name)")
            let signed = tx.sign(with: testCase.key)
            #expect(Hex.encodePrefixed(signed.rawBytes) == testCase.signedEip155, "\(testCase.name)")

            let decoded = try SignedTransaction.decode(raw: try Hex.decode(testCase.signedEip155))
            #expect(decoded.from == testCase.key.address, "\(testCase.name)")
            #expect(decoded.transaction == .legacy(tx), "\(testCase.name)")
            #expect(decoded.rawBytes == signed.rawBytes)
            checked += 1
        }
        // The cases without a chain id have no EIP-155 form (signedEip155 is "").
        #expect(checked == 202)
    }
}
