/// Where rate-limit windows are counted: in this process (`RateLimiter`, the
/// default) or in Redis (`RedisRateLimiter`), shared by every replica.
public protocol RateLimitStore: Sendable {
    /// Counts one request against `key`'s fixed window of `windowSeconds`.
    func admit(key: String, limit: Int, windowSeconds: Int64) async -> RateLimiter.Decision
}

extension RateLimitStore {
    /// Counts one request against `key`'s fixed 60-second window.
    public func admit(key: String, limit: Int) async -> RateLimiter.Decision {
        await admit(key: key, limit: limit, windowSeconds: RateLimits.windowSeconds)
    }
}
