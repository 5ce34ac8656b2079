import COpenSSL
import Foundation

/// Web3 Secret Storage (keystore v3) files, as geth, ethers, eth-account and
/// MyCrypto write them: a KDF (scrypt or pbkdf2) stretches the password into
/// 32 bytes; the first 16 are the AES-128-CTR key for the private key, the
/// last 16 go into the MAC keccak256(dk[16..<32] || ciphertext).
public enum Keystore {
    /// Decrypts a keystore file's JSON with `password` (the bytes of the
    /// password as typed, UTF-8). A wrong password is `.wrongPassword`.
    public static func decrypt(json: some Collection<UInt8>, password: [UInt8]) throws(KeystoreError) -> PrivateKey {
        let file = try KeystoreFile(json: Data(json))
        var derived = try file.kdf.derive(password: password, salt: file.salt, length: 32)
        defer { wipe(&derived) }
        var expectedMAC = Keccak256.hash(derived[16..<32] + file.ciphertext)
        defer { wipe(&expectedMAC) }
        guard expectedMAC.count == file.mac.count, CRYPTO_memcmp(expectedMAC, file.mac, expectedMAC.count) == 0 else {
            throw KeystoreError(.wrongPassword, "MAC mismatch: wrong password or corrupted keystore")
        }
        var plaintext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: file.iv, to: file.ciphertext)
        defer { wipe(&plaintext) }
        do throws(KeyError) {
            return try PrivateKey(bytes: plaintext)
        } catch {
            throw KeystoreError(.malformed, "decrypted data is not a valid private key")
        }
    }

    /// A new keystore file (JSON bytes) for `key`, with a fresh random salt,
    /// iv and id.
    public static func encrypt(
        key: PrivateKey, password: [UInt8], kdf: KeystoreKDF = .standard
    ) throws(KeystoreError)
        -> [UInt8]
    {
        let salt = try randomBytes(32)
        let iv = try randomBytes(16)
        let uuid = try randomBytes(16)
        var derived = try kdf.derive(password: password, salt: salt, length: 32)
        defer { wipe(&derived) }
        var secret = key.withSecretBytes { Array($0) }
        defer { wipe(&secret) }
        let ciphertext = try AES128CTR.apply(key: Array(derived[0..<16]), iv: iv, to: secret)
        let mac = Keccak256.hash(derived[16..<32] + ciphertext)

        var kdfparams: [String: Any] = ["dklen": 32, "salt": Hex.encode(salt)]
        switch kdf {
        case .scrypt(let n, let r, let p):
            kdfparams["n"] = n
            kdfparams["r"] = r
            kdfparams["p"] = p
        case .pbkdf2(let iterations):
            kdfparams["c"] = iterations
            kdfparams["prf"] = "hmac-sha256"
        }
        let object: [String: Any] = [
            "version": 3,
            "id": uuidV4(uuid),
            "address": Hex.encode(key.address.bytes),
            "crypto": [
                "cipher": "aes-128-ctr",
                "cipherparams": ["iv": Hex.encode(iv)],
                "ciphertext": Hex.encode(ciphertext),
                "kdf": kdf.name,
                "kdfparams": kdfparams,
                "mac": Hex.encode(mac),
            ] as [String: Any],
        ]
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
        } catch {
            throw KeystoreError(.crypto, "could not serialise the keystore JSON")
        }
    }

    /// The address a keystore file declares (not verified without the password).
    public static func declaredAddress(json: some Collection<UInt8>) throws(KeystoreError) -> Address? {
        try KeystoreFile(json: Data(json)).address
    }

    static func randomBytes(_ count: Int) throws(KeystoreError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        guard RAND_bytes(&bytes, Int32(count)) == 1 else {
            throw KeystoreError(.crypto, "the system random number generator failed")
        }
        return bytes
    }

    static func uuidV4(_ random: [UInt8]) -> String {
        var bytes = random
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Hex.encode(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return parts.joined(separator: "-")
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }
}
