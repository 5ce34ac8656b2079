import CSecp256k1

/// A recoverable secp256k1 ECDSA signature: r and s (32 bytes each, big
/// endian) and the recovery id (0 or 1; 2 and 3 are practically impossible).
public struct Signature: Sendable, Hashable {
    public let r: [UInt8]
    public let s: [UInt8]
    public let recoveryID: UInt8

    /// Checks shapes and ranges: 32-byte r and s, both in [1, n), s low
    /// (<= n/2, as EIP-2 requires), recovery id 0...3.
    public init(r: [UInt8], s: [UInt8], recoveryID: UInt8) throws(KeyError) {
        guard r.count == 32, s.count == 32 else {
            throw KeyError(.invalidSignature, "r and s must be 32 bytes each")
        }
        guard recoveryID <= 3 else {
            throw KeyError(.invalidSignature, "recovery id must be 0...3, got \(recoveryID)")
        }
        let rValue = (try? UInt256(bigEndianBytes: r)) ?? .zero
        let sValue = (try? UInt256(bigEndianBytes: s)) ?? .zero
        guard !rValue.isZero, rValue < secp256k1Order, !sValue.isZero, sValue < secp256k1Order else {
            throw KeyError(.invalidSignature, "r and s must be in [1, n)")
        }
        guard sValue <= secp256k1HalfOrder else {
            throw KeyError(.invalidSignature, "s is in the upper half of the order (high-s, EIP-2)")
        }
        self.init(uncheckedR: r, s: s, recoveryID: recoveryID)
    }

    init(uncheckedR r: [UInt8], s: [UInt8], recoveryID: UInt8) {
        self.r = r
        self.s = s
        self.recoveryID = recoveryID
    }

    /// r || s || recoveryID, 65 bytes.
    public var compactBytes: [UInt8] { r + s + [recoveryID] }
}

/// The address whose key produced `signature` over the 32-byte `hash`.
public func recoverAddress(hash: [UInt8], signature: Signature) throws(KeyError) -> Address {
    guard hash.count == 32 else { throw KeyError(.invalidHash, "a message hash is 32 bytes, got \(hash.count)") }
    let context = Secp256k1Context.shared.pointer
    var recoverable = secp256k1_ecdsa_recoverable_signature()
    let compact = signature.r + signature.s
    guard compact.count == 64,
        secp256k1_ecdsa_recoverable_signature_parse_compact(
            context, &recoverable, compact, Int32(signature.recoveryID)) == 1
    else {
        throw KeyError(.invalidSignature, "signature does not parse (r or s out of range, or bad recovery id)")
    }
    var pubkey = secp256k1_pubkey()
    guard secp256k1_ecdsa_recover(context, &pubkey, &recoverable, hash) == 1 else {
        throw KeyError(.recoveryFailed, "no public key recovers from this signature and hash")
    }
    var serialized = [UInt8](repeating: 0, count: 65)
    var length = 65
    _ = secp256k1_ec_pubkey_serialize(context, &serialized, &length, &pubkey, UInt32(SECP256K1_EC_UNCOMPRESSED))
    return Address(uncompressedPublicKey: serialized)
}
