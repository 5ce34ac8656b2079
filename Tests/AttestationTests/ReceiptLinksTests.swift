import Attestation
import Ethereum
import Testing

/// A receipt's explorer links: informational, from the issuer's profile,
/// absent without an explorer, and held to the receipt's own transaction and
/// contract; receipts without them read exactly as before.
struct ReceiptLinksTests {
    static let bsc = ChainProfiles.builtIn[56]

    static func linked() throws -> PortableReceipt {
        var receipt = try PortableReceiptTests.receipt()
        receipt.links = ReceiptLinks(profile: bsc, txHash: receipt.txHash, contract: receipt.contract)
        return receipt
    }

    @Test func aProfileWithAnExplorerGivesBothPages() throws {
        let receipt = try Self.linked()
        let links = try #require(receipt.links)
        #expect(links.transaction == "https://bscscan.com/tx/" + Hex.encodePrefixed(receipt.txHash))
        #expect(links.contract == "https://bscscan.com/address/" + receipt.contract.lowercased)
    }

    @Test func noExplorerNoLinks() throws {
        let receipt = try PortableReceiptTests.receipt()
        let dev = ChainProfiles.builtIn[1337]
        #expect(ReceiptLinks(profile: dev, txHash: receipt.txHash, contract: receipt.contract) == nil)
        #expect(ReceiptLinks(profile: nil, txHash: receipt.txHash, contract: receipt.contract) == nil)
        // No member at all: a receipt without links is byte for byte what it was before links existed.
        guard case .object(let members) = receipt.json else { Issue.record("not an object"); return }
        #expect(!members.contains { $0.key == "links" })
    }

    /// A profile built in code (not parsed) with a template no reader would
    /// take: that link is left out, the other kept.
    @Test func aLinkNoReaderWouldTakeIsLeftOut() throws {
        let receipt = try PortableReceiptTests.receipt()
        let odd = ChainProfile(
            chainID: 1337, name: "odd", finality: .blocks(1), feeModel: .auto, minimumTipWei: 0, blockTime: 1,
            explorerTransaction: "https://x.example/tx/{tx}", explorerAddress: "ftp://x.example/{address}")
        let links = try #require(ReceiptLinks(profile: odd, txHash: receipt.txHash, contract: receipt.contract))
        #expect(links.transaction != nil && links.contract == nil)
    }

    @Test func linksRoundTripAndChangeNoCheck() throws {
        let receipt = try Self.linked()
        let parsed = try PortableReceipt(bytes: receipt.json.canonicalBytes())
        #expect(parsed == receipt)
        #expect(parsed.localCheck() == nil)
        // Nothing verified depends on them: the claim against the chain is the same without.
        var bare = receipt
        bare.links = nil
        #expect(parsed.claim == bare.claim)
    }

    /// The receipt's JSON with `links` replaced; the parse error's message, or "parses".
    func withLinks(_ links: JSONValue) throws -> String {
        guard case .object(var members) = try Self.linked().json else { return "not an object" }
        let index = try #require(members.firstIndex { $0.key == "links" })
        members[index].value = links
        do {
            _ = try PortableReceipt(json: .object(members))
            return "parses"
        } catch {
            return error.message
        }
    }

    @Test func linksToAnotherAnchorOrNotURLsAreRefusedNamingTheField() throws {
        let receipt = try Self.linked()
        let other = "https://bscscan.com/tx/0x" + String(repeating: "ab", count: 32)
        #expect(try withLinks(.object([("transaction", .string(other))])).hasPrefix("links.transaction: does not name"))
        let otherContract = "https://bscscan.com/address/0x" + String(repeating: "22", count: 20)
        #expect(try withLinks(.object([("contract", .string(otherContract))])).hasPrefix("links.contract: does not"))
        let tx = Hex.encodePrefixed(receipt.txHash)
        #expect(try withLinks(.object([("transaction", .string("javascript:" + tx))])).hasSuffix("not an http(s) URL"))
        #expect(try withLinks(.object([("transaction", .string("https://x/ " + tx))])).hasSuffix("not an http(s) URL"))
        #expect(try withLinks(.object([("transaction", .number(1))])).hasSuffix("not a string"))
        #expect(try withLinks(.object([("block", .string("https://x/" + tx))])).contains("unexpected field"))
        #expect(try withLinks(.object([])).hasPrefix("links: empty"))
        #expect(try withLinks(.string("https://x")) == "links: not an object")
        // Upper-case hex in a link is the same transaction; one link alone is fine.
        #expect(
            try withLinks(.object([("transaction", .string("https://x.example/tx/" + tx.uppercased()))])) == "parses")
    }
}
