import CSecp256k1

extension Signature {
    /// A signature made outside libsecp256k1's recoverable API (an HSM's
    /// plain CKM_ECDSA: r and s, no recovery id): s is normalised to low-s
    /// (EIP-2) and the recovery id is the one that recovers `signer` from
    /// `hash`. Throws when neither does (wrong key, wrong curve, bad token).
    public static func fromPlainECDSA(
        r: [UInt8], s: [UInt8], hash: [UInt8], signer: Address
    ) throws(KeyError) -> Signature {
        guard r.count == 32, s.count == 32 else {
            throw KeyError(.invalidSignature, "r and s must be 32 bytes each")
        }
        guard hash.count == 32 else { throw KeyError(.invalidHash, "a message hash is 32 bytes, got \(hash.count)") }
        let context = Secp256k1Context.shared.pointer
        var plain = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &plain, r + s) == 1 else {
            throw KeyError(.invalidSignature, "r or s is out of range")
        }
        var normalised = secp256k1_ecdsa_signature()
        _ = secp256k1_ecdsa_signature_normalize(context, &normalised, &plain)
        var compact = [UInt8](repeating: 0, count: 64)
        _ = secp256k1_ecdsa_signature_serialize_compact(context, &compact, &normalised)
        let lowR = Array(compact[0..<32]), lowS = Array(compact[32..<64])
        // 2 and 3 need r >= n - p: probability about 2^-127, never seen.
        for id in UInt8(0)...UInt8(1) {
            let candidate = Signature(uncheckedR: lowR, s: lowS, recoveryID: id)
            if let recovered = try? recoverAddress(hash: hash, signature: candidate), recovered == signer {
                return candidate
            }
        }
        throw KeyError(.recoveryFailed, "the signature does not recover to the signer's address")
    }
}

extension Address {
    /// The address of an uncompressed secp256k1 public key (65 bytes, 0x04
    /// prefix); throws when the bytes are not a point on the curve.
    public init(checkedPublicKey publicKey: [UInt8]) throws(KeyError) {
        var parsed = secp256k1_pubkey()
        guard publicKey.count == 65, publicKey.first == 0x04,
            secp256k1_ec_pubkey_parse(Secp256k1Context.shared.pointer, &parsed, publicKey, 65) == 1
        else {
            throw KeyError(.invalidPublicKey, "not an uncompressed secp256k1 public key")
        }
        self.init(uncompressedPublicKey: publicKey)
    }
}
