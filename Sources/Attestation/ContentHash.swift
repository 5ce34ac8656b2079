import COpenSSL
import Ethereum

/// SHA-256 of a document's canonical bytes: the value a Merkle leaf commits
/// to. Always 32 bytes; shown as `0x` + 64 lowercase hex digits.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init(of document: JSONValue) {
        bytes = SHA256Digest.hash(document.canonicalBytes())
    }

    public init(canonicalBytes: [UInt8]) {
        // OpenSSL directly (non-generic): this sits on the per-case hot path.
        bytes = [UInt8](unsafeUninitializedCapacity: Self.byteCount) { digest, initialized in
            canonicalBytes.withUnsafeBufferPointer { input in
                _ = COpenSSL.SHA256(input.baseAddress, input.count, digest.baseAddress)
            }
            initialized = Self.byteCount
        }
    }

    public init(bytes: [UInt8]) throws(AttestationError) {
        guard bytes.count == Self.byteCount else {
            throw AttestationError(.invalidContentHash, "a content hash is 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Accepts `0x` + 64 hex digits (either case).
    public init(hex text: String) throws(AttestationError) {
        // Read as bytes (`verify` reads five per case): a multi-byte character
        // anywhere fails the hex digits, so this accepts what `hasPrefix("0x")`
        // and `Hex.decode` accepted together.
        var utf8 = text
        let decoded = utf8.withUTF8 { bytes -> [UInt8]? in
            guard bytes.count == 66, bytes[0] == UInt8(ascii: "0"), bytes[1] == UInt8(ascii: "x") else { return nil }
            return try? Hex.decode(utf8: bytes)
        }
        guard let bytes = decoded else {
            throw AttestationError(
                .invalidContentHash, "expected 0x followed by 64 hex digits, got \"\(text.prefix(80))\"")
        }
        self.bytes = bytes
    }

    public var hex: String { Hex.encodePrefixed(bytes) }
    public var description: String { hex }
}
