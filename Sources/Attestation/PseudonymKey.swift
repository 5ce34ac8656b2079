import COpenSSL
import Ethereum

/// The server secret behind `user_hash`. It comes from a file named by
/// CASEATTEST_PSEUDONYM_KEY_FILE, never from the database, and is never
/// printed: `description`, `debugDescription` and mirrors are redacted.
/// The key is the file's bytes with trailing CR/LF removed (so a key written
/// with `openssl rand -hex 32 > file` is the 64 ASCII characters, not 32
/// decoded bytes).
public struct PseudonymKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let minimumByteCount = 16
    private let key: [UInt8]

    public init(bytes: [UInt8]) throws(AttestationError) {
        var trimmed = bytes
        while let last = trimmed.last, last == 0x0A || last == 0x0D { trimmed.removeLast() }
        guard !trimmed.isEmpty else {
            throw AttestationError(.pseudonymKeyTooShort, "the pseudonym key is empty")
        }
        guard trimmed.count >= Self.minimumByteCount else {
            throw AttestationError(.pseudonymKeyTooShort,
                                   "the pseudonym key is \(trimmed.count) bytes; at least \(Self.minimumByteCount) are required")
        }
        key = trimmed
    }

    /// `user_hash` = lowercase hex HMAC-SHA256(key, decimal user id). The one
    /// pseudonym function: use it everywhere a user is referred to.
    public func userHash(for userID: Int64) -> String {
        let message = Array(String(userID).utf8)
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), message, message.count,
                     &digest, &length)
        }
        return Hex.encode(digest.prefix(Int(length)))
    }

    public var description: String { "PseudonymKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
