/// A Solidity ABI type.
public indirect enum ABIType: Sendable, Hashable, CustomStringConvertible {
    /// uint<bits>, bits in 8...256, a multiple of 8.
    case uint(bits: Int)
    case int(bits: Int)
    case address
    case bool
    /// bytes<count>, count in 1...32.
    case fixedBytes(Int)
    case bytes
    case string
    /// T[count]
    case array(ABIType, count: Int)
    /// T[]
    case dynamicArray(ABIType)
    case tuple([ABIType])

    public static let uint256 = ABIType.uint(bits: 256)
    public static let bytes32 = ABIType.fixedBytes(32)

    /// The canonical spelling used in signatures ("uint256", "bytes32[]", "(uint8,bool)").
    public var description: String {
        switch self {
        case .uint(let bits): "uint\(bits)"
        case .int(let bits): "int\(bits)"
        case .address: "address"
        case .bool: "bool"
        case .fixedBytes(let count): "bytes\(count)"
        case .bytes: "bytes"
        case .string: "string"
        case .array(let element, let count): "\(element)[\(count)]"
        case .dynamicArray(let element): "\(element)[]"
        case .tuple(let elements): "(" + elements.map(\.description).joined(separator: ",") + ")"
        }
    }

    /// Dynamic types are encoded out of line, behind an offset.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .dynamicArray: true
        case .array(let element, _): element.isDynamic
        case .tuple(let elements): elements.contains { $0.isDynamic }
        default: false
        }
    }

    /// Value types, which an indexed event parameter stores as is (others are hashed).
    public var isElementary: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: true
        default: false
        }
    }

    /// Bytes this type takes in the head of its enclosing tuple.
    var headSize: Int {
        if isDynamic { return 32 }
        switch self {
        case .array(let element, let count): return element.headSize * count
        case .tuple(let elements): return elements.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// Parses a type as written in a signature: "uint" and "int" mean the 256-bit forms.
    public init(parsing text: some StringProtocol) throws(ABIError) {
        var parser = ABITypeParser(text: Array(String(text).utf8))
        let type = try parser.parseType()
        guard parser.atEnd else { throw ABIError(.invalidType, "unexpected text after type in \"\(text)\"") }
        self = type
    }

    func validate() throws(ABIError) {
        switch self {
        case .uint(let bits), .int(let bits):
            guard bits >= 8, bits <= 256, bits % 8 == 0 else {
                throw ABIError(.invalidType, "integer width must be 8...256 in steps of 8, got \(bits)")
            }
        case .fixedBytes(let count):
            guard (1...32).contains(count) else { throw ABIError(.invalidType, "bytes<N> needs N in 1...32") }
        case .array(let element, let count):
            guard count >= 0, count <= 1 << 20 else { throw ABIError(.invalidType, "fixed array size out of range") }
            try element.validate()
        case .dynamicArray(let element):
            try element.validate()
        case .tuple(let elements):
            for element in elements { try element.validate() }
        case .address, .bool, .bytes, .string:
            break
        }
    }
}

/// Recursive-descent parser for type lists such as "bytes32,uint32[2],(bool,string)[]".
struct ABITypeParser {
    let text: [UInt8]
    var position = 0
    var depth = 0

    var atEnd: Bool { position == text.count }

    mutating func parseType() throws(ABIError) -> ABIType {
        var type: ABIType
        if peek == UInt8(ascii: "(") {
            depth += 1
            guard depth <= 32 else { throw ABIError(.invalidType, "tuple nesting too deep") }
            position += 1
            type = .tuple(try parseList(closing: UInt8(ascii: ")")))
            depth -= 1
        } else {
            type = try parseElementary()
        }
        while peek == UInt8(ascii: "[") {
            position += 1
            let digits = readWhile { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
            guard peek == UInt8(ascii: "]") else { throw ABIError(.invalidType, "unclosed array brackets") }
            position += 1
            if digits.isEmpty {
                type = .dynamicArray(type)
            } else {
                guard digits.count <= 7, let count = Int(String(decoding: digits, as: UTF8.self)) else {
                    throw ABIError(.invalidType, "array size too large")
                }
                type = .array(type, count: count)
            }
        }
        try type.validate()
        return type
    }

    /// Comma-separated types up to `closing` (consumed); empty lists allowed.
    mutating func parseList(closing: UInt8) throws(ABIError) -> [ABIType] {
        var types = [ABIType]()
        if peek == closing {
            position += 1
            return types
        }
        while true {
            types.append(try parseType())
            guard let next = peek else { throw ABIError(.invalidType, "unclosed parenthesis") }
            position += 1
            if next == closing { return types }
            guard next == UInt8(ascii: ",") else {
                throw ABIError(.invalidType, "expected ',' in type list, found '\(Character(Unicode.Scalar(next)))'")
            }
        }
    }

    private mutating func parseElementary() throws(ABIError) -> ABIType {
        let letters = String(decoding: readWhile { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }, as: UTF8.self)
        let digits = String(decoding: readWhile { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }, as: UTF8.self)
        let size = digits.isEmpty ? nil : (digits.count <= 3 ? Int(digits) : -1)
        switch (letters, size) {
        case ("uint", nil): return .uint(bits: 256)
        case ("int", nil): return .int(bits: 256)
        case ("uint", let bits?): return .uint(bits: bits)
        case ("int", let bits?): return .int(bits: bits)
        case ("address", nil): return .address
        case ("bool", nil): return .bool
        case ("bytes", nil): return .bytes
        case ("bytes", let count?): return .fixedBytes(count)
        case ("string", nil): return .string
        default: throw ABIError(.invalidType, "unknown type \"\(letters)\(digits)\"")
        }
    }

    private var peek: UInt8? { position < text.count ? text[position] : nil }

    private mutating func readWhile(_ predicate: (UInt8) -> Bool) -> ArraySlice<UInt8> {
        let start = position
        while let c = peek, predicate(c) { position += 1 }
        return text[start..<position]
    }
}
