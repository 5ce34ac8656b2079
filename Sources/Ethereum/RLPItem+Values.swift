// Typed views of RLP items, for building and reading transactions.

extension RLPItem {
    /// An unsigned integer in RLP's canonical form: big endian, no leading zeros.
    public static func uint(_ value: UInt256) -> RLPItem { .bytes(value.minimalBigEndianBytes) }
    public static func uint(_ value: UInt64) -> RLPItem { .uint(UInt256(value)) }

    public func bytesValue() throws(RLPError) -> [UInt8] {
        guard case .bytes(let bytes) = self else {
            throw RLPError(.unexpectedShape, "expected a byte string, got a list")
        }
        return bytes
    }

    public func listValue() throws(RLPError) -> [RLPItem] {
        guard case .list(let items) = self else {
            throw RLPError(.unexpectedShape, "expected a list, got a byte string")
        }
        return items
    }

    /// Rejects leading zero bytes and more than 32 bytes.
    public func uint256Value() throws(RLPError) -> UInt256 {
        let bytes = try bytesValue()
        guard bytes.first != 0 else { throw RLPError(.nonCanonical, "integer has a leading zero byte") }
        guard bytes.count <= 32 else { throw RLPError(.unexpectedShape, "integer longer than 32 bytes") }
        return (try? UInt256(bigEndianBytes: bytes)) ?? .zero
    }

    public func uint64Value() throws(RLPError) -> UInt64 {
        guard let value = try uint256Value().uint64Value else {
            throw RLPError(.unexpectedShape, "integer does not fit 64 bits")
        }
        return value
    }
}
