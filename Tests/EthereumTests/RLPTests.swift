import Foundation
import PropertyBased
import Testing

@testable import Ethereum

struct RLPTests {
    /// Builds the expected item from the ethereum/tests "in" form: strings are
    /// bytes, integers are minimal big-endian, "#digits" is a decimal big integer.
    static func item(fromVector value: Any) throws -> RLPItem {
        if let text = value as? String {
            if text.hasPrefix("#") { return .bytes(try bigDecimalBytes(text.dropFirst())) }
            return .bytes(Array(text.utf8))
        }
        if let list = value as? [Any] { return .list(try list.map { try Self.item(fromVector: $0) }) }
        if let number = value as? Int, number >= 0 { return .uint(UInt64(number)) }
        throw RLPError(.unexpectedShape, "unsupported vector value \(value)")
    }

    /// Decimal digits to minimal big-endian bytes, any size (the vectors go past 2^256).
    static func bigDecimalBytes(_ digits: Substring) throws -> [UInt8] {
        var bytes = [UInt8]()  // little endian while building
        for char in digits.utf8 {
            guard char >= 48 && char <= 57 else { throw RLPError(.unexpectedShape, "bad digit") }
            var carry = Int(char - 48)
            for index in bytes.indices {
                let value = Int(bytes[index]) * 10 + carry
                bytes[index] = UInt8(value & 0xFF)
                carry = value >> 8
            }
            while carry > 0 { bytes.append(UInt8(carry & 0xFF)); carry >>= 8 }
        }
        return bytes.reversed()
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func validVectorsEncodeAndDecode() throws {
        let cases = try #require(try Vectors.json("rlp/rlptest.json") as? [String: [String: Any]])
        #expect(cases.count == 28)
        for (name, testCase) in cases.sorted(by: { $0.key < $1.key }) {
            let expected = try Self.item(fromVector: try #require(testCase["in"]))
            let encoded = try Hex.decode(try #require(testCase["out"] as? String))
            #expect(RLP.encode(expected) == encoded, "encode \(name)")
            #expect(try RLP.decode(encoded) == expected, "decode \(name)")
        }
    }

    @Test(.enabled(if: Vectors.available, "shared vectors not found"))
    func invalidVectorsAreRejected() throws {
        let cases = try #require(try Vectors.json("rlp/invalidRLPTest.json") as? [String: [String: Any]])
        #expect(cases.count == 26)
        for (name, testCase) in cases.sorted(by: { $0.key < $1.key }) {
            let encoded = try Hex.decode(try #require(testCase["out"] as? String))
            #expect(throws: RLPError.self, "\(name) must be rejected") { try RLP.decode(encoded) }
        }
    }

    @Test(arguments: [
        ("", RLPError.Code.empty),
        ("c0c0", .trailingBytes),
        ("8100", .nonCanonical),
        ("b800", .nonCanonical),
        ("b90000", .nonCanonical),
        ("b837" + String(repeating: "00", count: 55), .nonCanonical),  // 55 bytes in the long form
        ("83aabb", .truncated),
        ("bf" + String(repeating: "ff", count: 8), .truncated),  // 2^64-1 length
        ("c3c2c1", .truncated),
        ("c2c30000", .truncated),  // child longer than its parent
    ])
    func rejectsMalformed(hex: String, code: RLPError.Code) throws {
        let input = try Hex.decode(hex)
        #expect(throws: RLPError.self) { try RLP.decode(input) }
        do { _ = try RLP.decode(input) } catch { #expect(error.code == code, "\(hex): \(error)") }
    }

    @Test func nestingIsBounded() throws {
        func nested(_ levels: Int) -> RLPItem {
            var item = RLPItem.list([])
            for _ in 1..<levels { item = .list([item]) }
            return item
        }
        let deepest = nested(RLP.maxDepth)
        #expect(try RLP.decode(RLP.encode(deepest)) == deepest)
        #expect(throws: RLPError.self) { try RLP.decode(RLP.encode(nested(RLP.maxDepth + 1))) }
        // And a hostile deep prefix with no payload never crashes.
        let hostile = [UInt8](repeating: 0xC1, count: 100_000)
        #expect(throws: RLPError.self) { try RLP.decode(hostile) }
    }

    static let bytesGen = Gen.uint8().array(of: 0...70)
    static let itemGen = Gen.uint8().array(of: 0...70).array(of: 0...6).map(Self.nestedItem)

    /// A two-level list mixing short, long, single-byte and empty strings.
    @Sendable static func nestedItem(_ chunks: [[UInt8]]) -> RLPItem {
        var items = [RLPItem]()
        for (index, chunk) in chunks.enumerated() {
            if index % 3 == 2 {
                items.append(.list([.bytes(chunk), .bytes(Array(chunk.prefix(1)))]))
            } else {
                items.append(.bytes(chunk))
            }
        }
        return .list(items)
    }

    @Test func bytesRoundTrip() async {
        await propertyCheck(count: 300, input: Self.bytesGen) { bytes throws in
            #expect(try RLP.decode(RLP.encode(.bytes(bytes))) == .bytes(bytes))
        }
    }

    @Test func listsRoundTripAndTruncationsFail() async {
        await propertyCheck(count: 200, input: Self.itemGen) { item throws in
            let encoded = RLP.encode(item)
            #expect(try RLP.decode(encoded) == item)
            for cut in [1, encoded.count / 2, encoded.count - 1] where cut > 0 && cut < encoded.count {
                #expect(throws: RLPError.self) { try RLP.decode(Array(encoded.prefix(cut))) }
            }
            #expect(throws: RLPError.self) { try RLP.decode(encoded + [0]) }
        }
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 1000, input: Gen.uint8().array(of: 0...40)) { bytes in
            if let item = try? RLP.decode(bytes) {
                // Whatever decodes is canonical: it re-encodes to the same bytes.
                #expect(RLP.encode(item) == bytes)
            }
        }
    }

    @Test func integerViewsAreStrict() throws {
        #expect(try RLPItem.bytes([0x01, 0x00]).uint64Value() == 256)
        #expect(try RLPItem.bytes([]).uint256Value() == .zero)
        #expect(throws: RLPError.self) { try RLPItem.bytes([0x00, 0x01]).uint64Value() }
        #expect(throws: RLPError.self) { try RLPItem.bytes([UInt8](repeating: 1, count: 9)).uint64Value() }
        #expect(throws: RLPError.self) { try RLPItem.list([]).bytesValue() }
    }
}
