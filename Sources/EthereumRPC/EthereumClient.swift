import Ethereum

/// Typed `eth_*` calls over a `JSONRPCClient`. Every answer is validated:
/// a missing field or a wrong shape is `.malformedResponse`, never a default.
public struct EthereumClient: Sendable {
    public let rpc: JSONRPCClient

    public init(rpc: JSONRPCClient) {
        self.rpc = rpc
    }

    public func chainID() async throws(RPCError) -> UInt64 {
        try Quantity.uint64(try await rpc.call("eth_chainId"), "eth_chainId")
    }

    public func blockNumber() async throws(RPCError) -> UInt64 {
        try Quantity.uint64(try await rpc.call("eth_blockNumber"), "eth_blockNumber")
    }

    public func balance(of address: Address, at block: BlockTag = .latest) async throws(RPCError) -> UInt256 {
        try Quantity.uint256(
            try await rpc.call("eth_getBalance", [.string(address.checksummed), block.json]), "eth_getBalance")
    }

    public func transactionCount(of address: Address, at block: BlockTag) async throws(RPCError) -> UInt64 {
        try Quantity.uint64(
            try await rpc.call("eth_getTransactionCount", [.string(address.checksummed), block.json]),
            "eth_getTransactionCount")
    }

    public func gasPrice() async throws(RPCError) -> UInt256 {
        try Quantity.uint256(try await rpc.call("eth_gasPrice"), "eth_gasPrice")
    }

    public func maxPriorityFeePerGas() async throws(RPCError) -> UInt256 {
        try Quantity.uint256(try await rpc.call("eth_maxPriorityFeePerGas"), "eth_maxPriorityFeePerGas")
    }

    public func feeHistory(
        blockCount: Int, newest: BlockTag = .latest,
        rewardPercentiles: [Double]
    ) async throws(RPCError) -> FeeHistory {
        let json = try await rpc.call(
            "eth_feeHistory",
            [
                .string(Quantity.hex(UInt64(blockCount))), newest.json, .array(rewardPercentiles.map { .double($0) }),
            ])
        let object = try Quantity.object(json, "eth_feeHistory")
        let baseFees = try Quantity.array(object["baseFeePerGas"], "baseFeePerGas").map { json throws(RPCError) in
            try Quantity.uint256(json, "baseFeePerGas")
        }
        let ratios = try Quantity.array(object["gasUsedRatio"], "gasUsedRatio").map { json throws(RPCError) -> Double in
            switch json {
            case .double(let value): return value
            case .integer(let value): return Double(value)
            default: throw Quantity.malformed("gasUsedRatio", "numbers")
            }
        }
        var rewards: [[UInt256]] = []
        if let reward = object["reward"], reward != .null {
            rewards = try Quantity.array(reward, "reward").map { row throws(RPCError) in
                try Quantity.array(row, "reward").map { json throws(RPCError) in try Quantity.uint256(json, "reward") }
            }
        }
        return FeeHistory(
            oldestBlock: try Quantity.uint64(object["oldestBlock"], "oldestBlock"),
            baseFeePerGas: baseFees, gasUsedRatio: ratios, reward: rewards)
    }

    public func estimateGas(_ request: CallRequest) async throws(RPCError) -> UInt64 {
        try Quantity.uint64(try await rpc.call("eth_estimateGas", [request.json]), "eth_estimateGas")
    }

    public func call(_ request: CallRequest, at block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try Quantity.data(try await rpc.call("eth_call", [request.json, block.json]), "eth_call")
    }

    public func code(at address: Address, block: BlockTag = .latest) async throws(RPCError) -> [UInt8] {
        try Quantity.data(try await rpc.call("eth_getCode", [.string(address.checksummed), block.json]), "eth_getCode")
    }

    /// Returns the transaction hash the node computed; callers compare it with their own.
    public func sendRawTransaction(_ raw: [UInt8]) async throws(RPCError) -> [UInt8] {
        try Quantity.hash(
            try await rpc.call("eth_sendRawTransaction", [.string(Hex.encodePrefixed(raw))]),
            "eth_sendRawTransaction")
    }

    /// nil while the transaction is pending or unknown.
    public func transactionReceipt(_ hash: [UInt8]) async throws(RPCError) -> TransactionReceipt? {
        try EthereumBatchCalls.decodeReceipt(
            try await rpc.call("eth_getTransactionReceipt", [.string(Hex.encodePrefixed(hash))]),
            for: hash)
    }

    public func transaction(_ hash: [UInt8]) async throws(RPCError) -> TransactionInfo? {
        let json = try await rpc.call("eth_getTransactionByHash", [.string(Hex.encodePrefixed(hash))])
        if json == .null { return nil }
        let object = try Quantity.object(json, "transaction")
        let info = TransactionInfo(
            hash: try Quantity.hash(object["hash"], "hash"),
            from: try Quantity.address(object["from"], "from"),
            to: try Quantity.optionalAddress(object["to"], "to"),
            nonce: try Quantity.uint64(object["nonce"], "nonce"),
            input: try Quantity.data(object["input"], "input"),
            blockNumber: try Quantity.optionalUInt64(object["blockNumber"], "blockNumber"),
            blockHash: try Quantity.optionalHash(object["blockHash"], "blockHash"))
        guard info.hash == hash else {
            throw RPCError(.malformedResponse, message: "node returned another transaction")
        }
        return info
    }

    public func block(_ tag: BlockTag) async throws(RPCError) -> BlockHeader? {
        var number: UInt64?
        if case .number(let wanted) = tag { number = wanted }
        return try EthereumBatchCalls.decodeBlock(
            try await rpc.call("eth_getBlockByNumber", [tag.json, false]), number: number)
    }

    public func block(hash: [UInt8]) async throws(RPCError) -> BlockHeader? {
        let json = try await rpc.call("eth_getBlockByHash", [.string(Hex.encodePrefixed(hash)), false])
        if json == .null { return nil }
        let header = try Self.blockHeader(json)
        guard header.hash == hash else {
            throw RPCError(.malformedResponse, message: "node returned another block")
        }
        return header
    }

    public func logs(_ filter: LogFilter) async throws(RPCError) -> [LogEntry] {
        try Quantity.array(try await rpc.call("eth_getLogs", [filter.json]), "eth_getLogs").map {
            json throws(RPCError) in
            try Self.log(json)
        }
    }

    // MARK: - Decoding

    public static func receipt(_ json: JSON) throws(RPCError) -> TransactionReceipt {
        let object = try Quantity.object(json, "receipt")
        return TransactionReceipt(
            transactionHash: try Quantity.hash(object["transactionHash"], "transactionHash"),
            blockHash: try Quantity.hash(object["blockHash"], "blockHash"),
            blockNumber: try Quantity.uint64(object["blockNumber"], "blockNumber"),
            status: try Quantity.uint64(object["status"], "status"),
            from: try Quantity.address(object["from"], "from"),
            to: try Quantity.optionalAddress(object["to"], "to"),
            contractAddress: try Quantity.optionalAddress(object["contractAddress"], "contractAddress"),
            gasUsed: try Quantity.uint64(object["gasUsed"], "gasUsed"),
            effectiveGasPrice: try Quantity.optionalUInt256(object["effectiveGasPrice"], "effectiveGasPrice"),
            logs: try Quantity.array(object["logs"], "logs").map { json throws(RPCError) in try log(json) })
    }

    public static func log(_ json: JSON) throws(RPCError) -> LogEntry {
        let object = try Quantity.object(json, "log")
        return LogEntry(
            address: try Quantity.address(object["address"], "log.address"),
            topics: try Quantity.array(object["topics"], "log.topics").map { json throws(RPCError) in
                try Quantity.hash(json, "log.topics")
            },
            data: try Quantity.data(object["data"], "log.data"),
            blockNumber: try Quantity.optionalUInt64(object["blockNumber"], "log.blockNumber"),
            blockHash: try Quantity.optionalHash(object["blockHash"], "log.blockHash"),
            transactionHash: try Quantity.optionalHash(object["transactionHash"], "log.transactionHash"),
            logIndex: try Quantity.optionalUInt64(object["logIndex"], "log.logIndex"),
            removed: object["removed"] == .bool(true))
    }

    public static func blockHeader(_ json: JSON) throws(RPCError) -> BlockHeader {
        let object = try Quantity.object(json, "block")
        let transactions = try Quantity.array(object["transactions"] ?? .array([]), "transactions")
        return BlockHeader(
            number: try Quantity.uint64(object["number"], "number"),
            hash: try Quantity.hash(object["hash"], "hash"),
            parentHash: try Quantity.hash(object["parentHash"], "parentHash"),
            timestamp: try Quantity.uint64(object["timestamp"], "timestamp"),
            baseFeePerGas: try Quantity.optionalUInt256(object["baseFeePerGas"], "baseFeePerGas"),
            transactionHashes: try transactions.map { json throws(RPCError) in
                try Quantity.hash(json.stringValue != nil ? json : json["hash"], "transactions")
            })
    }
}
