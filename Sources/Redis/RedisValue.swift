/// A reply, decoded from hiredis's reply tree (RESP2 types only: this client
/// never asks for RESP3).
public enum RedisValue: Sendable, Equatable {
    case string(String)
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    case null

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}
