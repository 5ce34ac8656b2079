import Dispatch
import Foundation
import Logging
import ThreadHandoff

/// A Redis client for short commands: one connection, used from a serial
/// dispatch queue of its own so hiredis's blocking socket calls never run
/// on Swift's cooperative threads. Every call is bounded by `timeout`.
///
/// After a failure the client does not try again for `retryInterval`: calls
/// in between fail at once, so a Redis that is down or hung costs callers
/// nothing but the first timeout.
public final class RedisClient: @unchecked Sendable {
    public let url: RedisURL
    private let timeout: Duration
    private let retryInterval: Duration
    private let logger: Logger
    private let queue: DispatchQueue
    // Touched only on `queue`.
    private var connection: RedisConnection?
    private var retryAt: ContinuousClock.Instant?

    public init(
        url: RedisURL, timeout: Duration = .milliseconds(250), retryInterval: Duration = .seconds(1),
        logger: Logger
    ) {
        self.url = url
        self.timeout = timeout
        self.retryInterval = retryInterval
        self.logger = logger
        queue = DispatchQueue(label: "caseattest.redis")
    }

    /// Sends one command and waits for its reply.
    public func command(_ arguments: [String]) async throws(RedisError) -> RedisValue {
        try await withThreadResult { (result: ThreadResult<RedisValue, RedisError>) in
            queue.async { result.resume(with: self.execute(arguments)) }
        }
    }

    /// PING, answered with PONG.
    public func ping() async throws(RedisError) {
        guard try await command(["PING"]) == .status("PONG") else {
            throw RedisError(.protocolError, "PING was not answered with PONG")
        }
    }

    private func execute(_ arguments: [String]) -> Result<RedisValue, RedisError> {
        if connection == nil, let retryAt, ContinuousClock.now < retryAt {
            // Waiting to try again: fail at once, and do not push the next attempt back.
            return .failure(RedisError(.unavailable, "not connected (next attempt within \(retryInterval))"))
        }
        do throws(RedisError) {
            let open: RedisConnection
            if let connection { open = connection } else { open = try RedisConnection(url: url, timeout: timeout) }
            connection = open
            retryAt = nil
            return .success(try open.command(arguments))
        } catch {
            // A refused connect, a failed AUTH or a broken socket: start over
            // later. An error reply on a sound connection is only that.
            if connection == nil || connection?.isBroken == true {
                connection = nil
                retryAt = ContinuousClock.now + retryInterval
                logger.debug("redis call failed", metadata: ["redis": "\(url.redacted)", "error": "\(error)"])
            }
            return .failure(error)
        }
    }
}
