/// A 20-byte Ethereum account address. Text form is EIP-55 mixed-case checksummed.
public struct Address: Sendable, Hashable, CustomStringConvertible {
    public struct ParseError: Error, CustomStringConvertible, Equatable, Sendable {
        public let description: String
    }

    public let bytes: [UInt8]

    public static let byteCount = 20

    public init(bytes: [UInt8]) throws(ParseError) {
        guard bytes.count == Self.byteCount else {
            throw ParseError(description: "an address is 20 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// `0x` + 40 hex digits. All-lowercase or all-uppercase digits are taken
    /// as is; mixed case must be a correct EIP-55 checksum.
    public init(hex text: some StringProtocol) throws(ParseError) {
        if let bytes = text.utf8.withContiguousStorageIfAvailable(Self.singleCaseHex), let bytes {
            self.bytes = bytes
            return
        }
        guard text.hasPrefix("0x") || text.hasPrefix("0X") else {
            throw ParseError(description: "an address must start with 0x")
        }
        let digits = text.dropFirst(2)
        guard digits.utf8.count == 40 else {
            throw ParseError(description: "an address has 40 hex digits, got \(digits.utf8.count)")
        }
        let decoded: [UInt8]
        do { decoded = try Hex.decode(digits) } catch {
            throw ParseError(description: "address is not hex: \(error.description)")
        }
        // The digits decoded, so they are ASCII: bytes, not Unicode case properties.
        let hasLower = digits.utf8.contains { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f") }
        let hasUpper = digits.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }
        let address = try Address(bytes: decoded)
        if hasLower && hasUpper && address.checksummed.dropFirst(2) != digits {
            throw ParseError(description: "address has a wrong EIP-55 checksum (mixed case)")
        }
        self = address
    }

    /// The bytes of `0x` (or `0X`) and 40 hex digits with no mixed case, read
    /// in place (`verify` reads one per case); nil for anything else, which
    /// the general path above accepts or rejects with its reason.
    private static func singleCaseHex(_ utf8: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard utf8.count == 2 + 2 * byteCount, utf8[0] == UInt8(ascii: "0"), utf8[1] | 0x20 == UInt8(ascii: "x")
        else { return nil }
        var hasLower = false
        var hasUpper = false
        for byte in utf8[2...] {
            if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f") { hasLower = true }
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F") { hasUpper = true }
        }
        guard !(hasLower && hasUpper) else { return nil }
        // Hex.decode would skip a second `0x`: the count rules that out.
        let bytes = try? Hex.decode(utf8: UnsafeBufferPointer(rebasing: utf8[2...]))
        return bytes?.count == byteCount ? bytes : nil
    }

    /// The address of an uncompressed secp256k1 public key: the last 20 bytes
    /// of keccak256 over the 64-byte X || Y (a leading 0x04 is accepted and skipped).
    public init(publicKey: [UInt8]) throws(ParseError) {
        let xy: ArraySlice<UInt8>
        switch publicKey.count {
        case 64: xy = publicKey[...]
        case 65 where publicKey[0] == 0x04: xy = publicKey[1...]
        default: throw ParseError(description: "expected a 64- or 65-byte uncompressed public key")
        }
        bytes = Array(Keccak256.hash(xy).suffix(20))
    }

    /// For a key libsecp256k1 just serialised: 65 bytes starting 0x04.
    init(uncompressedPublicKey key: [UInt8]) {
        bytes = Array(Keccak256.hash(key.dropFirst()).suffix(20))
    }

    /// EIP-55: a hex letter is uppercase when the matching nibble of
    /// keccak256(lowercase hex) is >= 8.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes).utf8)
        let hash = Keccak256.hash(lower)
        var out = [UInt8]()
        out.reserveCapacity(42)
        out.append(contentsOf: "0x".utf8)
        for (index, char) in lower.enumerated() {
            let nibble = index % 2 == 0 ? hash[index / 2] >> 4 : hash[index / 2] & 0x0F
            if char >= UInt8(ascii: "a"), nibble >= 8 {
                out.append(char - 32)
            } else {
                out.append(char)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Lowercase `0x` form, as JSON-RPC nodes return it.
    public var lowercased: String { Hex.encodePrefixed(bytes) }

    public var description: String { checksummed }
}
