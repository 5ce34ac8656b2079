import Attestation
import Ethereum
import Testing

struct PortableReceiptTests {
    static func receipt() throws -> PortableReceipt {
        let document = VerifierFixtures.document()
        let stored = try VerifierFixtures.stored(document)
        return PortableReceipt(
            document: try document.json(), contentHash: stored.contentHash, leaf: try #require(stored.leaf),
            proof: stored.proof, root: stored.root, chainID: 1337,
            contract: try Address(hex: "0x" + String(repeating: "11", count: 20)), txHash: Keccak256.hash([2]),
            blockNumber: 10, blockHash: Keccak256.hash([3]), leafIndex: 0,
            attestedAt: Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000))
    }

    @Test func roundTripsThroughItsJSON() throws {
        let receipt = try Self.receipt()
        let parsed = try PortableReceipt(bytes: receipt.json.canonicalBytes())
        #expect(parsed == receipt)
        #expect(parsed.localCheck() == nil)
    }

    /// Edits one member of the receipt's JSON and returns the local verdict
    /// (or the parse error's message).
    func edited(_ key: String, _ value: JSONValue) throws -> String {
        guard case .object(var members) = try Self.receipt().json else { return "not an object" }
        let index = try #require(members.firstIndex { $0.key == key })
        members[index].value = value
        do {
            let receipt = try PortableReceipt(json: .object(members))
            return receipt.localCheck().map { "\($0.verdict.rawValue): \($0.reason)" } ?? "passes locally"
        } catch {
            return error.message
        }
    }

    @Test func editedLocalFieldsFailNamingTheField() throws {
        let flipped = "0x" + String(repeating: "0", count: 63) + "1"
        #expect(try edited("contentHash", .string(flipped)).hasPrefix("record-changed: document/contentHash"))
        #expect(try edited("leaf", .string(flipped)).hasPrefix("proof-invalid: leaf"))
        #expect(try edited("root", .string(flipped)).hasPrefix("proof-invalid: proof/root"))
        #expect(try edited("proof", [.string(flipped)]).hasPrefix("proof-invalid: proof/root"))
        #expect(try edited("format", "caseattest-receipt/v2").hasPrefix("format"))
        #expect(try edited("chainId", "1337").hasPrefix("chainId"))
        #expect(try edited("txHash", "0x12").hasPrefix("txHash"))
    }

    @Test func anEditedDocumentFieldFailsTheHash() throws {
        var document = try VerifierFixtures.document().json()
        guard case .object(var members) = document else { return }
        let index = try #require(members.firstIndex { $0.key == "salt" })
        members[index].value = .string(String(repeating: "0", count: 64))
        document = .object(members)
        #expect(try edited("document", document).hasPrefix("record-changed"))
    }

    @Test func unknownFieldsAreRejected() throws {
        guard case .object(var members) = try Self.receipt().json else { return }
        members.append(("note", "hello"))
        #expect(throws: ReceiptError.self) { try PortableReceipt(json: .object(members)) }
    }

    @Test func chainFieldsBecomeTheClaim() throws {
        let claim = try Self.receipt().claim
        #expect(claim.blockNumber == 10)
        #expect(claim.attestedAt == 1_700_000_000)
        #expect(claim.leafIndex == 0)
    }
}
