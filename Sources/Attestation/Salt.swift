import COpenSSL
import Ethereum

/// A per-attestation random salt: 32 bytes from the OS CSPRNG, stored with the
/// attestation before anything is submitted. It makes a content hash useless
/// for confirming a guessed case. In documents it is 64 lowercase hex digits.
public struct Salt: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) throws(AttestationError) {
        guard bytes.count == Self.byteCount else {
            throw AttestationError(.invalidSalt, "a salt is 32 bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// 64 hex digits, optionally prefixed with `0x`.
    public init(hex text: String) throws(AttestationError) {
        guard let bytes = try? Hex.decode(text), bytes.count == Self.byteCount else {
            throw AttestationError(.invalidSalt, "a salt is 64 hex digits")
        }
        self.bytes = bytes
    }

    /// Fresh salt from OpenSSL's RAND_bytes (seeded from the OS CSPRNG).
    public static func random() throws(AttestationError) -> Salt {
        var bytes = [UInt8](repeating: 0, count: byteCount)
        guard RAND_bytes(&bytes, Int32(byteCount)) == 1 else {
            throw AttestationError(.randomnessUnavailable, "RAND_bytes failed to produce a salt")
        }
        return Salt(checked: bytes)
    }

    private init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lowercase hex without a prefix, as it appears in the document.
    public var hex: String { Hex.encode(bytes) }

    /// Abbreviated: logs should not carry whole salts.
    public var description: String { "Salt(\(hex.prefix(8))…)" }
}
