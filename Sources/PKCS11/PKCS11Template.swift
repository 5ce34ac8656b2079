import CPKCS11

/// One attribute of a template: its type and value bytes.
struct PKCS11Attribute {
    let type: CK_ATTRIBUTE_TYPE
    let value: [UInt8]

    init(_ type: UInt, bytes: [UInt8]) {
        self.type = CK_ATTRIBUTE_TYPE(type)
        self.value = bytes
    }

    init(_ type: UInt, bool: Bool) { self.init(type, bytes: [bool ? 1 : 0]) }
    init(_ type: UInt, ulong: UInt) { self.init(type, bytes: withUnsafeBytes(of: CK_ULONG(ulong)) { Array($0) }) }
    init(_ type: UInt, text: String) { self.init(type, bytes: Array(text.utf8)) }
}

/// Calls `body` with a C array of CK_ATTRIBUTEs whose values point into
/// buffers that live for the call.
func withTemplate<R>(
    _ attributes: [PKCS11Attribute],
    _ body: (UnsafeMutablePointer<CK_ATTRIBUTE>?, CK_ULONG) throws(PKCS11Error) -> R
) throws(PKCS11Error) -> R {
    let buffers = attributes.map { attribute -> UnsafeMutableRawPointer in
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, attribute.value.count), alignment: 8)
        attribute.value.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return buffer
    }
    defer { buffers.forEach { $0.deallocate() } }
    var template = zip(attributes, buffers).map { attribute, buffer in
        CK_ATTRIBUTE(type: attribute.type, pValue: buffer, ulValueLen: CK_ULONG(attribute.value.count))
    }
    let count = CK_ULONG(template.count)
    return try template.withUnsafeMutableBufferPointer { (pointer) throws(PKCS11Error) -> R in
        try body(pointer.baseAddress, count)
    }
}

/// DER of the secp256k1 curve's OID 1.3.132.0.10, the CKA_EC_PARAMS of its keys.
let secp256k1Parameters: [UInt8] = [0x06, 0x05, 0x2B, 0x81, 0x04, 0x00, 0x0A]

/// The 65-byte uncompressed point in CKA_EC_POINT: a DER OCTET STRING
/// (04 41 04 X Y) as the standard says, or the bare point some tokens return.
func uncompressedPoint(fromECPoint value: [UInt8]) -> [UInt8]? {
    if value.count == 67, value[0] == 0x04, value[1] == 0x41, value[2] == 0x04 { return Array(value[2...]) }
    if value.count == 65, value[0] == 0x04 { return value }
    return nil
}
