import Ethereum

/// Which block a state query reads.
public enum BlockTag: Sendable, Hashable {
    case latest, pending, earliest, safe, finalized
    case number(UInt64)

    var json: JSON {
        switch self {
        case .latest: "latest"
        case .pending: "pending"
        case .earliest: "earliest"
        case .safe: "safe"
        case .finalized: "finalized"
        case .number(let number): .string(Quantity.hex(number))
        }
    }
}

/// An `eth_call` / `eth_estimateGas` request.
public struct CallRequest: Sendable {
    public var from: Address?
    public var to: Address?
    public var data: [UInt8]
    public var value: UInt256?
    public var gas: UInt64?

    public init(from: Address? = nil, to: Address?, data: [UInt8], value: UInt256? = nil, gas: UInt64? = nil) {
        self.from = from
        self.to = to
        self.data = data
        self.value = value
        self.gas = gas
    }

    var json: JSON {
        var object: [String: JSON] = ["data": .string(Hex.encodePrefixed(data))]
        if let from { object["from"] = .string(from.checksummed) }
        if let to { object["to"] = .string(to.checksummed) }
        if let value { object["value"] = .string(value.hexQuantity) }
        if let gas { object["gas"] = .string(Quantity.hex(gas)) }
        return .object(object)
    }
}

public struct LogEntry: Sendable, Hashable {
    public let address: Address
    public let topics: [[UInt8]]
    public let data: [UInt8]
    public let blockNumber: UInt64?
    public let blockHash: [UInt8]?
    public let transactionHash: [UInt8]?
    public let logIndex: UInt64?
    public let removed: Bool
}

public struct TransactionReceipt: Sendable, Hashable {
    public let transactionHash: [UInt8]
    public let blockHash: [UInt8]
    public let blockNumber: UInt64
    /// 1 success, 0 reverted.
    public let status: UInt64
    public let from: Address
    public let to: Address?
    public let contractAddress: Address?
    public let gasUsed: UInt64
    public let effectiveGasPrice: UInt256?
    public let logs: [LogEntry]

    public var succeeded: Bool { status == 1 }
}

public struct TransactionInfo: Sendable, Hashable {
    public let hash: [UInt8]
    public let from: Address
    public let to: Address?
    public let nonce: UInt64
    public let input: [UInt8]
    public let blockNumber: UInt64?
    public let blockHash: [UInt8]?
}

public struct BlockHeader: Sendable, Hashable {
    public let number: UInt64
    public let hash: [UInt8]
    public let parentHash: [UInt8]
    public let timestamp: UInt64
    public let baseFeePerGas: UInt256?
    public let transactionHashes: [[UInt8]]
}

public struct FeeHistory: Sendable, Hashable {
    public let oldestBlock: UInt64
    /// One more entry than blocks asked: the next block's base fee comes last.
    public let baseFeePerGas: [UInt256]
    public let gasUsedRatio: [Double]
    /// Per block, one reward per requested percentile.
    public let reward: [[UInt256]]

    public init(oldestBlock: UInt64, baseFeePerGas: [UInt256], gasUsedRatio: [Double], reward: [[UInt256]]) {
        self.oldestBlock = oldestBlock
        self.baseFeePerGas = baseFeePerGas
        self.gasUsedRatio = gasUsedRatio
        self.reward = reward
    }
}

public struct LogFilter: Sendable {
    public var fromBlock: BlockTag
    public var toBlock: BlockTag
    public var addresses: [Address]
    /// Per position: nil matches anything, otherwise any of the given topics.
    public var topics: [[[UInt8]]?]

    public init(fromBlock: BlockTag, toBlock: BlockTag, addresses: [Address], topics: [[[UInt8]]?] = []) {
        self.fromBlock = fromBlock
        self.toBlock = toBlock
        self.addresses = addresses
        self.topics = topics
    }

    var json: JSON {
        var object: [String: JSON] = ["fromBlock": fromBlock.json, "toBlock": toBlock.json]
        if !addresses.isEmpty { object["address"] = .array(addresses.map { .string($0.checksummed) }) }
        if !topics.isEmpty {
            object["topics"] = .array(
                topics.map { options in
                    guard let options else { return .null }
                    return .array(options.map { .string(Hex.encodePrefixed($0)) })
                })
        }
        return .object(object)
    }
}
