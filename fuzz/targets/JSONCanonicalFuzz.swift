import Attestation

// JSON parser + RFC 8785 canonicaliser: whatever parses canonicalises to bytes
// that parse again to the same value and canonicalise to the same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONCanonical(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let first = try? JSONValue.parse(input) else { return 0 }
    let canonical = first.canonicalBytes()
    let second: JSONValue
    do {
        second = try JSONValue.parse(canonical)
    } catch {
        invariant(false, "canonical form does not parse: \(error)")
        return 0
    }
    invariant(second.canonicalBytes() == canonical, "canonicalising twice changed the bytes")
    return 0
}
