import Ethereum

/// Call data for the registry contract's functions and decoders for their
/// results. Pure: the RPC layer sends what this builds.
public enum RegistryCalls {
    public static func anchor(root: [UInt8], leafCount: UInt32) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall("anchor(bytes32,uint32)", [.fixedBytes(root), .uint(UInt256(UInt64(leafCount)))])
    }

    public static func anchorOf(root: [UInt8]) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall("anchorOf(bytes32)", [.fixedBytes(root)])
    }

    public static func verifyLeaf(root: [UInt8], leaf: [UInt8], proof: [[UInt8]]) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall(
            "verifyLeaf(bytes32,bytes32,bytes32[])",
            [.fixedBytes(root), .fixedBytes(leaf), .array(proof.map { .fixedBytes($0) })])
    }

    public static func setAttester(_ attester: Address, enabled: Bool) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall("setAttester(address,bool)", [.address(attester), .bool(enabled)])
    }

    public static func isAttester(_ account: Address) throws(ABIError) -> [UInt8] {
        try ABI.encodeCall("isAttester(address)", [.address(account)])
    }

    public static let owner = ABI.functionSelector("owner()")
    public static let paused = ABI.functionSelector("paused()")
    public static let anchorCount = ABI.functionSelector("anchorCount()")
    public static let pause = ABI.functionSelector("pause()")
    public static let unpause = ABI.functionSelector("unpause()")

    /// The creation code: the constructor takes no arguments.
    public static func deployment() throws(Hex.DecodingError) -> [UInt8] {
        try Hex.decode(RegistryArtifact.creationBytecode)
    }

    // MARK: - Results

    public static func decodeAnchor(_ data: [UInt8]) throws(ABIError) -> Anchor? {
        let values = try ABI.decode([.uint(bits: 64), .uint(bits: 64), .address, .uint(bits: 32)], from: data)
        guard case .uint(let timestamp) = values[0], case .uint(let block) = values[1],
            case .address(let attester) = values[2], case .uint(let count) = values[3],
            let timestamp = timestamp.uint64Value, let block = block.uint64Value,
            let count = count.uint64Value
        else { throw ABIError(.malformedData, "anchorOf result") }
        // The contract answers zeros for a root it never anchored.
        if timestamp == 0 && block == 0 && count == 0 { return nil }
        return Anchor(
            timestamp: timestamp, blockNumber: block, attester: attester, leafCount: UInt32(truncatingIfNeeded: count))
    }

    public static func decodeBool(_ data: [UInt8]) throws(ABIError) -> Bool {
        guard case .bool(let value) = try ABI.decode([.bool], from: data)[0] else {
            throw ABIError(.malformedData, "expected a bool")
        }
        return value
    }

    public static func decodeAddress(_ data: [UInt8]) throws(ABIError) -> Address {
        guard case .address(let value) = try ABI.decode([.address], from: data)[0] else {
            throw ABIError(.malformedData, "expected an address")
        }
        return value
    }

    public static func decodeUInt(_ data: [UInt8]) throws(ABIError) -> UInt256 {
        guard case .uint(let value) = try ABI.decode([.uint256], from: data)[0] else {
            throw ABIError(.malformedData, "expected a uint256")
        }
        return value
    }

    /// The reason of a Solidity/Vyper `Error(string)` revert, if the data is one.
    public static func revertReason(_ data: [UInt8]) -> String? {
        guard data.count >= 4, Array(data.prefix(4)) == ABI.functionSelector("Error(string)"),
            case .string(let reason)? = try? ABI.decode([.string], from: Array(data.dropFirst(4))).first
        else { return nil }
        return reason
    }
}

/// A root as the registry recorded it.
public struct Anchor: Sendable, Hashable {
    public let timestamp: UInt64
    public let blockNumber: UInt64
    public let attester: Address
    public let leafCount: UInt32
}
