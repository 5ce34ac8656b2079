/// Either kind of unsigned transaction.
public enum UnsignedTransaction: Sendable, Hashable {
    case legacy(UnsignedLegacyTransaction)
    case eip1559(UnsignedEIP1559Transaction)

    public var signingHash: [UInt8] {
        switch self {
        case .legacy(let tx): tx.signingHash
        case .eip1559(let tx): tx.signingHash
        }
    }

    public func sign(with key: PrivateKey) -> SignedTransaction {
        switch self {
        case .legacy(let tx): tx.sign(with: key)
        case .eip1559(let tx): tx.sign(with: key)
        }
    }
}

/// A signed transaction: its fields, signature, sender, network serialisation
/// (`rawBytes`, what eth_sendRawTransaction takes) and hash.
public struct SignedTransaction: Sendable, Hashable {
    public let transaction: UnsignedTransaction
    public let signature: Signature
    /// The sender: the signing key's address, or recovered when decoded.
    public let from: Address
    public let rawBytes: [UInt8]
    /// keccak256(rawBytes), the transaction hash nodes report.
    public let hash: [UInt8]

    init(legacy tx: UnsignedLegacyTransaction, signature: Signature, from: Address) {
        let items =
            tx.fieldItems + [
                .uint(tx.v(recoveryID: signature.recoveryID)), Self.integer(signature.r), Self.integer(signature.s),
            ]
        self.init(transaction: .legacy(tx), signature: signature, from: from, rawBytes: RLP.encode(.list(items)))
    }

    init(eip1559 tx: UnsignedEIP1559Transaction, signature: Signature, from: Address) {
        let items =
            tx.fieldItems + [
                .uint(UInt64(signature.recoveryID)), Self.integer(signature.r), Self.integer(signature.s),
            ]
        let raw = [UnsignedEIP1559Transaction.type] + RLP.encode(.list(items))
        self.init(transaction: .eip1559(tx), signature: signature, from: from, rawBytes: raw)
    }

    init(transaction: UnsignedTransaction, signature: Signature, from: Address, rawBytes: [UInt8]) {
        self.transaction = transaction
        self.signature = signature
        self.from = from
        self.rawBytes = rawBytes
        self.hash = Keccak256.hash(rawBytes)
    }

    /// r and s are RLP integers: no leading zero bytes.
    static func integer(_ word: [UInt8]) -> RLPItem {
        .bytes(Array(word.drop { $0 == 0 }))
    }

    /// 0 for legacy, 2 for EIP-1559.
    public var type: UInt8 {
        switch transaction {
        case .legacy: 0
        case .eip1559: UnsignedEIP1559Transaction.type
        }
    }

    /// The v value as serialised: EIP-155 v for legacy, the y parity for type 2.
    public var v: UInt256 {
        switch transaction {
        case .legacy(let tx): tx.v(recoveryID: signature.recoveryID)
        case .eip1559: UInt256(UInt64(signature.recoveryID))
        }
    }

    public var chainId: UInt64 {
        switch transaction {
        case .legacy(let tx): tx.chainId
        case .eip1559(let tx): tx.chainId
        }
    }

    public var nonce: UInt64 {
        switch transaction {
        case .legacy(let tx): tx.nonce
        case .eip1559(let tx): tx.nonce
        }
    }
}
