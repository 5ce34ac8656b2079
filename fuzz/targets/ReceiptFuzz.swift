import Attestation

// The portable receipt (`caseattest verify-receipt`): any bytes either parse to
// a receipt or fail with a ReceiptError; a parsed receipt's local check runs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzReceipt(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let receipt = try? PortableReceipt(bytes: input) else { return 0 }
    _ = receipt.localCheck()
    return 0
}
