import Foundation

@testable import EthereumRPC

// JSON-RPC answers: the envelope checks (single and batch) and every typed
// decoder the client applies to a result. Each must return or throw RPCError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRPCResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let json = try? JSONDecoder().decode(JSON.self, from: Data(input)) else { return 0 }
    if let single = try? JSONRPCClient.validateSingle(json, id: 1), case .success(let result) = single {
        decodeTyped(result)
    }
    if let batch = try? JSONRPCClient.validateBatch(json, ids: [1, 2]) {
        for case .success(let result) in batch { decodeTyped(result) }
    }
    // The result shapes alone (a fuzzer finds them faster without the envelope).
    decodeTyped(json)
    return 0
}

private func decodeTyped(_ result: JSON) {
    _ = try? Quantity.uint64(result, "quantity")
    _ = try? Quantity.uint256(result, "quantity")
    _ = try? Quantity.data(result, "data")
    _ = try? Quantity.hash(result, "hash")
    _ = try? Quantity.address(result, "address")
    _ = try? EthereumClient.receipt(result)
    _ = try? EthereumClient.log(result)
    _ = try? EthereumClient.blockHeader(result)
    _ = try? EthereumBatchCalls.decodeReceipt(result, for: [UInt8](repeating: 0, count: 32))
    _ = try? EthereumBatchCalls.decodeBlock(result, number: 1)
    if let entries = try? Quantity.array(result, "logs") {
        for entry in entries { _ = try? EthereumClient.log(entry) }
    }
}
