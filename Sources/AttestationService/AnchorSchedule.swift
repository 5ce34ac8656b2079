import Foundation

/// When batches close and how large they look on chain: the one place for
/// the batching rules (docs/anchoring-schedule.md says why).
///
/// With an `interval`, batches close only on wall-clock slot boundaries
/// (multiples of the interval since the Unix epoch, so 1 h is every hour on
/// the hour, UTC): an anchor then tells a chain observer no more than which
/// slot its cases were committed in. Without one (interval 0) a batch closes
/// at `batchMax` cases or when its oldest case has waited `batchWait`
/// seconds, as before. Either way a batch is padded with filler leaves up to
/// its size bucket, so leaf counts tell volume only coarsely.
public struct AnchorSchedule: Sendable, Hashable {
    /// Seconds between slot boundaries; 0: no slots.
    public var interval: Double
    /// Real leaves a batch holds at most, and the largest bucket.
    public var batchMax: Int
    /// Without slots: close when the oldest commitment has waited this long.
    public var batchWait: Double
    /// The smallest bucket (a power of two); 0: no filler leaves.
    public var minimumLeaves: Int

    public init(interval: Double = 0, batchMax: Int = 256, batchWait: Double = 10, minimumLeaves: Int = 0) {
        self.interval = max(0, interval)
        self.batchMax = max(1, batchMax)
        self.batchWait = max(0, batchWait)
        self.minimumLeaves = max(0, minimumLeaves)
    }

    public var hasSlots: Bool { interval > 0 }

    /// For new deployments: one anchor an hour at most, and no batch shows
    /// fewer than 8 leaves (docs/anchoring-schedule.md weighs the choice).
    public static let defaultInterval: Double = 3600
    public static let defaultMinimumLeaves = 8

    // MARK: - Slots

    /// The latest slot boundary at or before `time` (nil without slots).
    public func boundary(atOrBefore time: Double) -> Double? {
        guard hasSlots else { return nil }
        return (time / interval).rounded(.down) * interval
    }

    /// The first slot boundary strictly after `time` (nil without slots).
    public func boundary(after time: Double) -> Double? {
        guard let latest = boundary(atOrBefore: time) else { return nil }
        return latest + interval
    }

    // MARK: - Closing without slots

    /// Without slots: whether `waiting` commitments, the oldest committed at
    /// `oldest`, make a batch now. With slots the boundary alone decides.
    public func closesWithoutSlot(waiting: Int, oldest: Double, now: Double) -> Bool {
        waiting > 0 && (waiting >= batchMax || now - oldest >= batchWait)
    }

    // MARK: - Batches closed by the commit

    /// Requests one commit claims: a full batch or more without slots, so a
    /// backlog's commits can close their batches themselves.
    public var commitClaim: Int { hasSlots ? 512 : max(512, batchMax) }

    /// Full batches a commit of `committed` cases closes itself. Without
    /// slots a full batch closes at once anyway (`closesWithoutSlot`), so the
    /// commit writes its rows straight to `batched`: once instead of twice.
    /// With slots only the boundary closes batches.
    public func batchesClosedOnCommit(committed: Int) -> Int {
        hasSlots ? 0 : committed / batchMax
    }

    // MARK: - Buckets

    /// The leaf count a batch of `realLeaves` shows on chain: the smallest
    /// power of two at least `minimumLeaves` that holds them, capped at
    /// `batchMax` (itself a bucket, so a full batch needs no filler).
    public func bucket(forRealLeaves realLeaves: Int) -> Int {
        guard minimumLeaves > 0, realLeaves > 0 else { return realLeaves }
        var size = 1
        while size < max(realLeaves, minimumLeaves) { size *= 2 }
        return max(realLeaves, min(size, batchMax))
    }

    /// Filler leaves to add to a batch of `realLeaves`.
    public func fillerCount(forRealLeaves realLeaves: Int) -> Int {
        bucket(forRealLeaves: realLeaves) - realLeaves
    }

    /// Every leaf count a batch may show: the buckets from `minimumLeaves` up
    /// to `batchMax` (every count up to `batchMax` without fillers).
    public var bucketSizes: [Int] {
        guard minimumLeaves > 0 else { return Array(1...batchMax) }
        var sizes = [bucket(forRealLeaves: 1)]
        while let last = sizes.last, last < batchMax { sizes.append(bucket(forRealLeaves: last + 1)) }
        return sizes
    }
}

// MARK: - Durations as operators write them

extension AnchorSchedule {
    /// "1h", "15m", "90s", "1d", "0", "2.5m" or a bare number of seconds;
    /// nil for anything else (negative, empty, unknown unit).
    public static func parseDuration(_ text: String) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400)]
        var number = Substring(trimmed)
        var scale = 1.0
        for (suffix, seconds) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            scale = seconds
            break
        }
        guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number),
            value.isFinite, value >= 0
        else { return nil }
        return value * scale
    }
}
