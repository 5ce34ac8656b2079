import Foundation
import Logging
import Metrics
import Redis

/// Rate-limit windows kept in Redis, so every replica behind a load balancer
/// counts against the same windows and a restart resets none of them.
///
/// One Lua script per request makes the window atomic: INCR the key, give it
/// the window's TTL when the INCR created it, and return the count and the
/// time left. When Redis cannot be reached, requests are still served,
/// counted by a `RateLimiter` in this process until Redis answers again.
public final class RedisRateLimiter: RateLimitStore, @unchecked Sendable {
    /// KEYS[1] the window's key, ARGV[1] the window in milliseconds. A key
    /// left without a TTL (by hand, or an older writer) gets one again.
    static let script = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        local ttl = redis.call('PTTL', KEYS[1])
        if ttl < 0 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
          ttl = tonumber(ARGV[1])
        end
        return {count, ttl}
        """

    private let client: RedisClient
    private let fallback: RateLimiter
    private let health: RedisHealth

    public init(client: RedisClient, limits: RateLimits, metricsFactory: any MetricsFactory, logger: Logger) {
        self.client = client
        fallback = RateLimiter(limits: limits)
        health = RedisHealth(redis: client.url, factory: metricsFactory, logger: logger)
    }

    public func admit(key: String, limit: Int, windowSeconds: Int64) async -> RateLimiter.Decision {
        do {
            let reply = try await client.command(["EVAL", Self.script, "1", key, String(max(1, windowSeconds) * 1000)])
            guard case .array(let items) = reply, items.count == 2,
                let count = items[0].integer, let ttl = items[1].integer
            else {
                throw RedisError(.protocolError, "the rate-limit script returned an unexpected reply")
            }
            health.record(nil)
            guard count > Int64(limit) else { return .allowed(remaining: limit - Int(count)) }
            return .limited(retryAfterSeconds: max(1, Int((ttl + 999) / 1000)))
        } catch {
            health.record(error)
            return fallback.admit(key: key, limit: limit, windowSeconds: windowSeconds)
        }
    }

    /// /readyz's `redis` check: not critical (requests are served either way),
    /// so a Redis outage shows as "degraded" without taking the replica out.
    public func readinessCheck() -> ReadinessProbe.Check {
        ReadinessProbe.Check(name: "redis", critical: false) { [client, health] in
            do {
                try await client.ping()
                health.record(nil)
            } catch {
                health.record(error)
                throw ReadinessProbe.NotReady("Redis unreachable: rate limits are counted per process until it answers")
            }
        }
    }
}

/// Whether Redis answered last time: the `caseattest_redis_up` gauge, and one
/// log line per change (not one per request while it is down).
final class RedisHealth: @unchecked Sendable {
    static let upLabel = "caseattest_redis_up"

    private let redis: RedisURL
    private let gauge: Gauge
    private let logger: Logger
    private let lock = NSLock()
    private var up: Bool?

    init(redis: RedisURL, factory: any MetricsFactory, logger: Logger) {
        self.redis = redis
        gauge = Gauge(label: Self.upLabel, dimensions: [], factory: factory)
        self.logger = logger
    }

    func record(_ error: (any Error)?) {
        let nowUp = error == nil
        let changed: Bool = lock.withLock {
            defer { up = nowUp }
            return up != nowUp
        }
        guard changed else { return }
        gauge.record(nowUp ? 1 : 0)
        if nowUp {
            logger.info("Redis reachable: rate limits are shared", metadata: ["redis": "\(redis.redacted)"])
        } else {
            logger.error(
                "Redis unreachable: rate limits fall back to this process's counters",
                metadata: ["redis": "\(redis.redacted)", "error": "\(error.map { "\($0)" } ?? "")"])
        }
    }
}
