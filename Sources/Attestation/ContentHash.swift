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
        guard text.utf8.count == 66, text.hasPrefix("0x"), let bytes = try? Hex.decode(text) else {
            throw AttestationError(
                .invalidContentHash, "expected 0x followed by 64 hex digits, got \"\(text.prefix(80))\"")
        }
        self.bytes = bytes
    }

    public var hex: String { Hex.encodePrefixed(bytes) }
    public var description: String { hex }
}
