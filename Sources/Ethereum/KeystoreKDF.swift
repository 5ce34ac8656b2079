import COpenSSL

/// The key derivation functions of Web3 Secret Storage, both through OpenSSL.
public enum KeystoreKDF: Sendable, Hashable {
    case scrypt(n: UInt64, r: UInt64, p: UInt64)
    case pbkdf2(iterations: UInt32)

    /// geth's default ("standard") scrypt: 256 MiB, about a second.
    public static let standard = KeystoreKDF.scrypt(n: 262_144, r: 8, p: 1)
    /// geth's "light" scrypt: 4 MiB, for tests and constrained machines.
    public static let light = KeystoreKDF.scrypt(n: 4096, r: 8, p: 6)

    /// The most memory scrypt may use; geth's standard parameters need 256 MiB.
    public static let maxScryptMemory: UInt64 = 1 << 30
    /// Bound on PBKDF2 work, so a hostile file cannot stall us for hours.
    public static let maxPBKDF2Iterations: UInt32 = 100_000_000

    /// Checks the parameters before any work: scrypt's N must be a power of
    /// two above 1 and (OpenSSL, per RFC 7914) below 2^(16·r); memory
    /// 128·r·(N + p + 2) bytes must stay under `maxScryptMemory`.
    func validate() throws(KeystoreError) {
        switch self {
        case .scrypt(let n, let r, let p):
            guard n > 1, n & (n - 1) == 0 else {
                throw KeystoreError(.unsupportedParameters, "scrypt n must be a power of two above 1, got \(n)")
            }
            guard r >= 1, p >= 1, r <= 1 << 20, p <= 1 << 20, r * p < 1 << 30 else {
                throw KeystoreError(.unsupportedParameters, "scrypt r and p must be positive with r*p < 2^30")
            }
            if r < 4 && n >= 1 << (16 * r) {
                throw KeystoreError(
                    .unsupportedParameters,
                    """
                    scrypt n = \(n) with r = \(r) is not supported: OpenSSL requires n < 2^(16*r) = \
                    \(UInt64(1) << (16 * r))
                    """
                )
            }
            let (blocks, o1) = (n &+ p &+ 2).multipliedReportingOverflow(by: 128 * r)
            guard !o1, blocks <= Self.maxScryptMemory else {
                throw KeystoreError(
                    .unsupportedParameters,
                    "scrypt n = \(n), r = \(r), p = \(p) needs more than the \(Self.maxScryptMemory >> 20) MiB limit")
            }
        case .pbkdf2(let iterations):
            guard iterations >= 1, iterations <= Self.maxPBKDF2Iterations else {
                throw KeystoreError(
                    .unsupportedParameters,
                    "pbkdf2 iterations must be 1...\(Self.maxPBKDF2Iterations), got \(iterations)")
            }
        }
    }

    /// Derives `length` bytes. The caller wipes the result.
    func derive(password: [UInt8], salt: [UInt8], length: Int) throws(KeystoreError) -> [UInt8] {
        try validate()
        var out = [UInt8](repeating: 0, count: length)
        let ok: Bool
        switch self {
        case .scrypt(let n, let r, let p):
            // OpenSSL's default memory cap (32 MiB) is below geth's standard
            // parameters, so pass an explicit one sized for these parameters.
            let maxmem = 128 * r * (n + p + 2) + (1 << 20)
            ok = password.withUnsafeBufferPointer { pass in
                pass.withMemoryRebound(to: CChar.self) { pass in
                    EVP_PBE_scrypt(pass.baseAddress, pass.count, salt, salt.count, n, r, p, maxmem, &out, length) == 1
                }
            }
        case .pbkdf2(let iterations):
            ok = password.withUnsafeBufferPointer { pass in
                pass.withMemoryRebound(to: CChar.self) { pass in
                    PKCS5_PBKDF2_HMAC(
                        pass.baseAddress, Int32(pass.count), salt, Int32(salt.count), Int32(iterations),
                        EVP_sha256(), Int32(length), &out) == 1
                }
            }
        }
        guard ok else {
            ERR_clear_error()
            throw KeystoreError(.crypto, "OpenSSL key derivation failed (\(self.name))")
        }
        return out
    }

    var name: String {
        switch self {
        case .scrypt: "scrypt"
        case .pbkdf2: "pbkdf2"
        }
    }
}
