/// What a deployment must know about its chain: how long to wait, how to
/// pay, and where people can look a transaction up. Profiles are read from
/// a small text file (`ChainProfileFile`); built-in ones cover common chains.
public struct ChainProfile: Sendable, Hashable {
    public var chainID: UInt64
    public var name: String
    public var finality: Finality
    public var feeModel: FeeModel
    /// The chain's price floor in wei: no tip (or legacy gas price) below it.
    public var minimumTipWei: UInt64
    /// Typical seconds between blocks (waits and expectations are sized by it).
    public var blockTime: Double
    /// An explorer's transaction page with `{tx}` for the 0x-hash; nil: none.
    public var explorerTransaction: String?
    /// An explorer's address page with `{address}` for the 0x-address; nil: none.
    public var explorerAddress: String?

    public init(
        chainID: UInt64, name: String, finality: Finality, feeModel: FeeModel, minimumTipWei: UInt64,
        blockTime: Double, explorerTransaction: String? = nil, explorerAddress: String? = nil
    ) {
        self.chainID = chainID
        self.name = name
        self.finality = finality
        self.feeModel = feeModel
        self.minimumTipWei = minimumTipWei
        self.blockTime = blockTime
        self.explorerTransaction = explorerTransaction
        self.explorerAddress = explorerAddress
    }

    /// The explorer's page for a transaction (`0x...` hash), when the profile names one.
    public func transactionURL(_ hash: String) -> String? {
        explorerTransaction?.replacing("{tx}", with: hash)
    }

    /// The explorer's page for an address (`0x...`), when the profile names one.
    public func addressURL(_ address: String) -> String? {
        explorerAddress?.replacing("{address}", with: address)
    }
}

/// Profiles by chain id: the built-in ones, then those of operator files
/// (a file's entry replaces a built-in one of the same chain id).
public struct ChainProfiles: Sendable, Hashable {
    public private(set) var byChainID: [UInt64: ChainProfile]

    public init(_ profiles: [ChainProfile] = []) {
        byChainID = Dictionary(profiles.map { ($0.chainID, $0) }, uniquingKeysWith: { $1 })
    }

    public subscript(chainID: UInt64) -> ChainProfile? { byChainID[chainID] }

    public mutating func add(_ profiles: [ChainProfile]) {
        for profile in profiles { byChainID[profile.chainID] = profile }
    }

    /// The built-in profiles (parsed from `ChainProfileFile.builtIn`).
    public static let builtIn: ChainProfiles = {
        do {
            return ChainProfiles(try ChainProfileFile.parse(ChainProfileFile.builtIn))
        } catch {
            // The text is a constant of this module, checked by its tests.
            preconditionFailure("built-in chain profiles: \(error)")
        }
    }()
}
