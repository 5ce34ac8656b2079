/// Where rate-limit windows are counted: in this process (`RateLimiter`, the
/// default) or in Redis (`RedisRateLimiter`), shared by every replica.
public protocol RateLimitStore: Sendable {
    /// Counts one request against `key`'s fixed 60-second window.
    func admit(key: String, limit: Int) async -> RateLimiter.Decision
}
