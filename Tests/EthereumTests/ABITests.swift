import PropertyBased
import Testing

@testable import Ethereum

struct ABITests {
    @Test func selectorsAndTopics() {
        #expect(Hex.encode(ABI.functionSelector("transfer(address,uint256)")) == "a9059cbb")
        // Computed with eth_utils.keccak(text=...)[:4] (web3.py's stack).
        #expect(Hex.encode(ABI.functionSelector("anchor(bytes32,uint32)")) == "47489de4")
        #expect(
            Hex.encode(ABI.eventTopic("Transfer(address,address,uint256)"))
                == "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef")
    }

    @Test func parsesTypesCanonically() throws {
        #expect(try ABIType(parsing: "uint").description == "uint256")
        #expect(try ABIType(parsing: "(uint8,bytes)[]") == .dynamicArray(.tuple([.uint(bits: 8), .bytes])))
        #expect(try ABIType(parsing: "bytes32[2][]") == .dynamicArray(.array(.fixedBytes(32), count: 2)))
        #expect(try ABIFunctionSignature("f(uint,int)").canonical == "f(uint256,int256)")
        #expect(try ABIFunctionSignature("g()").parameters == [])
        for bad in ["uint7", "uint264", "bytes33", "bytes0", "foo", "uint256[", "(uint8", "uint256]", "int8,"] {
            #expect(throws: ABIError.self, "\(bad)") { try ABIType(parsing: bad) }
        }
    }

    static let mixedTypes = try! [
        "uint256", "address", "bool", "bytes32", "bytes", "string", "uint32[2]", "string[]",
        "int8", "(uint8,bytes)[]", "int256",
    ].map { try ABIType(parsing: $0) }

    static func mixedValues() throws -> [ABIValue] {
        [
            .uint((UInt256(1) << 255) + 7),
            .address(try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")),
            .bool(true),
            .fixedBytes(Array(0..<32)),
            .bytes([1, 2, 3]),
            .string("héllo"),
            .array([.uint(1), .uint(2)]),
            .array([.string("a"), .string("bc"), .string("")]),
            .signed(-1),
            .array([.tuple([.uint(5), .bytes(Array("xyz".utf8))]), .tuple([.uint(6), .bytes([])])]),
            .int(UInt256(1) << 255),  // -2^255
        ]
    }

    /// Produced by eth_abi 6.0.0 (web3.py's encoder): encode(types, same values).
    static let mixedEncoding = """
        80000000000000000000000000000000000000000000000000000000000000070000000000000000000000005aaeb6053f3e94c9b9a0\
        9f33669435e7ef1beaed0000000000000000000000000000000000000000000000000000000000000001000102030405060708090a0b\
        0c0d0e0f101112131415161718191a1b1c1d1e1f00000000000000000000000000000000000000000000000000000000000001800000\
        0000000000000000000000000000000000000000000000000000000001c0000000000000000000000000000000000000000000000000\
        000000000000000100000000000000000000000000000000000000000000000000000000000000020000000000000000000000000000\
        000000000000000000000000000000000200ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00000000\
        000000000000000000000000000000000000000000000000000003208000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000000000000000000000301020300000000000000000000000000\
        00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000668c3a96c6c6f\
        000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        000000030000000000000000000000000000000000000000000000000000000000000060000000000000000000000000000000000000\
        00000000000000000000000000a000000000000000000000000000000000000000000000000000000000000000e00000000000000000\
        000000000000000000000000000000000000000000000001610000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000000000000026263000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000020000000000000000000000000000000000000000000000000000000000000040\
        00000000000000000000000000000000000000000000000000000000000000c000000000000000000000000000000000000000000000\
        000000000000000000050000000000000000000000000000000000000000000000000000000000000040000000000000000000000000\
        000000000000000000000000000000000000000378797a00000000000000000000000000000000000000000000000000000000000000\
        000000000000000000000000000000000000000000000000000000000006000000000000000000000000000000000000000000000000\
        00000000000000400000000000000000000000000000000000000000000000000000000000000000
        """

    @Test func encodesLikeEthABIAndDecodesBack() throws {
        let values = try Self.mixedValues()
        let encoded = try ABI.encode(values, as: Self.mixedTypes)
        #expect(Hex.encode(encoded) == Self.mixedEncoding)
        #expect(try ABI.decode(Self.mixedTypes, from: encoded) == values)
        #expect(try ABI.decode(Self.mixedTypes, from: encoded)[8].int64Value == -1)
    }

    @Test func encodeCallPrefixesTheSelector() throws {
        let root = [UInt8](repeating: 0xAB, count: 32)
        let call = try ABI.encodeCall("anchor(bytes32,uint32)", [.fixedBytes(root), .uint(42)])
        #expect(Array(call.prefix(4)) == ABI.functionSelector("anchor(bytes32,uint32)"))
        #expect(Array(call[4..<36]) == root)
        #expect(call.count == 4 + 64)
        #expect(call.last == 42)
    }

    @Test func rejectsValuesThatDoNotFit() {
        #expect(throws: ABIError.self) { try ABI.encode([.uint(256)], as: [.uint(bits: 8)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.signed(128)], as: [.int(bits: 8)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.signed(-129)], as: [.int(bits: 8)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.fixedBytes([1])], as: [.fixedBytes(32)]) }
        #expect(throws: ABIError.self) { try ABI.encode([.bool(true)], as: [.uint256]) }
        #expect(throws: ABIError.self) { try ABI.encode([.array([.uint(1)])], as: [.array(.uint256, count: 2)]) }
        #expect(throws: ABIError.self) { try ABI.encode([], as: [.uint256]) }
    }

    @Test func rejectsHostileData() throws {
        func word(_ value: UInt256) -> [UInt8] { value.bigEndianBytes }
        let cases: [(String, [ABIType], [UInt8])] = [
            ("empty", [.uint256], []),
            ("short word", [.uint256], [UInt8](repeating: 0, count: 31)),
            ("offset past end", [.bytes], word(64)),
            ("huge offset", [.bytes], word(.max)),
            ("length past end", [.bytes], word(32) + word(1000)),
            ("huge length", [.string], word(32) + word(.max)),
            ("huge array", [.dynamicArray(.uint256)], word(32) + word(1 << 40)),
            ("array count past data", [.dynamicArray(.uint256)], word(32) + word(3) + word(1)),
            ("dirty uint8", [.uint(bits: 8)], word(256)),
            ("dirty address", [.address], [1] + [UInt8](repeating: 0, count: 31)),
            ("bool 2", [.bool], word(2)),
            ("int8 not sign-extended", [.int(bits: 8)], word(0x80)),
            ("dirty bytes4", [.fixedBytes(4)], [UInt8](repeating: 1, count: 32)),
            ("bad utf8", [.string], word(32) + word(1) + [0xFF] + [UInt8](repeating: 0, count: 31)),
        ]
        for (name, types, data) in cases {
            #expect(throws: ABIError.self, "\(name)") { try ABI.decode(types, from: data) }
        }
    }

    @Test func randomDataNeverCrashes() async throws {
        let types = Self.mixedTypes
        let encoded = try Hex.decode(Self.mixedEncoding)
        await propertyCheck(count: 500, input: Gen.int(in: 0...(encoded.count - 1)), Gen.uint8()) { index, byte in
            var corrupted = encoded
            corrupted[index] = byte
            _ = try? ABI.decode(types, from: corrupted)
            _ = try? ABI.decode(types, from: Array(corrupted.prefix(index)))
        }
    }

    @Test func decodesATransferLog() throws {
        let event = try ABIEvent(
            name: "Transfer",
            parameters: [
                .init("from", .address, indexed: true), .init("to", .address, indexed: true), .init("value", .uint256),
            ])
        #expect(event.signature == "Transfer(address,address,uint256)")
        let from = try Address(hex: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
        let to = try Address(hex: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")
        let topics = [
            event.topic, [UInt8](repeating: 0, count: 12) + from.bytes, [UInt8](repeating: 0, count: 12) + to.bytes,
        ]
        let values = try event.decodeLog(topics: topics, data: UInt256(1000).bigEndianBytes)
        #expect(values == [.address(from), .address(to), .uint(1000)])
        #expect(throws: ABIError.self) { try event.decodeLog(topics: Array(topics.prefix(2)), data: []) }
        #expect(throws: ABIError.self) {
            try event.decodeLog(
                topics: [ABI.eventTopic("Other()")] + topics.dropFirst(), data: UInt256(1).bigEndianBytes)
        }
    }

    @Test func indexedDynamicParametersComeBackAsTheirHash() throws {
        let event = try ABIEvent(
            name: "Named", parameters: [.init("name", .string, indexed: true), .init("n", .uint(bits: 32))])
        let hash = Keccak256.hash(Array("alice".utf8))
        let values = try event.decodeLog(topics: [event.topic, hash], data: UInt256(7).bigEndianBytes)
        #expect(values == [.fixedBytes(hash), .uint(7)])
    }
}
