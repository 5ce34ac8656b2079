import Ethereum

/// Typed requests and answer decoders for `JSONRPCClient.batch`: the same
/// calls and validation as `EthereumClient`, for callers that send many
/// reads in one HTTP request (the verifier asks about every batch root at once).
public enum EthereumBatchCalls {
    public static func chainID() -> JSONRPCClient.Request { .init("eth_chainId") }

    public static func call(_ request: CallRequest, at block: BlockTag = .latest) -> JSONRPCClient.Request {
        .init("eth_call", [request.json, block.json])
    }

    public static func transactionReceipt(_ hash: [UInt8]) -> JSONRPCClient.Request {
        .init("eth_getTransactionReceipt", [.string(Hex.encodePrefixed(hash))])
    }

    public static func block(_ tag: BlockTag) -> JSONRPCClient.Request {
        .init("eth_getBlockByNumber", [tag.json, false])
    }

    public static func decodeQuantity(_ json: JSON, _ field: String) throws(RPCError) -> UInt64 {
        try Quantity.uint64(json, field)
    }

    public static func decodeData(_ json: JSON, _ field: String) throws(RPCError) -> [UInt8] {
        try Quantity.data(json, field)
    }

    /// nil when the node does not know the transaction (pending, dropped or reorged away).
    public static func decodeReceipt(_ json: JSON, for hash: [UInt8]) throws(RPCError) -> TransactionReceipt? {
        if json == .null { return nil }
        let receipt = try EthereumClient.receipt(json)
        guard receipt.transactionHash == hash else {
            throw RPCError(.malformedResponse, message: "receipt is for another transaction")
        }
        return receipt
    }

    /// nil when there is no block at that height (yet).
    public static func decodeBlock(_ json: JSON, number: UInt64? = nil) throws(RPCError) -> BlockHeader? {
        if json == .null { return nil }
        let header = try EthereumClient.blockHeader(json)
        if let number, header.number != number {
            throw RPCError(.malformedResponse, message: "node returned block \(header.number) for \(number)")
        }
        return header
    }
}
