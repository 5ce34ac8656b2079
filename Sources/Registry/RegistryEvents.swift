import Ethereum

/// The registry's events, decoded from logs. Callers must check the log's
/// address themselves: any contract can emit a look-alike event.
public enum RegistryEvents {
    public static let anchored = try! ABIEvent(
        name: "Anchored",
        parameters: [
            .init("root", .bytes32, indexed: true), .init("attester", .address, indexed: true),
            .init("leafCount", .uint(bits: 32)), .init("blockTimestamp", .uint(bits: 64)),
        ])

    public static let attesterSet = try! ABIEvent(
        name: "AttesterSet",
        parameters: [
            .init("attester", .address, indexed: true), .init("enabled", .bool),
        ])

    public struct Anchored: Sendable, Hashable {
        public let root: [UInt8]
        public let attester: Address
        public let leafCount: UInt32
        public let blockTimestamp: UInt64
    }

    public static func decodeAnchored(topics: [[UInt8]], data: [UInt8]) throws(ABIError) -> Anchored {
        let values = try anchored.decodeLog(topics: topics, data: data)
        guard case .fixedBytes(let root) = values[0], case .address(let attester) = values[1],
            case .uint(let count) = values[2], case .uint(let time) = values[3],
            let count = count.uint64Value, let time = time.uint64Value
        else { throw ABIError(.malformedData, "Anchored event") }
        return Anchored(
            root: root, attester: attester, leafCount: UInt32(truncatingIfNeeded: count), blockTimestamp: time)
    }

    public static func decodeAttesterSet(
        topics: [[UInt8]], data: [UInt8]
    ) throws(ABIError) -> (attester: Address, enabled: Bool) {
        let values = try attesterSet.decodeLog(topics: topics, data: data)
        guard case .address(let attester) = values[0], case .bool(let enabled) = values[1] else {
            throw ABIError(.malformedData, "AttesterSet event")
        }
        return (attester, enabled)
    }
}
