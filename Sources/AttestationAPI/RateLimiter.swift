import Foundation

/// Fixed-window request counters per caller and endpoint, kept in memory
/// under the seed's cache naming `ratelimit:{caller}:{endpoint}`: the first
/// request opens a 60-second window (like INCR + EXPIRE 60), and the window's
/// count may not exceed the endpoint's limit.
///
/// Memory stays bounded: callers are authenticated tokens (so there are at
/// most tokens x endpoints keys), expired windows are swept at least once a
/// window, and a hard cap clears the table rather than grow without end.
public final class RateLimiter: RateLimitStore, @unchecked Sendable {
    public enum Decision: Sendable, Equatable {
        case allowed(remaining: Int)
        /// Whole seconds until the window ends (at least 1).
        case limited(retryAfterSeconds: Int)
    }

    struct Window {
        var startNanoseconds: UInt64
        var count: Int
        var lengthNanoseconds: UInt64
    }

    public static let maximumKeys = 100_000

    private let limits: RateLimits
    private let now: @Sendable () -> UInt64
    private let windowNanoseconds: UInt64
    // Guards `windows` and `lastSweep`; held only for a dictionary update.
    private let lock = NSLock()
    private var windows: [String: Window] = [:]
    private var lastSweep: UInt64

    /// `now` returns monotonic nanoseconds; tests pass a manual clock.
    public init(limits: RateLimits, now: @escaping @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        self.limits = limits
        self.now = now
        windowNanoseconds = UInt64(RateLimits.windowSeconds) * 1_000_000_000
        lastSweep = now()
    }

    public static func key(caller: String, endpoint: APIEndpoint) -> String {
        "ratelimit:\(caller):\(endpoint.rawValue)"
    }

    /// The counsellor's own window for attestation requests, whichever
    /// token asks on their behalf.
    public static func counsellorKey(_ counsellorID: Int64) -> String {
        "ratelimit:counsellor-\(counsellorID):\(APIEndpoint.requestAttestation.rawValue)"
    }

    /// A token's hourly receipt quota.
    public static func receiptQuotaKey(caller: String) -> String {
        "ratelimit:\(caller):receipt_quota"
    }

    public func admit(caller: String, endpoint: APIEndpoint) -> Decision {
        admit(key: Self.key(caller: caller, endpoint: endpoint), limit: limits.limit(for: endpoint))
    }

    /// Counts one request against `key`'s 60-second window, whose limit is `limit`.
    public func admit(key: String, limit: Int) -> Decision {
        admit(key: key, limit: limit, windowSeconds: RateLimits.windowSeconds)
    }

    /// Counts one request against `key`'s window of `windowSeconds`.
    public func admit(key: String, limit: Int, windowSeconds: Int64) -> Decision {
        let time = now()
        let length = UInt64(max(1, windowSeconds)) * 1_000_000_000
        return lock.withLock {
            sweepIfDue(at: time)
            var window = windows[key] ?? Window(startNanoseconds: time, count: 0, lengthNanoseconds: length)
            if time &- window.startNanoseconds >= window.lengthNanoseconds {
                window = Window(startNanoseconds: time, count: 0, lengthNanoseconds: length)
            }
            guard window.count < limit else {
                let remaining = window.startNanoseconds + window.lengthNanoseconds - time
                return .limited(retryAfterSeconds: max(1, Int((remaining + 999_999_999) / 1_000_000_000)))
            }
            window.count += 1
            windows[key] = window
            return .allowed(remaining: limit - window.count)
        }
    }

    /// Keys currently held (for tests and memory checks).
    public var keyCount: Int { lock.withLock { windows.count } }

    private func sweepIfDue(at time: UInt64) {
        let due = time &- lastSweep >= windowNanoseconds
        guard due || windows.count >= Self.maximumKeys else { return }
        windows = windows.filter { time &- $0.value.startNanoseconds < $0.value.lengthNanoseconds }
        if windows.count >= Self.maximumKeys { windows.removeAll(keepingCapacity: true) }
        lastSweep = time
    }
}
