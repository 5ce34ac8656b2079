/// An EIP-1559 (type 2) transaction with an optional EIP-2930 access list.
public struct UnsignedEIP1559Transaction: Sendable, Hashable {
    public static let type: UInt8 = 0x02

    public var chainId: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// `nil` creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public init(
        chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256,
        gasLimit: UInt64, to: Address?, value: UInt256 = .zero, data: [UInt8] = [],
        accessList: [AccessListEntry] = []
    ) {
        self.chainId = chainId
        self.nonce = nonce
        self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas
        self.gasLimit = gasLimit
        self.to = to
        self.value = value
        self.data = data
        self.accessList = accessList
    }

    var fieldItems: [RLPItem] {
        [
            .uint(chainId), .uint(nonce), .uint(maxPriorityFeePerGas), .uint(maxFeePerGas), .uint(gasLimit),
            .bytes(to?.bytes ?? []), .uint(value), .bytes(data), AccessListEntry.rlp(accessList),
        ]
    }

    /// 0x02 || rlp([chainId, nonce, maxPriorityFeePerGas, maxFeePerGas, gas, to, value, data, accessList]).
    public var signingPayload: [UInt8] {
        [Self.type] + RLP.encode(.list(fieldItems))
    }

    public var signingHash: [UInt8] { Keccak256.hash(signingPayload) }

    public func sign(with key: PrivateKey) -> SignedTransaction {
        let signature = key.sign(hash: signingHash)
        return SignedTransaction(eip1559: self, signature: signature, from: key.address)
    }
}
