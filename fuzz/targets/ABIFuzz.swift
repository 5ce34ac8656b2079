import Ethereum

// ABI decoding of what a node returns for eth_call and in logs (the registry's
// reads and events): any bytes decode or throw ABIError; decoded values
// re-encode to bytes that decode to the same values. The first input byte
// picks the type list; a type string in the input exercises ABIType(parsing:).
private let typeLists: [[ABIType]] = [
    [.uint(bits: 64), .uint(bits: 64), .address, .uint(bits: 32)],  // RegistryCalls.decodeAnchor
    [.bool],
    [.address],
    [.uint256],
    [.bytes32, .int(bits: 128), .fixedBytes(4)],
    [.string],
    [.bytes, .uint256],
    [.dynamicArray(.bytes32)],
    [.dynamicArray(.string), .bool],
    [.array(.uint(bits: 8), count: 3), .tuple([.address, .bytes])],
    [.dynamicArray(.tuple([.uint256, .dynamicArray(.bytes)]))],
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzABI(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let input = fuzzBytes(data, size)
    guard let selector = input.first else { return 0 }
    let payload = Array(input.dropFirst())
    if selector == 0xFF {
        _ = try? ABIType(parsing: String(decoding: payload, as: UTF8.self))
        return 0
    }
    let types = typeLists[Int(selector) % typeLists.count]
    guard let values = try? ABI.decode(types, from: payload) else { return 0 }
    let encoded: [UInt8]
    do {
        encoded = try ABI.encode(values, as: types)
    } catch {
        invariant(false, "decoded values do not encode: \(error)")
        return 0
    }
    let again = try? ABI.decode(types, from: encoded)
    invariant(again == values, "decode, encode, decode changed the values")
    return 0
}
