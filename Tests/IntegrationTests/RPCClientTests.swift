import Ethereum
import EthereumRPC
import Foundation
import Testing

/// The JSON-RPC client against the real dev chain (and a dead port).
struct RPCClientTests {
    private func client(_ urls: [String], attempts: Int = 5) throws -> EthereumClient {
        var configuration = RPCConfiguration(urls: urls)
        configuration.maxAttempts = attempts
        configuration.initialBackoff = .milliseconds(10)
        configuration.connectTimeout = .milliseconds(500)
        return EthereumClient(rpc: try JSONRPCClient(configuration: configuration, logger: TestEnvironment.logger))
    }

    /// A loopback port that nothing listens on.
    private func deadURL() throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
    }

    @Test func readsChainIDAndBlocks() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client([url])
        #expect(try await eth.chainID() == TestEnvironment.chainID)
        let head = try await eth.blockNumber()
        let block = try #require(try await eth.block(.number(head)))
        #expect(block.number == head)
        let byHash = try #require(try await eth.block(hash: block.hash))
        #expect(byHash == block)
        #expect(try await eth.block(.number(head + 1_000_000)) == nil)
    }

    @Test func failsOverFromADeadNode() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client([try deadURL(), url])
        #expect(try await eth.chainID() == TestEnvironment.chainID)
    }

    @Test func aDeadNodeAloneIsATransportError() async throws {
        let eth = try client([try deadURL()], attempts: 2)
        await #expect {
            _ = try await eth.chainID()
        } throws: { error in
            (error as? RPCError)?.code == .transport
        }
    }

    @Test func batchesKeepOrderAndPerItemErrors() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client([url])
        let results = try await eth.rpc.batch([
            .init("eth_chainId"), .init("no_such_method"), .init("eth_blockNumber"),
        ])
        #expect(results.count == 3)
        #expect(try results[0].get() == .string("0x" + String(TestEnvironment.chainID, radix: 16)))
        guard case .failure(let error) = results[1] else {
            Issue.record("unknown method should fail")
            return
        }
        #expect(error.nodeCode == -32601)
        #expect(throws: Never.self) { try results[2].get() }
    }

    @Test func unknownTransactionHasNoReceipt() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client([url])
        #expect(try await eth.transactionReceipt([UInt8](repeating: 0xAB, count: 32)) == nil)
    }

    @Test func manyConcurrentCallsShareTheKeepAlivePool() async throws {
        guard let url = TestEnvironment.requireRPC() else { return }
        let eth = try client([url])
        try await withThrowingTaskGroup(of: UInt64.self) { group in
            for _ in 0..<64 { group.addTask { try await eth.chainID() } }
            for try await id in group { #expect(id == TestEnvironment.chainID) }
        }
    }
}
