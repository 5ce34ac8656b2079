import Foundation

/// The parsed fields of a keystore v3 file, validated for shape before any
/// expensive key derivation.
struct KeystoreFile {
    let kdf: KeystoreKDF
    let salt: [UInt8]
    let iv: [UInt8]
    let ciphertext: [UInt8]
    let mac: [UInt8]
    let address: Address?

    init(json: Data) throws(KeystoreError) {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw KeystoreError(.malformed, "not a JSON object")
        }
        guard Self.integer(root["version"]) == 3 else {
            throw KeystoreError(.unsupported, "only keystore version 3 is supported")
        }
        // Some old writers capitalised "Crypto"; geth reads both.
        guard let crypto = (root["crypto"] ?? root["Crypto"]) as? [String: Any] else {
            throw KeystoreError(.malformed, "missing \"crypto\" object")
        }
        guard crypto["cipher"] as? String == "aes-128-ctr" else {
            throw KeystoreError(.unsupported, "only the aes-128-ctr cipher is supported")
        }
        let cipherparams = crypto["cipherparams"] as? [String: Any] ?? [:]
        iv = try Self.hex(cipherparams["iv"], "cipherparams.iv", count: 16)
        ciphertext = try Self.hex(crypto["ciphertext"], "ciphertext", count: 32)
        mac = try Self.hex(crypto["mac"], "mac", count: 32)
        guard let params = crypto["kdfparams"] as? [String: Any] else {
            throw KeystoreError(.malformed, "missing kdfparams")
        }
        guard let dklen = Self.integer(params["dklen"]), dklen == 32 else {
            throw KeystoreError(.unsupportedParameters, "kdfparams.dklen must be 32")
        }
        salt = try Self.hex(params["salt"], "kdfparams.salt", count: nil)
        switch crypto["kdf"] as? String {
        case "scrypt":
            guard let n = Self.integer(params["n"]), let r = Self.integer(params["r"]),
                let p = Self.integer(params["p"])
            else { throw KeystoreError(.malformed, "scrypt needs integer n, r and p") }
            kdf = .scrypt(n: n, r: r, p: p)
        case "pbkdf2":
            guard params["prf"] as? String == "hmac-sha256" else {
                throw KeystoreError(.unsupported, "pbkdf2 prf must be hmac-sha256")
            }
            guard let c = Self.integer(params["c"]), let iterations = UInt32(exactly: c) else {
                throw KeystoreError(.malformed, "pbkdf2 needs an integer c")
            }
            kdf = .pbkdf2(iterations: iterations)
        default:
            throw KeystoreError(.unsupported, "kdf must be scrypt or pbkdf2")
        }
        try kdf.validate()
        if let text = root["address"] as? String {
            address = try? Address(hex: text.hasPrefix("0x") ? text : "0x" + text)
        } else {
            address = nil
        }
    }

    static func integer(_ value: Any?) -> UInt64? {
        // `as? Int` succeeds only for integral JSON numbers that fit.
        guard let int = value as? Int, int >= 0 else { return nil }
        return UInt64(int)
    }

    static func hex(_ value: Any?, _ name: String, count: Int?) throws(KeystoreError) -> [UInt8] {
        guard let text = value as? String, let bytes = try? Hex.decode(text) else {
            throw KeystoreError(.malformed, "\(name) must be a hex string")
        }
        if let count, bytes.count != count {
            throw KeystoreError(.malformed, "\(name) must be \(count) bytes, got \(bytes.count)")
        }
        return bytes
    }
}
