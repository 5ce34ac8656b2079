import Ethereum
import EthereumRPC
import Registry

/// One `Anchored` log of the registry, as the chain tells it.
public struct ChainAnchor: Sendable, Hashable {
    public let root: [UInt8]
    public let attester: Address
    public let leafCount: UInt32
    public let blockNumber: UInt64
    public let transactionHash: [UInt8]?
}

/// Reads a registry's history from the chain: the block it was deployed in
/// (binary search on `eth_getCode`) and every `Anchored` log since, in block
/// ranges that shrink when the provider refuses a range as too large.
struct RegistryLogScan: Sendable {
    let ethereum: EthereumClient
    let registry: Address
    /// The first range tried; halved on each refusal, never grown back.
    var initialRange: UInt64 = 10_000

    struct Result: Sendable {
        let anchors: [ChainAnchor]
        let fromBlock: UInt64
        let toBlock: UInt64
        let requests: Int
        let refusals: Int
        let finalRange: UInt64
    }

    /// The lowest block at whose state the registry has code. Throws when it
    /// has none at `head` (nothing is deployed at the configured address).
    func deploymentBlock(head: UInt64) async throws -> UInt64 {
        guard try await hasCode(at: head) else {
            throw VerifierError(.noRegistry, "the configured registry has no code at block \(head)")
        }
        var (low, high) = (UInt64(0), head)  // invariant: code at `high`
        while low < high {
            let middle = low + (high - low) / 2
            if try await hasCode(at: middle) { high = middle } else { low = middle + 1 }
        }
        return high
    }

    private func hasCode(at block: UInt64) async throws -> Bool {
        do {
            let code = try await ethereum.code(at: registry, block: .number(block))
            return !code.isEmpty
        } catch {
            throw VerifierError(.rpc, "eth_getCode failed: \(error)")
        }
    }

    /// Every Anchored log of the registry in `from...to`, any attester.
    func anchors(from: UInt64, to: UInt64) async throws -> Result {
        var anchors: [ChainAnchor] = []
        var (start, range, requests, refusals) = (from, max(1, initialRange), 0, 0)
        while start <= to {
            let end = min(to, start + range - 1)
            let filter = LogFilter(
                fromBlock: .number(start), toBlock: .number(end), addresses: [registry],
                topics: [[RegistryEvents.anchored.topic]])
            requests += 1
            let logs: [LogEntry]
            switch await fetch(filter) {
            case .success(let found):
                logs = found
            case .failure(let error):
                guard Self.mayBeRangeRefusal(error), range > 1 else {
                    throw VerifierError(.rpc, "eth_getLogs failed for blocks \(start)-\(end): \(error)")
                }
                refusals += 1
                range = max(1, range / 2)
                continue
            }
            for log in logs where !log.removed && log.address == registry {
                guard let event = try? RegistryEvents.decodeAnchored(topics: log.topics, data: log.data),
                    let blockNumber = log.blockNumber
                else { continue }
                anchors.append(
                    ChainAnchor(
                        root: event.root, attester: event.attester, leafCount: event.leafCount,
                        blockNumber: blockNumber, transactionHash: log.transactionHash))
            }
            if end == to { break }
            start = end + 1
        }
        return Result(
            anchors: anchors, fromBlock: from, toBlock: to, requests: requests, refusals: refusals,
            finalRange: range)
    }

    private func fetch(_ filter: LogFilter) async -> Swift.Result<[LogEntry], RPCError> {
        do {
            return .success(try await ethereum.logs(filter))
        } catch {
            return .failure(error)
        }
    }

    /// Providers refuse large ranges with a JSON-RPC error ("block range too
    /// large", "query returned more than 10000 results", -32005, -32602) or
    /// an HTTP 413; a smaller range is worth trying for any of those.
    static func mayBeRangeRefusal(_ error: RPCError) -> Bool {
        switch error.code {
        case .node: return true
        case .http: return error.httpStatus == 413 || error.httpStatus == 400
        default: return false
        }
    }
}
