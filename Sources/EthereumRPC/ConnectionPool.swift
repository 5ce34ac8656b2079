import Dispatch
import Foundation
import ThreadHandoff

/// Keep-alive connections to one node. Each connection has its own serial
/// dispatch queue: libcurl's blocking calls run there, never on Swift's
/// cooperative thread pool.
final class ConnectionPool: @unchecked Sendable {
    private struct Slot {
        let queue: DispatchQueue
        var connection: CurlConnection?
    }

    let url: String
    private let configuration: RPCConfiguration
    private let lock = NSLock()
    private var idle: [Int]
    private var slots: [Slot]
    private var waiters: [CheckedContinuation<Int, Never>] = []

    init(url: String, configuration: RPCConfiguration) {
        self.url = url
        self.configuration = configuration
        let count = max(1, configuration.connectionsPerURL)
        self.slots = (0..<count).map { Slot(queue: DispatchQueue(label: "caseattest.rpc.\($0)"), connection: nil) }
        self.idle = Array(0..<count)
    }

    func post(_ body: [UInt8]) async throws(RPCError) -> CurlConnection.Response {
        let slot = await acquire()
        defer { release(slot) }
        return try await withThreadResult { (result: ThreadResult<CurlConnection.Response, RPCError>) in
            slots[slot].queue.async { [self] in
                result.resume(with: perform(body, slot: slot))
            }
        }
    }

    /// Runs on the slot's queue, which is the only place its connection is touched.
    private func perform(_ body: [UInt8], slot: Int) -> Result<CurlConnection.Response, RPCError> {
        do throws(RPCError) {
            let connection: CurlConnection
            if let existing = lock.withLock({ slots[slot].connection }) {
                connection = existing
            } else {
                connection = try CurlConnection(
                    url: url, connectTimeout: configuration.connectTimeout,
                    requestTimeout: configuration.requestTimeout)
                lock.withLock { slots[slot].connection = connection }
            }
            return .success(try connection.post(body))
        } catch {
            // A failed transfer may leave the connection in any state: start afresh.
            lock.withLock { slots[slot].connection = nil }
            return .failure(error)
        }
    }

    private func acquire() async -> Int {
        await withCheckedContinuation { continuation in
            lock.withLock {
                if let slot = idle.popLast() {
                    continuation.resume(returning: slot)
                } else {
                    waiters.append(continuation)
                }
            }
        }
    }

    private func release(_ slot: Int) {
        let waiter: CheckedContinuation<Int, Never>? = lock.withLock {
            if waiters.isEmpty {
                idle.append(slot)
                return nil
            }
            return waiters.removeFirst()
        }
        waiter?.resume(returning: slot)
    }
}
