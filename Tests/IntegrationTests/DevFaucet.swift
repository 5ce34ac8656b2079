import Ethereum
import EthereumRPC

/// Tests run in parallel; a shared sender would race for nonces. The faucet
/// serialises the dev key's transfers and hands each test a funded key of its own.
actor DevFaucet {
    static let shared = DevFaucet()

    /// Actors are reentrant across `await`: chain the transfers explicitly.
    private var previous: Task<Void, any Error>?

    func fundedKey(rpcURL: String, wei: UInt256 = UInt256(10).power(18)) async throws -> PrivateKey {
        try await fund(try PrivateKey.generate(), rpcURL: rpcURL, wei: wei)
    }

    /// Funds a key the caller made (e.g. one it must also write to a key file, or a token's key).
    func fund<Key: TransactionSigner>(
        _ key: Key, rpcURL: String, wei: UInt256 = UInt256(10).power(18)
    ) async throws -> Key {
        let prior = previous
        let address = key.address
        let task = Task {
            _ = await prior?.result
            try await Self.fund(address, rpcURL: rpcURL, wei: wei)
        }
        previous = task
        try await task.value
        return key
    }

    /// Funds an address (a key that lives in a token).
    func fund(address: Address, rpcURL: String, wei: UInt256 = UInt256(10).power(18)) async throws {
        let prior = previous
        let task = Task {
            _ = await prior?.result
            try await Self.fund(address, rpcURL: rpcURL, wei: wei)
        }
        previous = task
        try await task.value
    }

    private static func fund(_ address: Address, rpcURL: String, wei: UInt256) async throws {
        let eth = EthereumClient(
            rpc: try JSONRPCClient(configuration: .init(urls: [rpcURL]), logger: TestEnvironment.logger))
        let faucet = try PrivateKey(hex: TestEnvironment.devKeyHex)
        let nonce = try await eth.transactionCount(of: faucet.address, at: .pending)
        let unsigned: UnsignedTransaction
        if try await eth.block(.latest)?.baseFeePerGas == nil {
            // A dev chain in pre-London mode takes legacy transactions only.
            unsigned = .legacy(
                UnsignedLegacyTransaction(
                    chainId: TestEnvironment.chainID, nonce: nonce,
                    gasPrice: try await eth.gasPrice(), gasLimit: 21_000,
                    to: address, value: wei))
        } else {
            // The node's suggested tip: 1 gwei, or its floor when started with --min-tip.
            unsigned = .eip1559(
                UnsignedEIP1559Transaction(
                    chainId: TestEnvironment.chainID, nonce: nonce,
                    maxPriorityFeePerGas: try await eth.maxPriorityFeePerGas(), maxFeePerGas: UInt256(200_000_000_000),
                    gasLimit: 21_000, to: address, value: wei))
        }
        let signed = unsigned.sign(with: faucet)
        _ = try await eth.sendRawTransaction(signed.rawBytes)
        _ = try await eth.waitForReceipt(signed.hash)
    }
}

extension EthereumClient {
    func waitForReceipt(_ hash: [UInt8], attempts: Int = 200) async throws -> TransactionReceipt {
        for _ in 0..<attempts {
            if let receipt = try await transactionReceipt(hash) { return receipt }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw RPCError(.transport, message: "no receipt after \(attempts) polls")
    }
}

extension UInt256 {
    func power(_ exponent: Int) -> UInt256 {
        var result = UInt256(1)
        for _ in 0..<exponent { result = result * self }
        return result
    }
}
