/// Fields both transaction kinds share, for code that re-signs a call.
extension UnsignedTransaction {
    public var to: Address? {
        switch self {
        case .legacy(let tx): tx.to
        case .eip1559(let tx): tx.to
        }
    }

    public var data: [UInt8] {
        switch self {
        case .legacy(let tx): tx.data
        case .eip1559(let tx): tx.data
        }
    }

    public var gasLimit: UInt64 {
        switch self {
        case .legacy(let tx): tx.gasLimit
        case .eip1559(let tx): tx.gasLimit
        }
    }
}
