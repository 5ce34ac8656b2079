import Ethereum

// Strict RLP: what decodes re-encodes to exactly the input (only the canonical
// form is accepted); everything else is a clean RLPError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRLP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let item = try? RLP.decode(input) else { return 0 }
    invariant(RLP.encode(item) == input, "decode then encode changed the bytes")
    // The typed accessors the transaction decoder uses must fail cleanly too.
    if case .bytes = item {
        _ = try? item.uint64Value()
        _ = try? item.uint256Value()
        _ = try? item.bytesValue()
    }
    return 0
}
