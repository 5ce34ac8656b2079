import Foundation
import PropertyBased
import Testing

@testable import Ethereum

struct TransactionDecodingTests {
    static let key = try! PrivateKey(hex: "0x4646464646464646464646464646464646464646464646464646464646464646")

    static func sample() throws -> SignedTransaction {
        UnsignedEIP1559Transaction(
            chainId: 31337, nonce: 7, maxPriorityFeePerGas: 1_000_000_000, maxFeePerGas: 30_000_000_000,
            gasLimit: 100_000, to: try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            value: 0, data: [0xDE, 0xAD, 0xBE, 0xEF],
            accessList: [
                try AccessListEntry(
                    address: try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
                    storageKeys: [[UInt8](repeating: 1, count: 32)])
            ]
        ).sign(with: key)
    }

    @Test func roundTripKeepsEverything() throws {
        let signed = try Self.sample()
        let decoded = try SignedTransaction.decode(raw: signed.rawBytes)
        #expect(decoded == signed)
        #expect(decoded.from == Self.key.address)
        #expect(decoded.type == 2)
        #expect(decoded.chainId == 31337)
    }

    @Test func contractCreationHasNoRecipient() throws {
        let tx = UnsignedEIP1559Transaction(
            chainId: 1, nonce: 0, maxPriorityFeePerGas: 1, maxFeePerGas: 2, gasLimit: 53000, to: nil,
            data: [0x60, 0x00])
        let decoded = try SignedTransaction.decode(raw: tx.sign(with: Self.key).rawBytes)
        guard case .eip1559(let back) = decoded.transaction else { Issue.record("type"); return }
        #expect(back.to == nil)
    }

    @Test func rejectsOtherTypesAndGarbage() throws {
        let raw = try Self.sample().rawBytes
        var typeOne = raw
        typeOne[0] = 0x01
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: typeOne) }
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: []) }
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: [0x02]) }
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: [0x02, 0xC0]) }
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: raw + [0x00]) }
        #expect(throws: TransactionError.self) { try SignedTransaction.decode(raw: Array(raw.dropLast())) }
    }

    @Test func rejectsUnprotectedLegacy() throws {
        // The pre-EIP-155 form of the EIP-155 example (v = 27 region).
        let items: [RLPItem] = [
            .uint(UInt64(9)), .uint(UInt64(1)), .uint(UInt64(21000)),
            .bytes([UInt8](repeating: 0x35, count: 20)), .uint(UInt64(1)), .bytes([]),
            .uint(UInt64(27)), .bytes([UInt8](repeating: 1, count: 32)),
            .bytes([UInt8](repeating: 1, count: 32)),
        ]
        do {
            _ = try SignedTransaction.decode(raw: RLP.encode(.list(items)))
            Issue.record("accepted an unprotected legacy transaction")
        } catch {
            #expect(error.code == .unprotected)
        }
    }

    @Test func rejectsHighSAndLeadingZeros() throws {
        let signed = try Self.sample()
        let fields = try RLP.decode(Array(signed.rawBytes.dropFirst())).listValue()
        // s -> n - s (the high-s twin of a valid signature).
        let s = try UInt256(bigEndianBytes: signed.signature.s)
        var highS = fields
        highS[11] = .uint(secp256k1Order - s)
        #expect(throws: TransactionError.self) {
            try SignedTransaction.decode(raw: [0x02] + RLP.encode(.list(highS)))
        }
        var paddedNonce = fields
        paddedNonce[1] = .bytes([0x00, 0x07])
        #expect(throws: TransactionError.self) {
            try SignedTransaction.decode(raw: [0x02] + RLP.encode(.list(paddedNonce)))
        }
        var shortAddress = fields
        shortAddress[5] = .bytes([1, 2, 3])
        #expect(throws: TransactionError.self) {
            try SignedTransaction.decode(raw: [0x02] + RLP.encode(.list(shortAddress)))
        }
    }

    @Test func corruptedBytesNeverCrash() async throws {
        let raw = try Self.sample().rawBytes
        await propertyCheck(count: 500, input: Gen.int(in: 0...(raw.count - 1)), Gen.uint8()) { index, byte in
            var corrupted = raw
            corrupted[index] = byte
            if let decoded = try? SignedTransaction.decode(raw: corrupted) {
                // A change that still decodes must be a change of fields or sender, never a silent no-op.
                #expect(corrupted == raw || decoded.rawBytes != raw)
            }
        }
    }

    @Test func jsonRejectsFieldsOfTheOtherType() {
        #expect(throws: TransactionError.self) {
            try TransactionJSON.unsignedTransaction(from: ["maxFeePerGas": "0x1", "gasPrice": "0x1"])
        }
        #expect(throws: TransactionError.self) {
            try TransactionJSON.unsignedTransaction(from: ["chainId": "0x1", "accessList": [Any]()])
        }
        #expect(throws: TransactionError.self) { try TransactionJSON.unsignedTransaction(from: ["gasPrice": "0x1"]) }
        #expect(throws: TransactionError.self) {
            try TransactionJSON.unsignedTransaction(from: [
                "chainId": "0x1", "nonce": "0x1" + String(repeating: "0", count: 16),
            ])
        }
    }
}
