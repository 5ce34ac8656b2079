/// A legacy (type 0) transaction with EIP-155 replay protection: the chain id
/// is part of the signing hash and of v.
public struct UnsignedLegacyTransaction: Sendable, Hashable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    /// `nil` creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]

    public init(
        chainId: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64,
        to: Address?, value: UInt256 = .zero, data: [UInt8] = []
    ) {
        self.chainId = chainId
        self.nonce = nonce
        self.gasPrice = gasPrice
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
    }

    var fieldItems: [RLPItem] {
        [.uint(nonce), .uint(gasPrice), .uint(gasLimit), .bytes(to?.bytes ?? []), .uint(value), .bytes(data)]
    }

    /// EIP-155: rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0]).
    public var signingPayload: [UInt8] {
        RLP.encode(.list(fieldItems + [.uint(chainId), .bytes([]), .bytes([])]))
    }

    public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

    public func sign(with key: PrivateKey) -> SignedTransaction {
        let signature = key.sign(hash: signingHash)
        return SignedTransaction(legacy: self, signature: signature, from: key.address)
    }

    /// v = chainId * 2 + 35 + recovery id. 256-bit so that no chain id overflows.
    func v(recoveryID: UInt8) -> UInt256 {
        UInt256(chainId) * 2 + UInt256(35 + UInt64(recoveryID))
    }
}
