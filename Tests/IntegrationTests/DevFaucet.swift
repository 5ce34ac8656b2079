import Ethereum
import EthereumRPC

/// Tests run in parallel; a shared sender would race for nonces. The faucet
/// serialises the dev key's transfers and hands each test a funded key of its own.
actor DevFaucet {
    static let shared = DevFaucet()

    /// Actors are reentrant across `await`: chain the transfers explicitly.
    private var previous: Task<PrivateKey, any Error>?

    func fundedKey(rpcURL: String, wei: UInt256 = UInt256(10).power(18)) async throws -> PrivateKey {
        try await fund(try PrivateKey.generate(), rpcURL: rpcURL, wei: wei)
    }

    /// Funds a key the caller made (e.g. one it must also write to a key file).
    func fund(_ key: PrivateKey, rpcURL: String, wei: UInt256 = UInt256(10).power(18)) async throws -> PrivateKey {
        let prior = previous
        let task = Task {
            _ = await prior?.result
            return try await Self.fund(key, rpcURL: rpcURL, wei: wei)
        }
        previous = task
        return try await task.value
    }

    private static func fund(_ key: PrivateKey, rpcURL: String, wei: UInt256) async throws -> PrivateKey {
        let eth = EthereumClient(rpc: try JSONRPCClient(configuration: .init(urls: [rpcURL]), logger: TestEnvironment.logger))
        let faucet = try PrivateKey(hex: TestEnvironment.devKeyHex)
        let nonce = try await eth.transactionCount(of: faucet.address, at: .pending)
        let tx = UnsignedEIP1559Transaction(
            chainId: TestEnvironment.chainID, nonce: nonce, maxPriorityFeePerGas: UInt256(1_000_000_000),
            maxFeePerGas: UInt256(200_000_000_000), gasLimit: 21_000, to: key.address, value: wei)
        let signed = UnsignedTransaction.eip1559(tx).sign(with: faucet)
        _ = try await eth.sendRawTransaction(signed.rawBytes)
        _ = try await eth.waitForReceipt(signed.hash)
        return key
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
