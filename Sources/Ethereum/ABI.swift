/// Solidity ABI: function selectors, call data, return data and event logs.
public enum ABI {
    /// Standard (non-packed) encoding of `values` as the tuple `types`.
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        for type in types { try type.validate() }
        return try ABIEncoder.encodeTuple(types, values)
    }

    /// Decodes `data` as the tuple `types` (call results, log data).
    /// Hostile data gets an `ABIError`, never a crash or a huge allocation.
    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        for type in types { try type.validate() }
        guard data.count >= types.reduce(0, { $0 + $1.headSize }) else {
            throw ABIError(.malformedData, "data too short for \(types.count) values")
        }
        return try ABIDecoder(data: data).decodeTuple(types, base: 0, depth: 0)
    }

    /// The first 4 bytes of keccak256 of the canonical signature, e.g.
    /// `functionSelector("anchor(bytes32,uint32)")`. The signature is hashed
    /// as given: write canonical types ("uint256", not "uint").
    public static func functionSelector(_ signature: String) -> [UInt8] {
        Array(Keccak256.hash(Array(signature.utf8)).prefix(4))
    }

    /// topic[0] of a non-anonymous event: keccak256 of its canonical signature.
    public static func eventTopic(_ signature: String) -> [UInt8] {
        Keccak256.hash(Array(signature.utf8))
    }

    /// Call data: selector of `signature` followed by the encoded arguments,
    /// whose types are parsed from the signature.
    public static func encodeCall(_ signature: String, _ arguments: [ABIValue]) throws(ABIError) -> [UInt8] {
        let parsed = try ABIFunctionSignature(signature)
        return functionSelector(parsed.canonical) + (try encode(arguments, as: parsed.parameters))
    }
}

/// "name(type,...)" split into its name and parameter types.
public struct ABIFunctionSignature: Sendable, Hashable {
    public let name: String
    public let parameters: [ABIType]

    public init(_ text: String) throws(ABIError) {
        guard let open = text.firstIndex(of: "("), text.hasSuffix(")") else {
            throw ABIError(.invalidType, "signature must look like name(type,...)")
        }
        name = String(text[..<open])
        guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "$" }) else {
            throw ABIError(.invalidType, "invalid function or event name")
        }
        var parser = ABITypeParser(text: Array(text[text.index(after: open)...].utf8))
        parameters = try parser.parseList(closing: UInt8(ascii: ")"))
        guard parser.atEnd else { throw ABIError(.invalidType, "text after the closing parenthesis") }
    }

    /// With canonical type names ("uint" becomes "uint256").
    public var canonical: String {
        name + "(" + parameters.map(\.description).joined(separator: ",") + ")"
    }
}
