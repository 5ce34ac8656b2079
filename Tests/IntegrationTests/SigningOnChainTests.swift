import Ethereum
import EthereumRPC
import Testing

/// Transactions signed by our Ethereum module, judged by the dev chain's EVM.
struct SigningOnChainTests {
    private func client(_ url: String) throws -> EthereumClient {
        EthereumClient(rpc: try JSONRPCClient(configuration: .init(urls: [url]), logger: TestEnvironment.logger))
    }

    /// A fresh recipient so balances from other tests do not interfere.
    private func freshRecipient() throws -> Address {
        try PrivateKey.generate().address
    }

    private func waitForReceipt(_ eth: EthereumClient, _ hash: [UInt8]) async throws -> TransactionReceipt {
        try await eth.waitForReceipt(hash)
    }

    @Test func eip1559TransferIsMinedAndMovesValue() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client(url)
        let key = try await DevFaucet.shared.fundedKey(rpcURL: url)
        let recipient = try freshRecipient()
        let nonce = try await eth.transactionCount(of: key.address, at: .pending)
        let baseFee = try #require(try await eth.block(.latest)?.baseFeePerGas)
        let tip = try await eth.maxPriorityFeePerGas()
        let tx = UnsignedEIP1559Transaction(
            chainId: TestEnvironment.chainID, nonce: nonce, maxPriorityFeePerGas: tip,
            maxFeePerGas: baseFee * 2 + tip, gasLimit: 21_000, to: recipient, value: UInt256(123_456_789))
        let signed = UnsignedTransaction.eip1559(tx).sign(with: key)

        let nodeHash = try await eth.sendRawTransaction(signed.rawBytes)
        #expect(nodeHash == signed.hash)
        let receipt = try await waitForReceipt(eth, signed.hash)
        #expect(receipt.succeeded)
        #expect(receipt.from == key.address)
        #expect(try await eth.balance(of: recipient) == UInt256(123_456_789))
        let seen = try #require(try await eth.transaction(signed.hash))
        #expect(seen.nonce == nonce)
        #expect(seen.from == key.address)
    }

    @Test func legacyEIP155TransferIsMined() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client(url)
        let key = try await DevFaucet.shared.fundedKey(rpcURL: url)
        let recipient = try freshRecipient()
        let nonce = try await eth.transactionCount(of: key.address, at: .pending)
        let gasPrice = try await eth.gasPrice()
        let tx = UnsignedLegacyTransaction(
            chainId: TestEnvironment.chainID, nonce: nonce, gasPrice: gasPrice * 2, gasLimit: 21_000,
            to: recipient, value: UInt256(42))
        let signed = UnsignedTransaction.legacy(tx).sign(with: key)
        _ = try await eth.sendRawTransaction(signed.rawBytes)
        #expect(try await waitForReceipt(eth, signed.hash).succeeded)
        #expect(try await eth.balance(of: recipient) == UInt256(42))
    }

    @Test func wrongChainIDIsRejected() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client(url)
        let key = try await DevFaucet.shared.fundedKey(rpcURL: url)
        let nonce = try await eth.transactionCount(of: key.address, at: .pending)
        let tx = UnsignedEIP1559Transaction(
            chainId: TestEnvironment.chainID + 1, nonce: nonce, maxPriorityFeePerGas: UInt256(1_000_000_000),
            maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21_000, to: try freshRecipient(), value: UInt256(1))
        let signed = UnsignedTransaction.eip1559(tx).sign(with: key)
        await #expect {
            _ = try await eth.sendRawTransaction(signed.rawBytes)
        } throws: { error in
            guard let error = error as? RPCError else { return false }
            return error.code == .node && error.message.contains("invalid chain id")
        }
        #expect(try await eth.transactionReceipt(signed.hash) == nil)
    }

    @Test func replayingTheSameBytesIsNotExecutedTwice() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client(url)
        let key = try await DevFaucet.shared.fundedKey(rpcURL: url)
        let recipient = try freshRecipient()
        let nonce = try await eth.transactionCount(of: key.address, at: .pending)
        let tx = UnsignedEIP1559Transaction(
            chainId: TestEnvironment.chainID, nonce: nonce, maxPriorityFeePerGas: UInt256(1_000_000_000),
            maxFeePerGas: UInt256(100_000_000_000), gasLimit: 21_000, to: recipient, value: UInt256(7))
        let signed = UnsignedTransaction.eip1559(tx).sign(with: key)
        _ = try await eth.sendRawTransaction(signed.rawBytes)
        _ = try await waitForReceipt(eth, signed.hash)
        await #expect {
            _ = try await eth.sendRawTransaction(signed.rawBytes)
        } throws: { error in
            let kind = (error as? RPCError)?.nodeErrorKind
            return kind == .nonceTooLow || kind == .alreadyKnown
        }
        #expect(try await eth.balance(of: recipient) == UInt256(7))
    }
}
