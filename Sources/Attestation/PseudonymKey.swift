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
    /// The key's HMAC states, prepared once (nil if OpenSSL could not: `HMAC()` then).
    private let prepared: HMACSHA256?

    public init(bytes: [UInt8]) throws(AttestationError) {
        var trimmed = bytes
        while let last = trimmed.last, last == 0x0A || last == 0x0D { trimmed.removeLast() }
        guard !trimmed.isEmpty else {
            throw AttestationError(.pseudonymKeyTooShort, "the pseudonym key is empty")
        }
        guard trimmed.count >= Self.minimumByteCount else {
            throw AttestationError(
                .pseudonymKeyTooShort,
                "the pseudonym key is \(trimmed.count) bytes; at least \(Self.minimumByteCount) are required")
        }
        key = trimmed
        prepared = HMACSHA256(key: trimmed)
    }

    /// v1 `user_hash` = lowercase hex HMAC-SHA256(key, decimal user id): the
    /// same value for one student in every case (case documents v1, and
    /// `caseattest util pseudonym`).
    public func userHash(for userID: Int64) -> String {
        hmac(Array(String(userID).utf8))
    }

    /// The domain tag of v2's case-scoped `user_hash`.
    public static let caseUserHashTag = "aicare.case-attestation/v2/user_hash"

    /// v2 `user_hash` = lowercase hex HMAC-SHA256(key, message) with message =
    /// the ASCII tag `caseUserHashTag`, one 0x00 byte, the case id and the
    /// user id each as 8 bytes big-endian two's complement. The tag holds no
    /// NUL and the ids have fixed widths, so no two (case, user) pairs share a
    /// message; a student's value in one case says nothing of another.
    public func caseUserHash(caseID: Int64, userID: Int64) -> String {
        hmac(Self.caseUserHashMessage(caseID: caseID, userID: userID))
    }

    public static func caseUserHashMessage(caseID: Int64, userID: Int64) -> [UInt8] {
        var message = Array(caseUserHashTag.utf8)
        message.append(0)
        withUnsafeBytes(of: caseID.bigEndian) { message.append(contentsOf: $0) }
        withUnsafeBytes(of: userID.bigEndian) { message.append(contentsOf: $0) }
        return message
    }

    private func hmac(_ message: [UInt8]) -> String {
        if let digest = prepared?.mac(message) { return Hex.encode(digest) }
        return Hex.encode(Self.oneShotHMAC(key: key, message))
    }

    /// OpenSSL's one-shot HMAC: the fallback, and the reference the prepared states are tested against.
    static func oneShotHMAC(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            _ = HMAC(
                EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), message, message.count,
                &digest, &length)
        }
        return Array(digest.prefix(Int(length)))
    }

    public var description: String { "PseudonymKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
