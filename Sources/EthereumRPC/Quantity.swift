import Ethereum

/// Strict readers for the hex encodings of JSON-RPC answers: anything else is
/// a malformed response, never a default value.
enum Quantity {
    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    static func uint64(_ json: JSON?, _ field: String) throws(RPCError) -> UInt64 {
        guard let text = json?.stringValue, text.hasPrefix("0x"), text.count > 2, text.count <= 18,
            let value = UInt64(text.dropFirst(2), radix: 16)
        else { throw malformed(field, "a hex quantity below 2^64") }
        return value
    }

    static func optionalUInt64(_ json: JSON?, _ field: String) throws(RPCError) -> UInt64? {
        guard let json, json != .null else { return nil }
        return try uint64(json, field)
    }

    static func uint256(_ json: JSON?, _ field: String) throws(RPCError) -> UInt256 {
        guard let text = json?.stringValue, text.hasPrefix("0x"), text.count > 2,
            let value = try? UInt256(hex: text)
        else { throw malformed(field, "a hex quantity") }
        return value
    }

    static func optionalUInt256(_ json: JSON?, _ field: String) throws(RPCError) -> UInt256? {
        guard let json, json != .null else { return nil }
        return try uint256(json, field)
    }

    static func data(_ json: JSON?, _ field: String) throws(RPCError) -> [UInt8] {
        guard let text = json?.stringValue, text.hasPrefix("0x"), let bytes = try? Hex.decode(text) else {
            throw malformed(field, "0x-prefixed hex data")
        }
        return bytes
    }

    static func hash(_ json: JSON?, _ field: String) throws(RPCError) -> [UInt8] {
        let bytes = try data(json, field)
        guard bytes.count == 32 else { throw malformed(field, "a 32-byte hash") }
        return bytes
    }

    static func optionalHash(_ json: JSON?, _ field: String) throws(RPCError) -> [UInt8]? {
        guard let json, json != .null else { return nil }
        return try hash(json, field)
    }

    static func address(_ json: JSON?, _ field: String) throws(RPCError) -> Address {
        guard let text = json?.stringValue, let address = try? Address(hex: text.lowercased()) else {
            throw malformed(field, "a 20-byte address")
        }
        return address
    }

    static func optionalAddress(_ json: JSON?, _ field: String) throws(RPCError) -> Address? {
        guard let json, json != .null else { return nil }
        return try address(json, field)
    }

    static func object(_ json: JSON, _ field: String) throws(RPCError) -> [String: JSON] {
        guard case .object(let object) = json else { throw malformed(field, "an object") }
        return object
    }

    static func array(_ json: JSON?, _ field: String) throws(RPCError) -> [JSON] {
        guard let array = json?.arrayValue else { throw malformed(field, "an array") }
        return array
    }

    static func malformed(_ field: String, _ expected: String) -> RPCError {
        RPCError(.malformedResponse, message: "\(field): expected \(expected)")
    }
}
