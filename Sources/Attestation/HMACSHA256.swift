import COpenSSL

/// HMAC-SHA256 (RFC 2104) under one key, its padded key blocks hashed once.
/// OpenSSL's one-shot `HMAC()` looks the algorithm up, allocates a context
/// and hashes both key blocks on every call; `verify` computes one pseudonym
/// per case. Each call here starts from copies of the two prepared digest
/// states, so it hashes only the message and the inner digest. The prepared
/// states are only read after `init`, so calls may run on many threads.
final class HMACSHA256: @unchecked Sendable {
    static let byteCount = 32
    private static let blockSize = 64
    /// SHA-256 after absorbing key ⊕ ipad, and after key ⊕ opad.
    private let inner: OpaquePointer
    private let outer: OpaquePointer

    /// nil only when OpenSSL cannot set up SHA-256 (then the caller uses `HMAC()`).
    init?(key: [UInt8]) {
        // A key longer than a block is replaced by its digest (RFC 2104 §2).
        var block = key.count > Self.blockSize ? SHA256Digest.hash(key) : key
        block += [UInt8](repeating: 0, count: Self.blockSize - block.count)
        guard let inner = Self.prepared(block.map { $0 ^ 0x36 }) else { return nil }
        guard let outer = Self.prepared(block.map { $0 ^ 0x5C }) else {
            EVP_MD_CTX_free(inner)
            return nil
        }
        self.inner = inner
        self.outer = outer
    }

    deinit {
        EVP_MD_CTX_free(inner)
        EVP_MD_CTX_free(outer)
    }

    private static func prepared(_ padded: [UInt8]) -> OpaquePointer? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1,
            EVP_DigestUpdate(context, padded, padded.count) == 1
        else {
            EVP_MD_CTX_free(context)
            return nil
        }
        return context
    }

    /// The 32-byte MAC of `message`; nil if OpenSSL fails (out of memory).
    func mac(_ message: [UInt8]) -> [UInt8]? {
        guard let context = EVP_MD_CTX_new() else { return nil }
        defer { EVP_MD_CTX_free(context) }
        var innerDigest = [UInt8](repeating: 0, count: Self.byteCount)
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        guard EVP_MD_CTX_copy_ex(context, inner) == 1,
            EVP_DigestUpdate(context, message, message.count) == 1,
            EVP_DigestFinal_ex(context, &innerDigest, nil) == 1,
            EVP_MD_CTX_copy_ex(context, outer) == 1,
            EVP_DigestUpdate(context, innerDigest, innerDigest.count) == 1,
            EVP_DigestFinal_ex(context, &digest, nil) == 1
        else { return nil }
        return digest
    }
}
