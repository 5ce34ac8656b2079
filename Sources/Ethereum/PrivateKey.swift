import COpenSSL
import CSecp256k1

/// A secp256k1 private key. The 32 secret bytes live in memory this object
/// owns and are wiped (OPENSSL_cleanse, which the optimiser may not drop)
/// when it is released. Its description shows only the address.
///
/// Immutable after init, hence `@unchecked Sendable`.
public final class PrivateKey: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let secret: UnsafeMutableRawBufferPointer
    /// Uncompressed public key, 65 bytes starting with 0x04.
    public let publicKey: [UInt8]
    public let address: Address

    /// Takes a copy of `bytes`; wiping the caller's copy is the caller's job.
    public init(bytes: some Collection<UInt8>) throws(KeyError) {
        guard bytes.count == 32 else {
            throw KeyError(.invalidPrivateKey, "a private key is 32 bytes, got \(bytes.count)")
        }
        let secret = UnsafeMutableRawBufferPointer.allocate(byteCount: 32, alignment: 16)
        _ = secret.initializeMemory(as: UInt8.self, from: bytes)
        let context = Secp256k1Context.shared.pointer
        var pubkey = secp256k1_pubkey()
        let base = secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // Rejects zero and values >= the group order.
        guard secp256k1_ec_seckey_verify(context, base) == 1,
            secp256k1_ec_pubkey_create(context, &pubkey, base) == 1
        else {
            OPENSSL_cleanse(secret.baseAddress, 32)
            secret.deallocate()
            throw KeyError(.invalidPrivateKey, "private key is zero or not below the secp256k1 order")
        }
        var serialized = [UInt8](repeating: 0, count: 65)
        var length = 65
        _ = secp256k1_ec_pubkey_serialize(
            context, &serialized, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
        self.secret = secret
        self.publicKey = serialized
        self.address = Address(uncompressedPublicKey: serialized)
    }

    /// From `0x` + 64 hex digits (the prefix is optional). The decoded
    /// temporary is wiped.
    public convenience init(hex text: some StringProtocol) throws(KeyError) {
        var bytes: [UInt8]
        do { bytes = try Hex.decode(text) } catch {
            throw KeyError(.invalidPrivateKey, "private key is not valid hex")
        }
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        try self.init(bytes: bytes)
    }

    /// A fresh key from OpenSSL's CSPRNG (the OS entropy source).
    public static func generate() throws(KeyError) -> PrivateKey {
        var bytes = [UInt8](repeating: 0, count: 32)
        defer { bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        // A random 32-byte value is invalid with probability ~2^-128; retry a few times anyway.
        for _ in 0..<8 {
            guard RAND_bytes(&bytes, 32) == 1 else {
                throw KeyError(.randomness, "the system random number generator failed")
            }
            if let key = try? PrivateKey(bytes: bytes) { return key }
        }
        throw KeyError(.randomness, "could not draw a valid private key")
    }

    deinit {
        OPENSSL_cleanse(secret.baseAddress, secret.count)
        secret.deallocate()
    }

    /// Recoverable ECDSA over a 32-byte hash: RFC 6979 deterministic nonce,
    /// low-s (libsecp256k1 always normalises s). The hash is always computed
    /// by our code, so a wrong length is a programming error and traps.
    public func sign(hash: [UInt8]) -> Signature {
        precondition(hash.count == 32, "sign(hash:) needs a 32-byte hash")
        let context = Secp256k1Context.shared.pointer
        var signature = secp256k1_ecdsa_recoverable_signature()
        let base = secret.baseAddress!.assumingMemoryBound(to: UInt8.self)
        // Fails only for an invalid key (excluded at init) or a nonce function
        // failure, which RFC 6979 does not have.
        let ok = secp256k1_ecdsa_sign_recoverable(
            context, &signature, hash, base, secp256k1_nonce_function_rfc6979, nil)
        precondition(ok == 1, "secp256k1_ecdsa_sign_recoverable failed for a verified key")
        var compact = [UInt8](repeating: 0, count: 64)
        var recoveryID: Int32 = 0
        _ = secp256k1_ecdsa_recoverable_signature_serialize_compact(context, &compact, &recoveryID, &signature)
        return Signature(uncheckedR: Array(compact[0..<32]), s: Array(compact[32..<64]), recoveryID: UInt8(recoveryID))
    }

    /// For the keystore: the secret bytes, only inside `body`.
    func withSecretBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(secret))
    }

    public var description: String { "PrivateKey(address: \(address.checksummed))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["address": address.checksummed]) }
}
