/// Which kind of transaction the daemon signs.
public enum FeeModel: String, Sendable, Hashable, CaseIterable {
    /// EIP-1559 where the latest block has a base fee, legacy where it has none.
    case auto
    /// EIP-1559 only: a chain without a base fee is a configuration error.
    case eip1559
    /// EIP-155 `gasPrice` transactions even where a base fee exists (BNB Smart
    /// Chain's practice, and nodes that price type-2 transactions badly).
    case legacy
}
