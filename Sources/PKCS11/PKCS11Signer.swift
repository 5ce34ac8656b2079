import CPKCS11
import Ethereum
import Foundation

/// A `TransactionSigner` whose private key never leaves a PKCS #11 token.
/// The token signs the 32-byte digest with CKM_ECDSA; the signature is made
/// low-s and given the recovery id that recovers the key's own address, so
/// it is byte-for-byte what the file signer would produce for that key.
///
/// Each signing thread has its own session; the control session keeps the
/// token logged in for the life of the signer.
public final class PKCS11Signer: TransactionSigner, @unchecked Sendable, CustomStringConvertible {
    public let address: Address
    /// Uncompressed public key, 65 bytes (from CKA_EC_POINT).
    public let publicKey: [UInt8]
    private let key: PKCS11Key
    private let control: PKCS11Session
    private let threads: [SigningThread]
    private let turn = NSLock()
    private var next = 0

    /// Loads the module, logs in and checks the key (secp256k1, may sign).
    /// `signingThreads`: sessions signing in parallel (tokens are mostly serial: 1).
    public init(_ configuration: PKCS11Configuration, signingThreads: Int = 1) throws(PKCS11Error) {
        let control = try configuration.loggedInSession()
        let key = try PKCS11Key.find(label: configuration.keyLabel, in: control)
        var threads: [SigningThread] = []
        for index in 0..<max(1, signingThreads) {
            let session = try PKCS11Session(module: control.module, slot: control.slot)
            threads.append(SigningThread(session: session, name: "caseattest.pkcs11.\(index)"))
        }
        self.control = control
        self.key = key
        self.threads = threads
        self.address = key.address
        self.publicKey = key.publicKey
    }

    public func sign(hash: [UInt8]) throws -> Signature {
        try signDigest(hash)
    }

    /// Typed-throws form of `sign(hash:)`.
    public func signDigest(_ hash: [UInt8]) throws(PKCS11Error) -> Signature {
        precondition(hash.count == 32, "sign(hash:) needs a 32-byte hash")
        turn.lock()
        let thread = threads[next % threads.count]
        next &+= 1
        turn.unlock()
        let handle = key.privateHandle
        let raw = try thread.run { (session) throws(PKCS11Error) in try session.signECDSA(digest: hash, key: handle) }
        guard raw.count == 64 else {
            throw PKCS11Error(
                .cannotSign("the token returned a \(raw.count)-byte signature, not r || s of 32 bytes each"))
        }
        do {
            return try Signature.fromPlainECDSA(
                r: Array(raw[0..<32]), s: Array(raw[32..<64]), hash: hash, signer: address)
        } catch {
            throw PKCS11Error(.badSignature)
        }
    }

    public var description: String { "PKCS11Signer(address: \(address.checksummed))" }
}
