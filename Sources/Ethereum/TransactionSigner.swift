/// Whatever signs the signer's transactions: a key in memory (`PrivateKey`)
/// or a key that never leaves a token (the PKCS11 module's `PKCS11Signer`).
/// The daemon, the `contract` commands and `util sign-tx` only see this.
public protocol TransactionSigner: Sendable {
    /// The Ethereum address of the signing key.
    var address: Address { get }
    /// A recoverable, low-s signature over a 32-byte hash. May block (a
    /// hardware token): call it off Swift's cooperative thread pool.
    func sign(hash: [UInt8]) throws -> Signature
}

extension PrivateKey: TransactionSigner {}

extension UnsignedTransaction {
    public func sign(with signer: any TransactionSigner) throws -> SignedTransaction {
        switch self {
        case .legacy(let tx): try tx.sign(with: signer)
        case .eip1559(let tx): try tx.sign(with: signer)
        }
    }
}

extension UnsignedLegacyTransaction {
    public func sign(with signer: any TransactionSigner) throws -> SignedTransaction {
        SignedTransaction(legacy: self, signature: try signer.sign(hash: signingHash), from: signer.address)
    }
}

extension UnsignedEIP1559Transaction {
    public func sign(with signer: any TransactionSigner) throws -> SignedTransaction {
        SignedTransaction(eip1559: self, signature: try signer.sign(hash: signingHash), from: signer.address)
    }
}
