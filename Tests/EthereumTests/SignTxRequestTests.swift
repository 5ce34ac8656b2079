import Foundation
import Testing

@testable import Ethereum

/// The `util sign-tx` line format, fed with all 400 vector cases (as the
/// CLI does, in process; tests/python/test_sign_tx_cli.py runs the binary).
struct SignTxRequestTests {
    static func line(key: String, transaction: [String: Any]) throws -> String {
        let object: [String: Any] = ["privateKey": key, "transaction": transaction]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func allVectorLinesSignToTheExpectedBytes() throws {
        let list = try #require(try Vectors.json("transactions/ethers-eip155-london-sample.json") as? [[String: Any]])
        var lines = 0
        for entry in list {
            let key = try #require(entry["privateKey"] as? String)
            let transaction = try #require(entry["transaction"] as? [String: Any])
            let london = try Self.line(key: key, transaction: TransactionVectorTests.fields(transaction, london: true))
            #expect(
                Hex.encodePrefixed(try SignTxRequest.sign(jsonLine: london).rawBytes) == entry["signedLondon"]
                    as? String)
            lines += 1
            if let legacyExpected = entry["signedEip155"] as? String, !legacyExpected.isEmpty {
                let legacy = try Self.line(
                    key: key, transaction: TransactionVectorTests.fields(transaction, london: false))
                #expect(Hex.encodePrefixed(try SignTxRequest.sign(jsonLine: legacy).rawBytes) == legacyExpected)
                lines += 1
            }
        }
        #expect(lines == 602)
    }

    @Test func errorsNeverShowTheKey() {
        let key = "0x0f8592102198f565b00937d2da3cd00475866ebdb18053243355dd6aa0222ab4"
        let bad = [
            "{\"privateKey\": \"\(key)\", \"transaction\": {\"chainId\": \"0xzz\"}}",
            "{\"privateKey\": \"\(key)\", \"transaction\": {}}",  // legacy without chainId
            "{\"privateKey\": \"\(key)\"",  // truncated JSON
            "{\"privateKey\": \"\(key)00\", \"transaction\": {\"maxFeePerGas\": \"0x1\"}}",
            "{\"privateKey\": \"\(key)\", \"transaction\": {\"maxFeePerGas\": \"0x1\"}, \"extra\": 1}",
        ]
        for line in bad {
            do {
                _ = try SignTxRequest.sign(jsonLine: line)
                Issue.record("accepted \(line.suffix(30))")
            } catch {
                #expect(!error.description.contains("0f8592102198f565"))
            }
        }
    }
}
