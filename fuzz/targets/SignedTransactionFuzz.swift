@testable import Ethereum

// SignedTransaction.decode: a decoded transaction re-encodes (from its fields
// and signature) to exactly the raw bytes, and its sender is what the
// signature recovers to.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignedTransaction(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let decoded = try? SignedTransaction.decode(raw: input) else { return 0 }
    let rebuilt: SignedTransaction
    switch decoded.transaction {
    case .legacy(let tx): rebuilt = SignedTransaction(legacy: tx, signature: decoded.signature, from: decoded.from)
    case .eip1559(let tx): rebuilt = SignedTransaction(eip1559: tx, signature: decoded.signature, from: decoded.from)
    }
    invariant(rebuilt.rawBytes == input, "re-encoding a decoded transaction changed the bytes")
    invariant(rebuilt.hash == decoded.hash, "hash differs after re-encoding")
    return 0
}
