import COpenSSL
import CSecp256k1

/// The one libsecp256k1 context of the process. Creating a context is
/// expensive, and after `secp256k1_context_randomize` every operation we use
/// takes it as `const`, so sharing it between threads is safe.
final class Secp256k1Context: @unchecked Sendable {
    static let shared = Secp256k1Context()

    let pointer: OpaquePointer

    private init() {
        // Context creation only fails on allocation failure, which Swift
        // treats as fatal everywhere else too.
        guard let context = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE)) else {
            fatalError("secp256k1_context_create failed (out of memory)")
        }
        // Blinding against side channels; a failure to get randomness leaves
        // the context unblinded but still correct.
        var seed = [UInt8](repeating: 0, count: 32)
        if RAND_bytes(&seed, 32) == 1 {
            _ = secp256k1_context_randomize(context, seed)
            OPENSSL_cleanse(&seed, 32)
        }
        pointer = context
    }
}

/// Half the secp256k1 group order: signatures with s above it are "high-s",
/// which Ethereum (EIP-2) rejects in transactions.
let secp256k1HalfOrder = UInt256(
    limbs: (0xDFE9_2F46_681B_20A0, 0x5D57_6E73_57A4_501D, 0xFFFF_FFFF_FFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF))
/// The secp256k1 group order n.
let secp256k1Order = UInt256(
    limbs: (0xBFD2_5E8C_D036_4141, 0xBAAE_DCE6_AF48_A03B, 0xFFFF_FFFF_FFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFF))
